// What one step of the planner returns: the actions to take now, or a reason to wait.
import type { Action, ClusterEvent } from '../types.ts'

export interface Step {
  /** The Progressing condition's reason: what the cluster is going through. */
  reason: string
  message: string
  /** Empty while waiting on Kubernetes (a pod starting): its watch events bring the next plan. */
  actions: Action[]
  events: ClusterEvent[]
}

/** A step with one Normal event that says what it does. */
export function doing(reason: string, message: string, actions: Action[]): Step {
  return { reason, message, actions, events: [{ type: 'Normal', reason, message }] }
}

/** A step that only waits; no event, since nothing changes. */
export function waiting(reason: string, message: string, actions: Action[] = []): Step {
  return { reason, message, actions, events: [] }
}
