// One simulated run: start the cluster, let the clients work while the schedule's faults come and
// go, heal everything, wait for the cluster to settle (a bound of simulated time: liveness), then
// check the history and the copies. Everything runs on the one manual scheduler, so the same seed
// and schedule give the same events, and the same event log hash.
import { performance } from 'node:perf_hooks'
import { PARTITION_COUNT, partitionId } from '@aerolite/protocol'
import { leaseTtlSeconds, type PlantName } from '@aerolite/server'
import { computePartitionTable, loadCodecs } from '@aerolite/server/simulation'
import { checkKeys, describe, type Finding, type StoreOutage } from './checker.ts'
import { copyDifferences, recordState, type RecordState } from './copies.ts'
import { DISK_FAULTS, describeFault, type Fault, type Schedule } from './schedule.ts'
import { SimClient } from './sim-client.ts'
import { SERVICE_PORT, SIM_HEARTBEAT, SIM_NAMESPACE, SimCluster } from './sim-cluster.ts'
import { DEFAULT_WORKLOAD, Workload, workloadKeys, type WorkloadOptions } from './workload.ts'

/**
 * Why a run may lose acknowledged writes: then losses are counted, not violations.
 *   - network-partition: AP under a partition, by design (as Aerospike AP);
 *   - copies-at-risk: a node lost (crashed, paused, or cut off from the store) before migrations
 *     restored the copies of an earlier loss.
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
/** A node whose disk fault kept it from starting is started again this much later, this many times at most. */
const RESTART_RETRY_MS = 1000
const RESTART_ATTEMPTS = 10
/** Faults that take a node out of the view: a second one before migrations restored the copies puts them at risk. */
const NODE_LOSSES: ReadonlySet<Fault['kind']> = new Set(['crash', 'torn-crash', 'pause', 'store-cut'])

export async function runSchedule(seed: number, schedule: Schedule, options: RunOptions = {}): Promise<RunResult> {
  await (warmedUp ??= warmUp())
  const startedAt = performance.now()
  const cluster = new SimCluster({ seed, nodes: schedule.nodes, replicationFactor: schedule.replicationFactor, plants: options.plants, skews: schedule.skews })
  const { env } = cluster
  const violations: Finding[] = []
  const losses: Finding[] = []
  const tags = new Set<RunTag>()
  const outages: StoreOutage[] = []
  const paused = new Set<number>()
  /** Per node, the faults taking it out of the view that have begun and not yet ended. */
  const lostNodes = new Map<number, number>()
  const diskFaults: Array<{ node: number; fromMs: number }> = []
  /** Store outages in effect, for all (key -1) or per node (they may overlap: the link is back when the last one ends). */
  const storeOutages = new Map<number, number>()

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
    // A node cut off from the store leaves the view as surely as a crashed or paused one.
    // ... and one whose lease has not run out yet is as good as gone: a loss overlapping another is one too many.
    if (NODE_LOSSES.has(fault.kind) && 'node' in fault) {
      const otherNodeLost = [...lostNodes].some(([node, count]) => node !== fault.node && count > 0)
      if (!isStable(cluster, paused) || otherNodeLost) tags.add('copies-at-risk')
      lostNodes.set(fault.node, (lostNodes.get(fault.node) ?? 0) + 1)
    }
    if (DISK_FAULTS.has(fault.kind) && 'node' in fault) diskFaults.push({ node: fault.node, fromMs: env.clock.monotonicMs() })
    switch (fault.kind) {
      case 'crash': return cluster.crash(fault.node)
      case 'torn-crash': return cluster.crash(fault.node, { torn: true })
      case 'disk-full': return cluster.slots[fault.node]!.disk.failWith('ENOSPC')
      case 'sync-fail': return cluster.slots[fault.node]!.disk.failNextSync('EIO')
      case 'pause': paused.add(fault.node); return cluster.pause(fault.node)
      case 'partition': return cluster.partition(fault.side, fault.oneWay)
      case 'slow-node': return cluster.slowNode(fault.node, fault.extraMs)
      case 'store-down':
        if (overlaps(storeOutages, -1, +1)) return
        outages.push({ fromMs: env.clock.monotonicMs(), toMs: Infinity })
        return cluster.store.setAvailable(false)
      case 'store-cut':
        if (overlaps(storeOutages, fault.node, +1)) return
        outages.push({ fromMs: env.clock.monotonicMs(), toMs: Infinity, ...masteredBy(cluster, fault.node) })
        return cluster.cutFromStore(fault.node, true)
    }
  }
  const end = (fault: Fault): void => {
    cluster.log.add(`heal: ${describeFault(fault)}`)
    if (NODE_LOSSES.has(fault.kind) && 'node' in fault) lostNodes.set(fault.node, lostNodes.get(fault.node)! - 1)
    switch (fault.kind) {
      // Overlapping crashes of one node are one crash: the first restart brings it back.
      case 'crash':
      case 'torn-crash':
        if (cluster.slots[fault.node]!.node !== undefined) return
        return restart(fault.node, RESTART_ATTEMPTS)
      case 'pause': paused.delete(fault.node); return cluster.resume(fault.node)
      case 'partition': return cluster.healPartition(fault.side, fault.oneWay)
      case 'slow-node': return cluster.slowNode(fault.node, undefined)
      case 'disk-full': return cluster.slots[fault.node]!.disk.failWith(undefined)
      case 'sync-fail': return
      case 'store-cut':
        if (overlaps(storeOutages, fault.node, -1)) return
        closeOutage(outages, cluster.slots[fault.node]!.host, env.clock.monotonicMs())
        return cluster.cutFromStore(fault.node, false)
      case 'store-down':
        if (overlaps(storeOutages, -1, -1)) return
        closeOutage(outages, undefined, env.clock.monotonicMs())
        return cluster.store.setAvailable(true)
    }
  }
  // A node that cannot start because of the disk fault given to it is started again a second later,
  // as a supervisor would; any other failure to start is a violation.
  const restart = (node: number, attemptsLeft: number): void => {
    cluster.start(node).catch((err: unknown) => {
      const diskFault = diskFaults.some((fault) => fault.node === node)
      if (!diskFault || attemptsLeft <= 1) {
        violations.push({ kind: 'process-error', detail: `node ${node} did not restart: ${String(err)}` })
        return
      }
      cluster.log.add(`node ${node} did not start (${String(err)}): starting it again`)
      cluster.crash(node)
      env.scheduler.after(RESTART_RETRY_MS, () => restart(node, attemptsLeft - 1))
    })
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
      diskFaults: diskFaults.map(({ node, fromMs }) => ({ host: cluster.slots[node]!.host, fromMs })),
    })
    for (const finding of findings) (tags.size > 0 && LOSS_KINDS.has(finding.kind) ? losses : violations).push(finding)
  }
  // A node that logs an error about the disk fault injected into it is right to.
  for (const error of cluster.processErrors) {
    if (!diskFaults.some((fault) => fault.node === error.node && error.atMs >= fault.fromMs)) violations.push({ kind: 'process-error', detail: `node ${error.node} at ${error.atMs.toFixed(1)} ms: ${error.text}` })
  }
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

/** The node's host and the partitions it masters now: while cut off from the store, it may go on
 * believing it masters them, and must stop acknowledging their writes at its lease deadline. */
function masteredBy(cluster: SimCluster, index: number): { host: string; pids: ReadonlySet<number> } {
  const slot = cluster.slots[index]!
  const member = slot.node?.cluster
  const plan = member?.planOf(SIM_NAMESPACE)
  const pids = new Set<number>()
  if (member !== undefined && plan !== undefined) for (let pid = 0; pid < PARTITION_COUNT; pid++) if (plan.master(pid) === member.memberIndex) pids.add(pid)
  return { host: slot.host, pids }
}

/** Counts an outage beginning (+1) or ending (-1): whether another one of the same key is (still) in effect. */
function overlaps(inEffect: Map<number, number>, key: number, step: 1 | -1): boolean {
  const before = inEffect.get(key) ?? 0
  inEffect.set(key, before + step)
  return step > 0 ? before > 0 : before > 1
}

function closeOutage(outages: StoreOutage[], host: string | undefined, atMs: number): void {
  const open = outages.find((outage) => outage.host === host && outage.toMs === Infinity)
  if (open !== undefined) open.toMs = atMs
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
