// Makes a schedule's faults happen on a simulated cluster, each at its moment and healed after its
// duration, and keeps what the checker needs to know of them: store outages (for fencing), disk
// faults (whose errors are the right answer), and the tags of runs that may lose writes by design.
import { PARTITION_COUNT } from '@aerolite/protocol'
import type { Finding, StoreOutage } from './checker.ts'
import { DISK_FAULTS, describeFault, type Fault } from './schedule.ts'
import { SIM_NAMESPACE, type SimCluster } from './sim-cluster.ts'

/**
 * Why a run may lose acknowledged writes: then losses are counted, not violations.
 *   - network-partition: AP under a partition, by design (as Aerospike AP);
 *   - copies-at-risk: a node lost (crashed, paused, or cut off from the store) before migrations
 *     restored the copies of an earlier loss, or while another node's loss is in effect. With
 *     commit-to-device, crashes alone never put copies at risk: every acknowledged write is on disk.
 * A store outage is no excuse: every lease may expire, but no acknowledged write may be lost.
 */
export type RunTag = 'network-partition' | 'copies-at-risk'

/** A node whose disk fault kept it from starting is started again this much later, this many times at most. */
const RESTART_RETRY_MS = 1000
const RESTART_ATTEMPTS = 10
/** Faults that take a node out of the view. */
const NODE_LOSSES: ReadonlySet<Fault['kind']> = new Set(['crash', 'kill', 'torn-crash', 'corrupt-block', 'restart', 'pause', 'store-cut'])
/** Crashes of the process, which commit-to-device outlives (a bad block is damage, not a crash). */
const CRASHES: ReadonlySet<Fault['kind']> = new Set(['crash', 'kill', 'torn-crash', 'restart'])
/** The key of the store outage for every node, among the per-node ones. */
const EVERYONE = -1

export class FaultInjector {
  readonly tags = new Set<RunTag>()
  readonly outages: StoreOutage[] = []
  readonly diskFaults: Array<{ node: number; fromMs: number }> = []
  private readonly cluster: SimCluster
  private readonly violation: (finding: Finding) => void
  /** Per node, the faults taking it out of the view that have begun and not yet ended. */
  private readonly lostNodes = new Map<number, number>()
  /** Of those, the losses that are not crashes excused by commit-to-device, per node. */
  private readonly riskyLosses = new Map<number, number>()
  private readonly commitToDevice: boolean
  /** Store outages in effect, for all (EVERYONE) or per node: they may overlap, and end with the last one. */
  private readonly storeOutages = new Map<number, number>()
  /** Per node, its clean stop in progress (a restart waits for it). */
  private readonly stopping = new Map<number, Promise<void>>()

  constructor(cluster: SimCluster, violation: (finding: Finding) => void, options: { commitToDevice?: boolean } = {}) {
    this.cluster = cluster
    this.commitToDevice = options.commitToDevice ?? false
    this.violation = violation
  }

  /** Times every fault's beginning and end, relative to now. */
  schedule(faults: readonly Fault[]): void {
    const scheduler = this.cluster.env.scheduler
    for (const fault of faults) {
      scheduler.after(fault.atMs, () => this.begin(fault))
      scheduler.after(fault.atMs + fault.forMs, () => this.end(fault))
    }
  }

  /** A crash under commit-to-device: every acknowledged write it held is on its disk. */
  private excused(kind: Fault['kind']): boolean {
    return this.commitToDevice && CRASHES.has(kind)
  }

  private begin(fault: Fault): void {
    const { cluster } = this
    cluster.log.add(`fault: ${describeFault(fault)}`)
    if (fault.kind === 'partition') this.tags.add('network-partition')
    if (NODE_LOSSES.has(fault.kind) && 'node' in fault) {
      // A node cut off from the store, its lease not yet run out, is as good as gone too.
      const otherNodeLost = [...this.lostNodes].some(([node, count]) => node !== fault.node && count > 0)
      const excused = this.excused(fault.kind)
      const otherRiskyLoss = [...this.riskyLosses].some(([node, count]) => node !== fault.node && count > 0)
      if ((!cluster.isStable() || otherNodeLost) && (!excused || otherRiskyLoss)) this.tags.add('copies-at-risk')
      this.lostNodes.set(fault.node, (this.lostNodes.get(fault.node) ?? 0) + 1)
      if (!excused) this.riskyLosses.set(fault.node, (this.riskyLosses.get(fault.node) ?? 0) + 1)
    }
    if (DISK_FAULTS.has(fault.kind) && 'node' in fault) this.diskFaults.push({ node: fault.node, fromMs: this.nowMs() })
    switch (fault.kind) {
      case 'crash': return cluster.crash(fault.node)
      case 'torn-crash': return cluster.crash(fault.node, { torn: true })
      case 'kill': return cluster.crash(fault.node, { processOnly: true })
      case 'corrupt-block':
        // kill -9, so the file keeps the blocks written without a sync (a power cut would lose them all).
        cluster.crash(fault.node, { processOnly: true })
        return cluster.corruptBlock(fault.node, fault.nth, fault.offset, fault.lengthBytes)
      case 'restart': {
        const stopped = cluster.stop(fault.node).catch((err: unknown) => this.violation({ kind: 'process-error', detail: `node ${fault.node} did not stop cleanly: ${String(err)}` }))
        this.stopping.set(fault.node, stopped)
        return
      }
      case 'disk-slow': return cluster.slots[fault.node]!.disk.setLatency(fault.extraMs)
      case 'clock-step': return cluster.stepClock(fault.node, fault.stepMs)
      case 'disk-full': return cluster.slots[fault.node]!.disk.failWith('ENOSPC')
      case 'sync-fail': return cluster.slots[fault.node]!.disk.failNextSync('EIO')
      case 'pause': return cluster.pause(fault.node)
      case 'partition': return cluster.partition(fault.side, fault.oneWay)
      case 'slow-node': return cluster.slowNode(fault.node, fault.extraMs)
      case 'store-down':
        if (this.overlaps(EVERYONE, +1)) return
        this.outages.push({ fromMs: this.nowMs(), toMs: Infinity })
        return cluster.store.setAvailable(false)
      case 'store-cut':
        if (this.overlaps(fault.node, +1)) return
        this.outages.push({ fromMs: this.nowMs(), toMs: Infinity, ...this.masteredBy(fault.node) })
        return cluster.cutFromStore(fault.node, true)
    }
  }

  private end(fault: Fault): void {
    const { cluster } = this
    cluster.log.add(`heal: ${describeFault(fault)}`)
    if (NODE_LOSSES.has(fault.kind) && 'node' in fault) {
      this.lostNodes.set(fault.node, this.lostNodes.get(fault.node)! - 1)
      if (!this.excused(fault.kind)) this.riskyLosses.set(fault.node, this.riskyLosses.get(fault.node)! - 1)
    }
    switch (fault.kind) {
      // Overlapping crashes of one node are one crash: the first restart brings it back.
      case 'crash':
      case 'kill':
      case 'torn-crash':
      case 'corrupt-block':
        if (cluster.slots[fault.node]!.node !== undefined) return
        return this.restart(fault.node, RESTART_ATTEMPTS)
      case 'restart': {
        const stopped = this.stopping.get(fault.node)
        this.stopping.delete(fault.node)
        void stopped?.then(() => {
          if (cluster.slots[fault.node]!.node === undefined) this.restart(fault.node, RESTART_ATTEMPTS)
        })
        return
      }
      case 'disk-slow': return cluster.slots[fault.node]!.disk.setLatency(0)
      case 'clock-step': return cluster.stepClock(fault.node, -fault.stepMs)
      case 'pause': return cluster.resume(fault.node)
      case 'partition': return cluster.healPartition(fault.side, fault.oneWay)
      case 'slow-node': return cluster.slowNode(fault.node, undefined)
      case 'disk-full': return cluster.slots[fault.node]!.disk.failWith(undefined)
      case 'sync-fail': return
      case 'store-cut':
        if (this.overlaps(fault.node, -1)) return
        this.closeOutage(cluster.slots[fault.node]!.host)
        return cluster.cutFromStore(fault.node, false)
      case 'store-down':
        if (this.overlaps(EVERYONE, -1)) return
        this.closeOutage(undefined)
        return cluster.store.setAvailable(true)
    }
  }

  /** A node that cannot start because of its own disk fault is started again later, as a supervisor would; any other failure to start is a violation. */
  private restart(node: number, attemptsLeft: number): void {
    const { cluster } = this
    // Another fault's end may have started it meanwhile.
    if (cluster.slots[node]!.node !== undefined) return
    cluster.start(node).catch((err: unknown) => {
      const diskFault = this.diskFaults.some((fault) => fault.node === node)
      if (!diskFault || attemptsLeft <= 1) {
        this.violation({ kind: 'process-error', detail: `node ${node} did not restart: ${String(err)}` })
        return
      }
      cluster.log.add(`node ${node} did not start (${String(err)}): starting it again`)
      cluster.crash(node)
      cluster.env.scheduler.after(RESTART_RETRY_MS, () => this.restart(node, attemptsLeft - 1))
    })
  }

  /**
   * The node's host and the partitions it masters now: while cut off from the store, it may go on
   * believing it masters them, and must stop acknowledging their writes at its lease deadline.
   */
  private masteredBy(index: number): { host: string; pids: ReadonlySet<number> } {
    const slot = this.cluster.slots[index]!
    const member = slot.node?.cluster
    const plan = member?.planOf(SIM_NAMESPACE)
    const pids = new Set<number>()
    if (member !== undefined && plan !== undefined) for (let pid = 0; pid < PARTITION_COUNT; pid++) if (plan.master(pid) === member.memberIndex) pids.add(pid)
    return { host: slot.host, pids }
  }

  /** Counts an outage beginning (+1) or ending (-1): whether another one of the same key is (still) in effect. */
  private overlaps(key: number, step: 1 | -1): boolean {
    const before = this.storeOutages.get(key) ?? 0
    this.storeOutages.set(key, before + step)
    return step > 0 ? before > 0 : before > 1
  }

  private closeOutage(host: string | undefined): void {
    const open = this.outages.find((outage) => outage.host === host && outage.toMs === Infinity)
    if (open !== undefined) open.toMs = this.nowMs()
  }

  private nowMs(): number {
    return this.cluster.env.clock.monotonicMs()
  }
}
