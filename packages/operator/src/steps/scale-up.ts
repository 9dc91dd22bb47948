// Racks with fewer nodes than the spec asks grow at once: new nodes join, and migrations move
// their share of the partitions to them.
import type { PlanContext } from '../plan-context.ts'
import type { Action } from '../types.ts'
import { doing, type Step } from './step.ts'

export function scaleUpStep(context: PlanContext): Step | undefined {
  const actions: Action[] = []
  const changes: string[] = []
  for (const rack of context.racks) {
    const statefulSet = rack.statefulSet
    if (statefulSet === undefined || statefulSet.replicas >= rack.desiredReplicas) continue
    actions.push({ kind: 'scaleStatefulSet', rackId: rack.rackId, statefulSetName: statefulSet.name, replicas: rack.desiredReplicas })
    changes.push(`rack ${rack.rackId} from ${statefulSet.replicas} to ${rack.desiredReplicas} nodes`)
  }
  return actions.length === 0 ? undefined : doing('ScalingUp', `scaling up ${changes.join(', ')}`, actions)
}
