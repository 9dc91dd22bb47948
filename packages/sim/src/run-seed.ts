// One simulated run: start the cluster, let the clients work while the schedule's faults come and
// go, heal everything, wait for the cluster to settle (a bound of simulated time: liveness), then
// check the history and the copies. Everything runs on the one manual scheduler, so the same seed
// and schedule give the same events, and the same event log hash.
import { performance } from 'node:perf_hooks'
import { partitionId } from '@aerolite/protocol'
import { leaseTtlSeconds, type PlantName } from '@aerolite/server'
import { computePartitionTable, loadCodecs } from '@aerolite/server/simulation'
import { checkKeys, describe, type Finding } from './checker.ts'
import { copyDifferences, recordState, type RecordState } from './copies.ts'
import { FaultInjector, type RunTag } from './fault-injector.ts'
import type { Schedule } from './schedule.ts'
import { SimClient } from './sim-client.ts'
import { SERVICE_PORT, SIM_HEARTBEAT, SIM_NAMESPACE, SimCluster } from './sim-cluster.ts'
import { DEFAULT_WORKLOAD, Workload, workloadKeys, type WorkloadOptions } from './workload.ts'


export type { RunTag } from './fault-injector.ts'

export interface RunResult {
  seed: number
  schedule: Schedule
  violations: Finding[]
  /** Durability findings of a tagged run (AP behaviour under partitions or double failures). */
  losses: Finding[]
  tags: RunTag[]
  /** Errors nodes logged about the disk faults injected into them (right to, so not violations). */
  diskFaultErrors: string[]
  eventLogHash: string
  operations: number
  /** Rows of batch writes that were acknowledged. */
  batchWritesAcknowledged: number
  simulatedMs: number
  realMs: number
  lastEvents: readonly string[]
}

export interface RunOptions {
  plants?: ReadonlySet<PlantName>
  workload?: WorkloadOptions
}

/** How long the cluster may take to settle once faults stop (simulated time). */
const SETTLE_BOUND_MS = 60_000
const FORM_BOUND_MS = 30_000
const STEP_MS = 10
const LOSS_KINDS: ReadonlySet<Finding['kind']> = new Set(['lost-write', 'zombie'])

export async function runSchedule(seed: number, schedule: Schedule, options: RunOptions = {}): Promise<RunResult> {
  await (warmedUp ??= warmUp())
  const startedAt = performance.now()
  const cluster = new SimCluster({ seed, nodes: schedule.nodes, replicationFactor: schedule.replicationFactor, commitToDevice: schedule.commitToDevice, plants: options.plants, skews: schedule.skews })
  const { env } = cluster
  const violations: Finding[] = []
  const losses: Finding[] = []

  await drive(cluster, Promise.all(cluster.slots.map((slot) => cluster.start(slot.index))), FORM_BOUND_MS, 'the cluster did not start')
  await drive(cluster, until(cluster, () => cluster.isStable()), FORM_BOUND_MS, 'the cluster did not form')

  const workloadOptions = options.workload ?? DEFAULT_WORKLOAD
  const clients = Array.from({ length: workloadOptions.clients }, (_, i) => new SimClient(
    { ...env, network: cluster.clientNetwork(i) },
    cluster.slots.map((slot) => ({ host: slot.host, port: SERVICE_PORT })),
  ))
  await drive(cluster, Promise.all(clients.map((client) => client.start())), FORM_BOUND_MS, 'the clients did not connect')
  const workload = new Workload(env, clients, workloadOptions, seed)
  const t0 = env.clock.monotonicMs()

  const faults = new FaultInjector(cluster, (violation) => violations.push(violation), { commitToDevice: schedule.commitToDevice })
  faults.schedule(schedule.faults)

  await drive(cluster, workload.run(schedule.workloadMs), schedule.workloadMs + 10_000, 'the workload did not finish')
  for (const op of workload.history.ops) cluster.log.add(`op ${describe(op)}`)
  const settled = await drive(cluster, until(cluster, () => cluster.isStable()), SETTLE_BOUND_MS, '').then(() => true, () => false)
  if (!settled) violations.push({ kind: 'not-stable', detail: `the cluster did not settle within ${SETTLE_BOUND_MS} ms of simulated time after the faults stopped: ${cluster.unsettled()}` })
  for (const client of clients) client.close()

  const nodes = cluster.up.map((slot) => slot.node!)
  if (settled) {
    for (const difference of copyDifferences(nodes, schedule.replicationFactor)) violations.push({ kind: 'copies-differ', detail: difference })
    const ttlMs = leaseTtlSeconds(SIM_HEARTBEAT) * 1000
    const findings = checkKeys({
      keys: workloadKeys(workloadOptions),
      history: workload.history,
      finalState: finalStates(cluster, schedule.replicationFactor, workloadOptions),
      outages: faults.outages,
      fenceBoundMs: ttlMs + maxDeliveryDelayMs(schedule),
      diskFaults: faults.diskFaults.map(({ node, fromMs }) => ({ host: cluster.slots[node]!.host, fromMs })),
    })
    for (const finding of findings) (faults.tags.size > 0 && LOSS_KINDS.has(finding.kind) ? losses : violations).push(finding)
  }
  // A node that logs an error about the disk fault injected into it is right to.
  const diskFaultErrors: string[] = []
  for (const error of cluster.processErrors) {
    const detail = `node ${error.node} at ${error.atMs.toFixed(1)} ms: ${error.text}`
    if (faults.diskFaults.some((fault) => fault.node === error.node && error.atMs >= fault.fromMs)) diskFaultErrors.push(detail)
    else violations.push({ kind: 'process-error', detail })
  }
  cluster.log.add(`end: ${violations.length} violations, ${losses.length} losses`)
  return {
    seed, schedule, violations, losses, tags: [...faults.tags], diskFaultErrors, eventLogHash: cluster.log.digest(), operations: workload.history.ops.length,
    batchWritesAcknowledged: workload.history.ops.filter((op) => op.batch === true && op.verdict === 'ok').length,
    simulatedMs: env.clock.monotonicMs() - t0, realMs: performance.now() - startedAt, lastEvents: cluster.log.lastLines(),
  }
}

let warmedUp: Promise<void> | undefined

/**
 * Starts a throwaway one-node cluster once per process. A node's first start loads the compression
 * codecs (WebAssembly, compiled in real time off the event loop) while drive() keeps moving
 * simulated time: the first run of a process would otherwise differ from the same seed run later
 * in a process (another event log, maybe another outcome), and a replay would not match its batch.
 */
async function warmUp(): Promise<void> {
  // Awaited in real time: driving simulated time meanwhile would bound it by event-loop turns.
  await loadCodecs()
  const cluster = new SimCluster({ seed: 0, nodes: 1, replicationFactor: 1 })
  await drive(cluster, cluster.start(0), FORM_BOUND_MS, 'the warm-up node did not start')
  cluster.crash(0)
}

/** The record each key holds on its partition's master in the settled view. */
function finalStates(cluster: SimCluster, replicationFactor: number, workload: WorkloadOptions): Map<string, RecordState | undefined> {
  const nodes = cluster.up.map((slot) => slot.node!)
  const view = nodes[0]!.cluster!.currentView()!
  const table = computePartitionTable(view, SIM_NAMESPACE, replicationFactor)
  const byId = new Map(nodes.map((node) => [node.nodeId, node]))
  const states = new Map<string, RecordState | undefined>()
  for (const key of workloadKeys(workload)) {
    const pid = partitionId(key.digest)
    const master = byId.get(table.members[table.master(pid)]!.nodeId)!
    states.set(key.key, recordState(master, key.digest))
  }
  return states
}

/** The longest a message can take one way in this schedule: the base latency plus any slow-node delay. */
function maxDeliveryDelayMs(schedule: Schedule): number {
  return 2 + Math.max(0, ...schedule.faults.map((fault) => (fault.kind === 'slow-node' ? fault.extraMs : 0)))
}

function until(cluster: SimCluster, check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = cluster.env.scheduler.every(STEP_MS, () => {
      if (!check()) return
      timer.cancel()
      resolve()
    })
  })
}

/** Moves simulated time until `work` settles, at most `limitMs` of it. */
async function drive<T>(cluster: SimCluster, work: Promise<T>, limitMs: number, what: string): Promise<T> {
  let done = false
  let value: T | undefined
  let failure: unknown
  work.then((v) => { done = true; value = v }, (err: unknown) => { done = true; failure = err ?? new Error('rejected') })
  for (let elapsed = 0; !done; elapsed += STEP_MS) {
    if (elapsed > limitMs) throw new Error(`${what} within ${limitMs} ms of simulated time`)
    await cluster.env.scheduler.advance(STEP_MS)
  }
  if (failure !== undefined) throw failure
  return value as T
}
