// Everything that takes nodes down, one batch at a time and only from a settled cluster (every pod
// ready, every node agreeing on the cluster, no migrations): scaling down, restarting pods made
// from an older template, and the spec's restart operations, in that order of priority. A batch
// is drained first, as Aerospike's own operator does: `quiesce:` on its nodes, `recluster:`, and
// once their partitions have moved (migrations done, cluster stable) the batch goes. A node left
// quiesced by a batch that is no longer wanted (the size raised back) is taken back with
// `quiesce-undo:` and `recluster:`.
import { podNamesOf, restartBatchLimit, type PlanContext, type RackView } from '../plan-context.ts'
import type { Action, ObservedPod } from '../types.ts'
import { operationProgress, type OperationState } from './operations.ts'
import { waitToSettle } from './settle.ts'
import { doing, waiting, type Step } from './step.ts'

/** A recluster takes effect within a heartbeat or two; sent again only if it has not after this long. */
export const RECLUSTER_RETRY_MS = 10_000

interface Batch {
  /** The Progressing reason: ScalingDown, RollingRestart or Operation. */
  reason: string
  /** What the batch is for, e.g. "scaling rack 1 from 3 to 2 nodes". */
  purpose: string
  podNames: string[]
  /** What takes the batch down once it is drained. */
  finish: Action[]
}

export interface DisruptionResult {
  step?: Step
  /** Operations started or completed by this plan. */
  events: Step['events']
  operations: OperationState
}

export function disruptionStep(context: PlanContext, operations: OperationState): DisruptionResult {
  const scaling = scaleDownBatch(context) ?? rollingBatch(context)
  if (scaling !== undefined) return { step: drain(context, scaling), events: [], operations }
  const { state, remaining, events } = operationProgress(context, operations)
  const picked = operationBatch(context, state, remaining)
  if (picked !== undefined) {
    const step = drain(context, picked.batch)
    // The batch counts as restarted once its restarts are returned: the status saying so is written after them.
    const restarting = step.actions.some((action) => action.kind === 'deletePod' || action.kind === 'warmRestart')
    return { step, events, operations: restarting ? picked.after : state }
  }
  const undo = drain(context, undefined)
  if (undo !== undefined) return { step: undo, events, operations: state }
  if (state.running !== undefined) {
    return { step: waitToSettle(context, 'Operation', `operation ${state.running.id}: all pods restarted`), events, operations: state }
  }
  return { events, operations: state }
}

/** The highest ordinals of the first rack larger than the spec asks, at most maxUnavailable of them. */
function scaleDownBatch(context: PlanContext): Batch | undefined {
  for (const rack of context.racks) {
    const statefulSet = rack.statefulSet
    if (statefulSet === undefined || statefulSet.replicas <= rack.desiredReplicas) continue
    const replicas = Math.max(rack.desiredReplicas, statefulSet.replicas - context.maxUnavailable)
    return {
      reason: 'ScalingDown',
      purpose: `scaling rack ${rack.rackId} from ${statefulSet.replicas} to ${replicas} nodes`,
      podNames: podNamesOf(statefulSet.name, replicas, statefulSet.replicas),
      finish: [{ kind: 'scaleStatefulSet', rackId: rack.rackId, statefulSetName: statefulSet.name, replicas }],
    }
  }
  return undefined
}

/** Up to the batch limit of pods, all of one rack (the first in spec order that has any), drained ones first. */
function pickFromOneRack(context: PlanContext, candidates: (rack: RackView) => ObservedPod[]): { rack: RackView; pods: ObservedPod[] } | undefined {
  for (const rack of context.racks) {
    const pods = candidates(rack)
    if (pods.length === 0) continue
    const pending = (pod: ObservedPod): number => (context.observed.nodes[pod.name]?.pendingQuiesce === true ? 1 : 0)
    const ordered = [...pods].sort((a, b) => pending(b) - pending(a) || b.ordinal - a.ordinal)
    return { rack, pods: ordered.slice(0, restartBatchLimit(context)) }
  }
  return undefined
}

/** Pods made from an older template than their rack's, highest ordinals first. */
function rollingBatch(context: PlanContext): Batch | undefined {
  const picked = pickFromOneRack(context, (rack) => rack.pods.filter((pod) => rack.target !== undefined && pod.templateHash !== rack.target.template.templateHash))
  if (picked === undefined) return undefined
  const template = picked.rack.target!.template
  const why = picked.pods.map((pod) =>
    pod.image !== template.image ? `${pod.name} (image ${pod.image} to ${template.image})` : pod.configHash !== template.configHash ? `${pod.name} (config)` : `${pod.name} (pod template)`,
  )
  return {
    reason: 'RollingRestart',
    purpose: `restarting ${why.join(', ')}`,
    podNames: picked.pods.map((pod) => pod.name),
    finish: picked.pods.map((pod): Action => ({ kind: 'deletePod', podName: pod.name })),
  }
}

function operationBatch(context: PlanContext, state: OperationState, remaining: string[]): { batch: Batch; after: OperationState } | undefined {
  const running = state.running
  if (running === undefined || remaining.length === 0) return undefined
  const picked = pickFromOneRack(context, (rack) => rack.pods.filter((pod) => remaining.includes(pod.name)))
  if (picked === undefined) return undefined
  const podNames = picked.pods.map((pod) => pod.name)
  return {
    batch: {
      reason: 'Operation',
      purpose: `operation ${running.id}: ${running.kind === 'WarmRestart' ? 'warm restart of' : 'restarting'} ${podNames.join(', ')}`,
      podNames,
      finish: podNames.map((podName): Action => (running.kind === 'WarmRestart' ? { kind: 'warmRestart', podName } : { kind: 'deletePod', podName })),
    },
    after: { ...state, running: { ...running, restartedPodNames: [...running.restartedPodNames, ...podNames] } },
  }
}

/**
 * The next move of a batch: quiesce its nodes, recluster, wait for migrations, take it down. With
 * no batch, only undoes quiesces left behind. Undefined when there is nothing to do.
 */
function drain(context: PlanContext, batch: Batch): Step
function drain(context: PlanContext, batch: Batch | undefined): Step | undefined
function drain(context: PlanContext, batch: Batch | undefined): Step | undefined {
  const { nodes } = context.observed
  const pods = context.racks.flatMap((rack) => rack.pods)
  const inBatch = (name: string): boolean => batch?.podNames.includes(name) === true
  const reason = batch?.reason ?? 'UndoingQuiesce'
  const purpose = batch?.purpose ?? 'taking back nodes left quiesced'
  const settled = context.podsSettled && context.databaseSettled

  const strays = pods.filter((pod) => nodes[pod.name]?.pendingQuiesce === true && !inBatch(pod.name)).map((pod) => pod.name)
  if (strays.length > 0) {
    if (!context.podsSettled) return waitToSettle(context, reason, purpose)
    return doing(reason, `${purpose}: quiesce-undo on ${strays.join(', ')}, which are no longer leaving`, [{ kind: 'quiesceUndo', podNames: strays }])
  }
  if (batch !== undefined) {
    const toQuiesce = batch.podNames.filter((name) => nodes[name]?.pendingQuiesce !== true)
    if (toQuiesce.length > 0) {
      if (!settled) return waitToSettle(context, reason, purpose)
      return doing(reason, `${purpose}: quiescing ${toQuiesce.join(', ')}`, [{ kind: 'quiesceNodes', podNames: toQuiesce }])
    }
  }
  const unapplied = pods.filter((pod) => {
    const node = nodes[pod.name]
    return node !== undefined && node.pendingQuiesce !== node.effectiveQuiesced
  })
  if (unapplied.length > 0) {
    if (!context.podsSettled) return waitToSettle(context, reason, purpose)
    const last = context.cluster.status?.lastAction
    if (last?.kind === 'recluster' && context.observed.nowMs - Date.parse(last.time) < RECLUSTER_RETRY_MS) {
      return waiting(reason, `${purpose}: waiting for the recluster to take effect`, [{ kind: 'waitForMigrations', migrationsRemaining: context.observed.migrationsRemaining, clusterStable: context.observed.clusterStable }])
    }
    const via = pods.find((pod) => !inBatch(pod.name)) ?? pods[0]!
    return doing(reason, `${purpose}: recluster, so the cluster applies the quiesce state of ${unapplied.map((pod) => pod.name).join(', ')}`, [{ kind: 'recluster', podName: via.name }])
  }
  if (batch === undefined) return undefined
  if (!settled) return waitToSettle(context, reason, purpose)
  return doing(reason, purpose, batch.finish)
}
