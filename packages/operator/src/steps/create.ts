// The objects a cluster needs before anything else: the headless service, and each rack's ConfigMap
// and StatefulSet (made at its full size: nothing runs yet that a new node could disturb).
import { headlessService } from '../templates.ts'
import type { PlanContext } from '../plan-context.ts'
import type { Action } from '../types.ts'
import { doing, type Step } from './step.ts'

export function createStep(context: PlanContext): Step | undefined {
  const actions: Action[] = []
  const made: string[] = []
  const first = context.racks[0]?.target
  if (!context.observed.headlessServiceExists && first !== undefined) {
    const service = headlessService(context.cluster, first.template.ports)
    actions.push({ kind: 'createHeadlessService', service })
    made.push(`service ${service.name}`)
  }
  for (const rack of context.racks) {
    if (rack.target === undefined) continue
    if (rack.configMap === undefined) {
      actions.push({ kind: 'createConfigMap', configMap: rack.target.configMap })
      made.push(`ConfigMap ${rack.target.configMap.name}`)
    }
    if (rack.statefulSet === undefined) {
      actions.push({ kind: 'createStatefulSet', template: rack.target.template, replicas: rack.desiredReplicas })
      made.push(`StatefulSet ${rack.target.template.statefulSetName} (${rack.desiredReplicas} nodes, rack ${rack.rackId})`)
    }
  }
  return actions.length === 0 ? undefined : doing('Creating', `creating ${made.join(', ')}`, actions)
}
