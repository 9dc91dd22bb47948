// Settings set-config changes are applied to the running nodes, never by a restart: every node
// that runs the current template and reports another value gets set-config (which also undoes a
// change made by hand). Once every node of a rack runs the new values, its ConfigMap is written,
// so a node that restarts later keeps them.
import { setConfigCommand, settingsToApply, type DynamicSetting } from '../config-change.ts'
import type { PlanContext, RackView } from '../plan-context.ts'
import type { Action, ObservedPod } from '../types.ts'
import { doing, type Step } from './step.ts'

function current(rack: RackView, pod: ObservedPod): boolean {
  return pod.templateHash === rack.target?.template.templateHash && pod.ready && !pod.terminating
}

function setConfigActions(podName: string, settings: DynamicSetting[]): Action[] {
  const groups = new Map<string, DynamicSetting[]>()
  for (const setting of settings) {
    const id = `${setting.context}/${setting.namespace ?? ''}`
    groups.set(id, [...(groups.get(id) ?? []), setting])
  }
  return [...groups.values()].map((group) => {
    const { context, namespace } = group[0]!
    const pairs = group.map(({ key, value }) => ({ key, value }))
    return {
      kind: 'setConfig',
      podName,
      context,
      ...(namespace === undefined ? {} : { namespace }),
      settings: pairs,
      command: setConfigCommand(context, namespace, pairs),
    }
  })
}

export function dynamicConfigStep(context: PlanContext): Step | undefined {
  const actions: Action[] = []
  const changed = new Set<string>()
  const pods = new Set<string>()
  for (const rack of context.racks) {
    if (rack.target === undefined) continue
    for (const pod of rack.pods) {
      const node = context.observed.nodes[pod.name]
      if (node === undefined || !current(rack, pod)) continue
      const settings = settingsToApply(node.runningConfig, rack.target.config)
      if (settings.length === 0) continue
      actions.push(...setConfigActions(pod.name, settings))
      pods.add(pod.name)
      for (const setting of settings) changed.add(`${setting.namespace === undefined ? '' : `namespace ${setting.namespace} `}${setting.key}=${setting.value}`)
    }
  }
  if (actions.length > 0) {
    return doing('UpdatingConfig', `set-config ${[...changed].join(', ')} on ${pods.size} node${pods.size === 1 ? '' : 's'}`, actions)
  }
  const written: Action[] = []
  const names: string[] = []
  for (const rack of context.racks) {
    const { target, configMap, statefulSet } = rack
    if (target === undefined || configMap === undefined || statefulSet === undefined || configMap.configText === target.configMap.configText) continue
    const allRunIt = rack.pods.length === statefulSet.replicas && rack.pods.every((pod) => current(rack, pod) && context.observed.nodes[pod.name] !== undefined)
    if (!allRunIt) continue
    written.push({ kind: 'updateConfigMap', configMap: target.configMap })
    names.push(target.configMap.name)
  }
  if (written.length === 0) return undefined
  return doing('UpdatingConfig', `writing the config the nodes run to ${names.join(', ')}`, written)
}
