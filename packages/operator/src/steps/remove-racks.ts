// A rack taken out of the spec is scaled to zero by the disruption step, batch by batch like any
// scale down; once no pod of it is left, its StatefulSet and ConfigMap go.
import { configMapName, statefulSetName } from '../names.ts'
import type { PlanContext } from '../plan-context.ts'
import type { Action } from '../types.ts'
import { doing, type Step } from './step.ts'

export function removeRacksStep(context: PlanContext): Step | undefined {
  const cluster = context.cluster.metadata.name
  const actions: Action[] = []
  const ids: number[] = []
  for (const rack of context.racks) {
    if (rack.target !== undefined || rack.pods.length > 0 || (rack.statefulSet?.replicas ?? 0) > 0) continue
    actions.push({ kind: 'deleteRack', rackId: rack.rackId, statefulSetName: statefulSetName(cluster, rack.rackId), configMapName: configMapName(cluster, rack.rackId) })
    ids.push(rack.rackId)
  }
  if (actions.length === 0) return undefined
  return doing('RemovingRacks', `deleting rack ${ids.join(', ')}, which the spec no longer lists`, actions)
}
