// One simulated run: start the cluster, let the clients work while the schedule's faults come and
// go, heal everything, wait for the cluster to settle (a bound of simulated time: liveness), then
// check the history and the copies. Everything runs on the one manual scheduler, so the same seed
// and schedule give the same events, and the same event log hash.
import { performance } from 'node:perf_hooks'
import { partitionId } from '@aerolite/protocol'
import { leaseTtlSeconds, type PlantName } from '@aerolite/server'
import { computePartitionTable } from '@aerolite/server/simulation'
import { checkKeys, describe, type Finding, type StoreOutage } from './checker.ts'
import { copyDifferences, recordState, type RecordState } from './copies.ts'
import { describeFault, type Fault, type Schedule } from './schedule.ts'
import { SimClient } from './sim-client.ts'
import { SERVICE_PORT, SIM_HEARTBEAT, SIM_NAMESPACE, SimCluster } from './sim-cluster.ts'
import { DEFAULT_WORKLOAD, Workload, workloadKeys, type WorkloadOptions } from './workload.ts'

/**
 * Why a run may lose acknowledged writes: then losses are counted, not violations.
 *   - network-partition: AP under a partition, by design (as Aerospike AP);
 *   - copies-at-risk: a node lost before migrations restored the copies of an earlier loss.
 * A store outage is no excuse: every lease may expire, but no acknowledged write may be lost.
 */
export type RunTag = 'network-partition' | 'copies-at-risk'

export interface RunResult {
  seed: number
  schedule: Schedule
  violations: Finding[]
  /** Durability findings of a tagged run (AP behaviour under partitions or double failures). */
  losses: Finding[]
  tags: RunTag[]
  eventLogHash: string
  operations: number
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
  const cluster = new SimCluster({ seed, nodes: schedule.nodes, replicationFactor: schedule.replicationFactor, plants: options.plants })
  const { env } = cluster
  const violations: Finding[] = []
  const losses: Finding[] = []
  const tags = new Set<RunTag>()
  const outages: StoreOutage[] = []
  const paused = new Set<number>()
  /** Store outages in effect (they may overlap: the store is back when the last one ends). */
  let storeDowns = 0

  await drive(cluster, Promise.all(cluster.slots.map((slot) => cluster.start(slot.index))), FORM_BOUND_MS, 'the cluster did not start')
  await drive(cluster, until(cluster, () => isStable(cluster, paused)), FORM_BOUND_MS, 'the cluster did not form')

  const workloadOptions = options.workload ?? DEFAULT_WORKLOAD
  const clients = Array.from({ length: workloadOptions.clients }, (_, i) => new SimClient(
    { ...env, network: cluster.clientNetwork(i) },
    cluster.slots.map((slot) => ({ host: slot.host, port: SERVICE_PORT })),
  ))
  await drive(cluster, Promise.all(clients.map((client) => client.start())), FORM_BOUND_MS, 'the clients did not connect')
  const workload = new Workload(env, clients, workloadOptions, seed)
  const t0 = env.clock.monotonicMs()

  const begin = (fault: Fault): void => {
    cluster.log.add(`fault: ${describeFault(fault)}`)
    if (fault.kind === 'partition') tags.add('network-partition')
    if ((fault.kind === 'crash' || fault.kind === 'pause') && !isStable(cluster, paused)) tags.add('copies-at-risk')
    switch (fault.kind) {
      case 'crash': return cluster.crash(fault.node)
      case 'pause': paused.add(fault.node); return cluster.pause(fault.node)
      case 'partition': return cluster.partition(fault.side, fault.oneWay)
      case 'slow-node': return cluster.slowNode(fault.node, fault.extraMs)
      case 'store-down':
        if (storeDowns++ > 0) return
        outages.push({ fromMs: env.clock.monotonicMs(), toMs: Infinity })
        return cluster.store.setAvailable(false)
    }
  }
  const end = (fault: Fault): void => {
    cluster.log.add(`heal: ${describeFault(fault)}`)
    switch (fault.kind) {
      // Overlapping crashes of one node are one crash: the first restart brings it back.
      case 'crash': if (cluster.slots[fault.node]!.node !== undefined) return
        return void cluster.start(fault.node).catch((err: unknown) => violations.push({ kind: 'process-error', detail: `node ${fault.node} did not restart: ${String(err)}` }))
      case 'pause': paused.delete(fault.node); return cluster.resume(fault.node)
      case 'partition': return cluster.healPartition(fault.side, fault.oneWay)
      case 'slow-node': return cluster.slowNode(fault.node, undefined)
      case 'store-down':
        if (--storeDowns > 0) return
        outages.at(-1)!.toMs = env.clock.monotonicMs()
        return cluster.store.setAvailable(true)
    }
  }
  for (const fault of schedule.faults) {
    env.scheduler.after(fault.atMs, () => begin(fault))
    env.scheduler.after(fault.atMs + fault.forMs, () => end(fault))
  }

  await drive(cluster, workload.run(schedule.workloadMs), schedule.workloadMs + 10_000, 'the workload did not finish')
  for (const op of workload.history.ops) cluster.log.add(`op ${describe(op)}`)
  const settled = await drive(cluster, until(cluster, () => isStable(cluster, paused)), SETTLE_BOUND_MS, '').then(() => true, () => false)
  if (!settled) violations.push({ kind: 'not-stable', detail: `the cluster did not settle within ${SETTLE_BOUND_MS} ms of simulated time after the faults stopped: ${unsettled(cluster)}` })
  for (const client of clients) client.close()

  const nodes = cluster.up.map((slot) => slot.node!)
  if (settled) {
    for (const difference of copyDifferences(nodes, schedule.replicationFactor)) violations.push({ kind: 'copies-differ', detail: difference })
    const ttlMs = leaseTtlSeconds(SIM_HEARTBEAT) * 1000
    const findings = checkKeys({
      keys: workloadKeys(workloadOptions),
      history: workload.history,
      finalState: finalStates(cluster, schedule.replicationFactor, workloadOptions),
      outages,
      fenceBoundMs: ttlMs + maxDeliveryDelayMs(schedule),
    })
    for (const finding of findings) (tags.size > 0 && LOSS_KINDS.has(finding.kind) ? losses : violations).push(finding)
  }
  for (const error of cluster.processErrors) violations.push({ kind: 'process-error', detail: error })
  cluster.log.add(`end: ${violations.length} violations, ${losses.length} losses`)
  return {
    seed, schedule, violations, losses, tags: [...tags], eventLogHash: cluster.log.digest(), operations: workload.history.ops.length,
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

/** Every node runs, none is paused, all agree on one view of every node, and every partition is settled. */
function isStable(cluster: SimCluster, paused: ReadonlySet<number>): boolean {
  if (paused.size > 0 || cluster.up.length !== cluster.slots.length) return false
  let revision: number | undefined
  for (const slot of cluster.slots) {
    const member = slot.node!.cluster
    const view = member?.currentView()
    if (member === undefined || view === undefined || view.members.length !== cluster.slots.length) return false
    if (revision !== undefined && view.revision !== revision) return false
    revision = view.revision
    if (!member.acknowledgesWrites || !member.isSettled()) return false
  }
  return true
}

/** What each node says of its state, for a run that did not settle. */
function unsettled(cluster: SimCluster): string {
  return cluster.slots.map((slot) => {
    const member = slot.node?.cluster
    if (member === undefined) return `node ${slot.index} down`
    const view = member.currentView()
    return `node ${slot.index}: view ${view?.revision} of ${view?.members.length}, ${member.acknowledgesWrites ? 'holds' : 'lacks'} its lease, ${member.isSettled() ? 'settled' : `unsettled (${member.migrationsRemaining()} migrations left)`}`
  }).join('; ')
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
