// The operator's decisions: the resource and what the controller observed in, the next safe step
// out. Level-triggered: a plan looks only at the present (and the status it wrote last), so the
// controller may run it as often as it likes; after the actions it observes again and plans again.
// Steps in order of precedence, the first with something to do wins:
//   create objects → grow volumes → update templates (so new pods start from the new one) →
//   scale up → set-config → take nodes down (scale down, rolling restarts, operations) →
//   remove racks → wait to settle.
import { stableHash } from './hash.ts'
import { planContext } from './plan-context.ts'
import { clusterStatus, type Outcome } from './status.ts'
import { createStep } from './steps/create.ts'
import { disruptionStep } from './steps/disruption.ts'
import { dynamicConfigStep } from './steps/dynamic-config.ts'
import { operationState, type OperationState } from './steps/operations.ts'
import { removeRacksStep } from './steps/remove-racks.ts'
import { scaleUpStep } from './steps/scale-up.ts'
import { settleStep } from './steps/settle.ts'
import { templateStep } from './steps/templates.ts'
import { volumeRefusals, volumeResizeWait, volumeStep } from './steps/volumes.ts'
import { rackTargets } from './templates.ts'
import { validateSpec } from './validate.ts'
import type { AeroliteCluster, ClusterEvent, Observed, Plan } from './types.ts'

export function plan(cluster: AeroliteCluster, observed: Observed): Plan {
  const now = new Date(observed.nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const unchangedOperations: OperationState = {
    ...(cluster.status?.runningOperation === undefined ? {} : { running: cluster.status.runningOperation }),
    completed: cluster.status?.completedOperations ?? [],
  }
  if (cluster.spec.paused === true) return finish(cluster, observed, now, { kind: 'paused' }, unchangedOperations, [])
  const problems = validateSpec(cluster)
  const built = problems.length === 0 ? rackTargets(cluster) : undefined
  if (built === undefined || built.targets === undefined) {
    return finish(cluster, observed, now, { kind: 'refused', problems: [...problems, ...(built?.problems ?? [])] }, unchangedOperations, [])
  }
  const context = planContext(cluster, observed, built.targets)
  const refusals = volumeRefusals(context)
  if (refusals.length > 0) return finish(cluster, observed, now, { kind: 'refused', problems: refusals }, unchangedOperations, [])

  const operations = operationState(context)
  const early = createStep(context) ?? volumeStep(context) ?? templateStep(context) ?? scaleUpStep(context) ?? dynamicConfigStep(context)
  if (early !== undefined) return finish(cluster, observed, now, { kind: 'working', step: early }, operations, [])
  const disruption = disruptionStep(context, operations)
  const step = disruption.step ?? removeRacksStep(context) ?? volumeResizeWait(context) ?? settleStep(context)
  return finish(cluster, observed, now, { kind: 'working', step }, disruption.operations, disruption.events)
}

function finish(cluster: AeroliteCluster, observed: Observed, now: string, outcome: Outcome, operations: OperationState, operationEvents: ClusterEvent[]): Plan {
  const { status, events } = clusterStatus({ cluster, observed, now, outcome, operations })
  const step = outcome.kind === 'working' ? outcome.step : undefined
  const actions = [...(step?.actions ?? [])]
  // Writing an unchanged status would only wake the controller again.
  if (cluster.status === undefined || stableHash(status) !== stableHash(cluster.status)) actions.push({ kind: 'updateStatus', status })
  return { actions, status, events: [...operationEvents, ...(step?.events ?? []), ...events] }
}
