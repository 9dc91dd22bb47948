// Waiting for the cluster to come to rest: the pods (whose watch events bring the next plan) or the
// database (which the controller polls: waitForMigrations).
import type { PlanContext } from '../plan-context.ts'
import { waiting, type Step } from './step.ts'

export function waitToSettle(context: PlanContext, reason: string, purpose: string): Step {
  if (!context.podsSettled) return waiting(reason, `${purpose}: waiting for every pod to be ready`)
  const { migrationsRemaining, clusterStable } = context.observed
  // No count in the message: it would change the status on every poll.
  const what = migrationsRemaining > 0 ? 'migrations to finish' : 'the cluster to be stable'
  return waiting(reason, `${purpose}: waiting for ${what}`, [{ kind: 'waitForMigrations', migrationsRemaining, clusterStable }])
}

/** Nothing left to change: the cluster is done once every pod is ready and the database settled. */
export function settleStep(context: PlanContext): Step | undefined {
  if (context.podsSettled && context.databaseSettled) return undefined
  return waitToSettle(context, 'Settling', 'the spec is applied')
}
