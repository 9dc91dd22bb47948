// The spec's restart operations: each id runs once. The running one is kept in the status with
// the pods it has restarted, so a plan made after a restart goes on with the next batch, and its
// id moves to completedOperations once every pod it names was restarted and the cluster settled.
import type { PlanContext } from '../plan-context.ts'
import type { ClusterEvent, RunningOperation } from '../types.ts'

export interface OperationState {
  running?: RunningOperation
  completed: string[]
}

/** The status's operation state, without ids the spec no longer lists (a running one is dropped). */
export function operationState(context: PlanContext): OperationState {
  const listed = new Set((context.cluster.spec.operations ?? []).map((operation) => operation.id))
  const status = context.cluster.status
  const running = status?.runningOperation
  return {
    ...(running !== undefined && listed.has(running.id) ? { running } : {}),
    completed: (status?.completedOperations ?? []).filter((id) => listed.has(id)),
  }
}

export interface OperationProgress {
  state: OperationState
  /** Pods of the running operation still to restart, in rack order. */
  remaining: string[]
  events: ClusterEvent[]
}

/**
 * Completes the running operation once it restarted every pod and the cluster settled, and starts
 * the next one the spec lists, until one has pods left to restart or none is left.
 */
export function operationProgress(context: PlanContext, start: OperationState): OperationProgress {
  const existing = context.racks.flatMap((rack) => rack.pods.map((pod) => pod.name))
  const events: ClusterEvent[] = []
  let state = start
  for (;;) {
    const running = state.running
    if (running === undefined) {
      const next = (context.cluster.spec.operations ?? []).find((operation) => !state.completed.includes(operation.id))
      if (next === undefined) return { state, remaining: [], events }
      const podNames = next.podNames === undefined ? existing : existing.filter((name) => next.podNames!.includes(name))
      const missing = (next.podNames ?? []).filter((name) => !existing.includes(name))
      if (missing.length > 0) events.push({ type: 'Warning', reason: 'OperationPodsNotFound', message: `operation ${next.id}: no pod ${missing.join(', ')}; restarting the others` })
      events.push({ type: 'Normal', reason: 'OperationStarted', message: `operation ${next.id} (${next.kind}) of ${podNames.length} pod${podNames.length === 1 ? '' : 's'}` })
      state = { ...state, running: { id: next.id, kind: next.kind, podNames, restartedPodNames: [] } }
      continue
    }
    const remaining = running.podNames.filter((name) => !running.restartedPodNames.includes(name) && existing.includes(name))
    if (remaining.length > 0 || !context.podsSettled || !context.databaseSettled) return { state, remaining, events }
    events.push({ type: 'Normal', reason: 'OperationCompleted', message: `operation ${running.id} (${running.kind}) restarted ${running.restartedPodNames.length} pod${running.restartedPodNames.length === 1 ? '' : 's'}` })
    state = { completed: [...state.completed, running.id] }
  }
}
