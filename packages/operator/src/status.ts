// The status a plan writes: phase, conditions, per-pod state, operations. Conditions keep their
// lastTransitionTime while their status stays, and messages carry no counters that change from one
// poll to the next, so a cluster that is not changing gets no status writes.
import type { OperationState } from './steps/operations.ts'
import type { Step } from './steps/step.ts'
import type { SpecProblem } from './validate.ts'
import type {
  AeroliteCluster,
  AeroliteClusterStatus,
  ClusterEvent,
  ClusterPhase,
  Condition,
  ConditionStatus,
  ConditionType,
  LastAction,
  Observed,
  PodStatus,
} from './types.ts'

export type Outcome =
  | { kind: 'paused' }
  | { kind: 'refused'; problems: SpecProblem[] }
  /** step undefined: nothing left to do, every pod ready, the cluster settled. */
  | { kind: 'working'; step: Step | undefined }

export interface StatusInput {
  cluster: AeroliteCluster
  observed: Observed
  now: string
  outcome: Outcome
  operations: OperationState
}

export function clusterStatus({ cluster, observed, now, outcome, operations }: StatusInput): { status: AeroliteClusterStatus; events: ClusterEvent[] } {
  const previous = cluster.status
  const generation = cluster.metadata.generation
  const pods: Record<string, PodStatus> = {}
  for (const pod of [...observed.pods].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const nodeId = observed.nodes[pod.name]?.nodeId
    pods[pod.name] = {
      rack: pod.rackId,
      image: pod.image,
      configHash: pod.configHash,
      ready: pod.ready,
      ...(nodeId === undefined ? {} : { nodeId }),
      phase: pod.terminating ? 'Terminating' : pod.phase,
    }
  }
  const running = observed.pods.filter((pod) => !pod.terminating)
  const size = running.length
  const readyPods = running.filter((pod) => pod.ready).length
  const converged = outcome.kind === 'working' && outcome.step === undefined

  const condition = (type: ConditionType, status: ConditionStatus, reason: string, message: string): Condition => {
    const before = previous?.conditions.find((candidate) => candidate.type === type)
    const lastTransitionTime = before !== undefined && before.status === status ? before.lastTransitionTime : now
    return { type, status, reason, message, lastTransitionTime, observedGeneration: generation }
  }
  const available = readyPods > 0
    ? condition('Available', 'True', 'PodsReady', `${readyPods} of ${size} pods ready`)
    : condition('Available', 'False', 'NoPodReady', size === 0 ? 'no pod yet' : `none of ${size} pods ready`)
  let progressing: Condition
  let degraded: Condition
  const previousDegraded = previous?.conditions.find((candidate) => candidate.type === 'Degraded')
  switch (outcome.kind) {
    case 'paused':
      progressing = condition('Progressing', 'False', 'Paused', 'spec.paused is true: the operator only reports status')
      degraded = previousDegraded ?? condition('Degraded', 'False', 'AsExpected', '')
      break
    case 'refused': {
      const [first] = outcome.problems
      progressing = condition('Progressing', 'False', 'Refused', 'the spec cannot be applied; see the Degraded condition')
      degraded = condition('Degraded', 'True', first!.reason, outcome.problems.map((problem) => problem.message).join('; '))
      break
    }
    case 'working':
      progressing = outcome.step === undefined
        ? condition('Progressing', 'False', 'Reconciled', `the cluster runs generation ${generation} of the spec`)
        : condition('Progressing', 'True', outcome.step.reason, outcome.step.message)
      degraded = condition('Degraded', 'False', 'AsExpected', '')
  }

  const phase: ClusterPhase = outcome.kind === 'paused' ? 'Paused' : outcome.kind === 'refused' ? 'Error' : converged ? 'Completed' : readyPods === 0 ? 'Pending' : 'InProgress'
  const observedGeneration = converged ? generation : previous?.observedGeneration
  const step = outcome.kind === 'working' ? outcome.step : undefined
  const done = step?.actions.find((action) => action.kind !== 'waitForMigrations')
  const lastAction: LastAction | undefined = step !== undefined && done !== undefined ? { kind: done.kind, message: step.message, time: now } : previous?.lastAction

  const status: AeroliteClusterStatus = {
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
    phase,
    conditions: [available, progressing, degraded],
    size,
    readyPods,
    pods,
    completedOperations: operations.completed,
    ...(operations.running === undefined ? {} : { runningOperation: operations.running }),
    migrating: observed.migrationsRemaining > 0,
    ...(lastAction === undefined ? {} : { lastAction }),
  }
  // A refusal is reported once, when it starts or changes, not on every reconcile.
  const events: ClusterEvent[] = degraded.status === 'True' && (previousDegraded?.status !== 'True' || previousDegraded.message !== degraded.message)
    ? [{ type: 'Warning', reason: degraded.reason, message: degraded.message }]
    : []
  return { status, events }
}
