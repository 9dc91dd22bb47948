// Brings each rack's ConfigMap and StatefulSet template to the spec. StatefulSets update OnDelete,
// so this restarts nothing: pods made from an older template are restarted one batch at a time
// later (disruption.ts). A ConfigMap whose change set-config can apply waits until the nodes run
// it (dynamic-config.ts), so a node restarted meanwhile reads the values it already ran.
import { configHash } from '../config-change.ts'
import { ConfigError, parseRenderedConfig } from '../server-config.ts'
import type { PlanContext, RackView } from '../plan-context.ts'
import type { Action } from '../types.ts'
import { doing, type Step } from './step.ts'

/** The rack's ConfigMap holds a config that differs from the target in more than set-config changes. */
function configNeedsRestart(rack: RackView): boolean {
  if (rack.target === undefined || rack.configMap === undefined || rack.configMap.configText === rack.target.configMap.configText) return false
  try {
    return configHash(parseRenderedConfig(rack.configMap.configText)) !== rack.target.template.configHash
  } catch (error) {
    // Someone wrote a config no node would read: replace it.
    if (error instanceof ConfigError) return true
    throw error
  }
}

export function templateStep(context: PlanContext): Step | undefined {
  const actions: Action[] = []
  const changes: string[] = []
  for (const rack of context.racks) {
    const { target, statefulSet } = rack
    if (target === undefined || statefulSet === undefined) continue
    if (configNeedsRestart(rack)) {
      actions.push({ kind: 'updateConfigMap', configMap: target.configMap })
      changes.push(`rack ${rack.rackId} config (needs a restart)`)
    }
    if (statefulSet.templateHash !== target.template.templateHash) {
      actions.push({ kind: 'updateStatefulSet', template: target.template })
      const what = [
        ...(statefulSet.image === target.template.image ? [] : [`image ${statefulSet.image} to ${target.template.image}`]),
        ...(statefulSet.configHash === target.template.configHash ? [] : ['config']),
      ]
      changes.push(`rack ${rack.rackId} pod template (${what.length === 0 ? 'pod settings' : what.join(', ')})`)
    }
  }
  return actions.length === 0 ? undefined : doing('UpdatingTemplate', `updating ${changes.join(', ')}`, actions)
}
