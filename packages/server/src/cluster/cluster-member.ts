// A node's part in the cluster. On every view from the membership it exchanges copy reports with
// the other members, computes the partition plans (the same on every node), then:
//   - routes each single-record command: run here (master, or a full copy for a read), forward to
//     the master (proxy), or wait while the view's plans are computed;
//   - replicates the changes of the partitions it masters to their other owners;
//   - runs the migrations its plan gives it (fills, merges) and tells every member as each finishes,
//     handing mastership back to the natural master once its fill is done;
//   - when its storage refused replica writes (a full or failing disk), counts those copies as not
//     full and, once the storage takes writes again, asks for a new view, whose plan refills them;
//   - when a replica did not confirm one of its changes (its copy turned dirty), likewise asks for
//     a new view once it reaches every other member again: that view's plan repairs the copies.
// A node whose lease deadline passed acknowledges no write (unless keep-serving-without-etcd).
import { PARTITION_COUNT, ResultCode, type Env, type Message, type Timer } from '@aerolite/protocol'
import { ClockSkew } from './clock-skew.ts'
import { headerReply, type CommandReply } from '../commands/reply.ts'
import type { RecordCommandResult } from '../commands/record-result.ts'
import type { RecordRequest } from '../commands/request.ts'
import type { PartitionMastery, PartitionOwnership } from '../commands/partition-mastery.ts'
import type { RecordRouting } from '../commands/routing.ts'
import type { ServiceConfig } from '../config/index.ts'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { ClusterTombstones } from './cluster-tombstones.ts'
import { CopyRepair } from './copy-repair.ts'
import { ViewExchange, decodeCopyReports, encodeCopyReports } from './exchange.ts'
import { MessageType, type FabricLink } from './fabric-link.ts'
import { IncomingMigrations } from './incoming-migrations.ts'
import { LocalCopies } from './local-copies.ts'
import type { Membership } from './membership.ts'
import { INCOMING_FULL, decodePartitionRef, encodePartitionRef, newMigrationCounters, sendPartition, serveMigrations, type MigrationCounters, type PartitionRef } from './migration.ts'
import { OutgoingMigrations } from './outgoing-migrations.ts'
import { NO_PLANTED_FAULTS, type PlantedFaults } from './planted-faults.ts'
import { computePartitionTable } from './partition-table.ts'
import { PartitionPlan, hasBit, newPartitionBits, setBit, type CopyReport } from './partition-plan.ts'
import { newProxyCounters, proxyCommand, serveProxies, type ProxyCounters } from './proxy.ts'
import { Replicator, serveReplicaWrites } from './replication.ts'
import { quiescedMembers, type MemberInfo, type View } from './view.ts'

/** The fabric as the member drives it. */
export interface MemberFabric extends FabricLink {
  setView(view: View): void
}

export interface ClusterMemberOptions {
  env: Env
  log: Logger
  namespaces: ReadonlyMap<string, Namespace>
  membership: Membership
  fabric: MemberFabric
  /** Keep acknowledging writes when the lease cannot be renewed (split-brain risk; off by default). */
  keepServingWithoutLease: boolean
  /** Runs a forwarded command on this node's single-record road. */
  runProxied: (message: Message, hops: number) => Promise<CommandReply>
  /** The service settings, read when used (set-config changes them; then call settingsChanged()). */
  settings: Readonly<Pick<ServiceConfig, 'migrateThreads' | 'migrateMaxNumIncoming' | 'minClusterSize'>>
  /** Deliberate bugs for the simulator's proof that its checker fails; never set by the product. */
  plantedFaults?: PlantedFaults
}

interface NamespacePart {
  namespace: Namespace
  copies: LocalCopies
  tombstones: ClusterTombstones
  plan: PartitionPlan | undefined
}

type PartitionEventKind = 'filled' | 'handover' | 'merged'

interface PartitionEvent {
  ns: string
  pid: number
  kind: PartitionEventKind
  node: string
}

/** A node's share of a namespace's records: Aerospike's master_objects, prole_objects, non_replica_objects. */
export interface ObjectRoles {
  clusterSize: number
  replicationFactor: number
  masterObjects: number
  proleObjects: number
  nonReplicaObjects: number
}

export class ClusterMember implements RecordRouting, PartitionOwnership {
  private readonly env: Env
  private readonly log: Logger
  private readonly membership: Membership
  private readonly fabric: MemberFabric
  private readonly keepServingWithoutLease: boolean
  private readonly settings: ClusterMemberOptions['settings']
  private readonly plantedFaults: PlantedFaults
  private readonly parts = new Map<string, NamespacePart>()
  private self: MemberInfo | undefined
  private view: View | undefined
  private selfIndex = -1
  private stopped = false
  private exchange: ViewExchange | undefined
  private planWaiters: Array<() => void> = []
  /** Resolves join(): the first view's plans are computed, or the view is below min-cluster-size. */
  private joined: (() => void) | undefined
  /** Merges the master waits on: sources left per `${ns}/${pid}`. */
  private readonly merges = new Map<string, Set<string>>()
  /** Fills into this node that have begun in this view (`${ns}/${pid}`): the copy was dropped for them. */
  private readonly fillsStarted = new Set<string>()
  private readonly outgoing: OutgoingMigrations
  private readonly incoming: IncomingMigrations
  /** The node ids of the last view this node formed a cluster in (made plans in); none since it started. */
  private lastMembers: string[] = []
  /** While some partition has no full copy and members of the last cluster are absent: the wait for them (one lease TTL). */
  private absentWait: Timer | undefined
  /** The current view waited for its absent members long enough: it plans with the copies present. */
  private absentWaitOver = false
  private readonly repair: CopyRepair
  /** Partition events of this turn, sent together. */
  private readonly unsentEvents: PartitionEvent[] = []
  /**
   * Partition events of the current view that arrived before its plans were computed (a member
   * that had every report sooner planned, filled and told): applied once the plans are.
   */
  private readonly earlyEvents: PartitionEvent[] = []
  readonly proxyCounters: ProxyCounters = newProxyCounters()
  readonly migrationCounters: MigrationCounters = newMigrationCounters()
  readonly clockSkew: ClockSkew
  /** Changes whenever this node's partition ownership changes (clients fetch the map again). */
  partitionGeneration = 0
  /** Changes whenever the member set changes. */
  peersGeneration = 0
  /** Counts the partition plans this node adopted (one per view that formed a cluster). */
  rebalanceGeneration = 0

  constructor(options: ClusterMemberOptions) {
    this.env = options.env
    this.log = options.log
    this.membership = options.membership
    this.fabric = options.fabric
    this.keepServingWithoutLease = options.keepServingWithoutLease
    this.settings = options.settings
    this.plantedFaults = options.plantedFaults ?? NO_PLANTED_FAULTS
    this.outgoing = new OutgoingMigrations(this.env.scheduler, this.log, () => this.settings.migrateThreads * limits.migrationsPerThread)
    this.incoming = new IncomingMigrations(() => this.settings.migrateMaxNumIncoming)
    this.repair = new CopyRepair({
      scheduler: this.env.scheduler,
      log: this.log,
      parts: () => this.parts.values(),
      republish: () => this.membership.republish(),
      reachesEveryMember: () => this.reachesEveryMember(),
      currentView: () => this.view,
    })
    for (const namespace of options.namespaces.values()) {
      const copies = new LocalCopies(namespace)
      const tombstones = new ClusterTombstones(copies, () => this.parts.get(namespace.name)?.plan)
      namespace.tombstones.cluster = tombstones
      const routes = {
        targetsOf: (pid: number) => this.writeTargets(namespace.name, pid),
        whenPlanned: () => this.whenPlanned(),
        unreplicated: () => this.repair.changeUnreplicated(),
        acknowledgesWrites: () => this.acknowledgesWrites,
      }
      const replicator = new Replicator(copies, tombstones, this.fabric, routes, this.log, this.plantedFaults)
      namespace.listeners.push(replicator)
      namespace.replication = replicator
      namespace.mastersPartition = (pid) => this.parts.get(namespace.name)?.plan?.master(pid) === this.selfIndex
      namespace.shipsFrom = (pid) => {
        const plan = this.parts.get(namespace.name)?.plan
        return plan !== undefined && plan.master(pid) === this.selfIndex && plan.isFull(this.selfIndex, pid) && !plan.isMerging(pid)
      }
      this.parts.set(namespace.name, { namespace, copies, tombstones, plan: undefined })
    }
    const namespaceOf = (name: string): Namespace | undefined => this.parts.get(name)?.namespace
    serveReplicaWrites(this.fabric, namespaceOf, (namespace, pid) => this.repairPart(namespace, pid), this.log)
    serveProxies(this.fabric, options.runProxied, this.log)
    serveMigrations(this.fabric, namespaceOf, (ref, from) => this.acceptsMigration(ref, from), (ref, from) => this.migrationReceived(ref, from), this.migrationCounters, this.log)
    this.fabric.onMessage(MessageType.COPY_REPORT, (from, payload, reply) => this.copyReportReceived(from, payload, reply))
    this.fabric.onMessage(MessageType.PARTITION_EVENT, (from, payload, reply) => this.partitionEventsReceived(from, payload, reply))
    this.fabric.onMessage(MessageType.MIGRATE_PULL, (from, payload, reply) => this.pullReceived(from, payload, reply))
    this.clockSkew = new ClockSkew(this.fabric, this.env, () => (this.view?.members ?? []).filter((m) => m.nodeId !== this.self?.nodeId).map((m) => m.nodeId))
  }

  /** Joins the cluster; resolves once the first view's plans are computed. */
  async join(self: MemberInfo): Promise<void> {
    this.self = self
    this.membership.onView((view) => this.adopt(view))
    // The others went on without this node: none of its copies is full any more.
    this.membership.onLeaseLost(() => {
      for (const part of this.parts.values()) part.copies.left()
    })
    // Registered again: stale copies are replaced, or (every member lost its lease) full ones merged.
    this.membership.onRegisteredAgain((clusterWentOn) => {
      for (const part of this.parts.values()) part.copies.registeredAgain(clusterWentOn)
    })
    // The replicas answer claims mastership only while the lease holds: clients fetch it again.
    this.membership.onLeaseChange(() => {
      this.partitionGeneration++
    })
    this.clockSkew.start()
    const first = await this.membership.join(self)
    // The view may have come through onView already.
    this.adopt(first)
    if (this.hasPlans || this.belowMinClusterSize) return
    await new Promise<void>((resolve) => {
      this.joined = resolve
    })
  }

  /** Applies set-config changes of the service settings: resumes migrations, forms a cluster now big enough. */
  settingsChanged(): void {
    this.incoming.admitWaiting()
    this.planIfComplete()
    this.outgoing.run()
  }

  /** The current view has fewer members than min-cluster-size: this node forms no cluster for it. */
  get belowMinClusterSize(): boolean {
    return this.view !== undefined && this.view.members.length < this.settings.minClusterSize
  }

  get minClusterSize(): number {
    return this.settings.minClusterSize
  }

  currentView(): View | undefined {
    return this.view
  }

  /** Whether this node may acknowledge writes now: its lease holds (or keep-serving-without-etcd). */
  get acknowledgesWrites(): boolean {
    return this.keepServingWithoutLease || this.membership.holdsLease()
  }

  /** Whether every namespace has its plan for the current view. */
  get hasPlans(): boolean {
    return [...this.parts.values()].every((p) => p.plan !== undefined)
  }

  // --- views and the exchange ---------------------------------------------------------------

  private adopt(view: View): void {
    if (this.stopped || (this.view !== undefined && view.revision <= this.view.revision)) return
    const selfId = this.self?.nodeId
    this.view = view
    this.peersGeneration++
    this.partitionGeneration++
    this.merges.clear()
    this.fillsStarted.clear()
    this.outgoing.clear()
    this.incoming.clear()
    this.unsentEvents.length = 0
    this.earlyEvents.length = 0
    this.absentWait?.cancel()
    this.absentWait = undefined
    this.absentWaitOver = false
    for (const part of this.parts.values()) part.plan = undefined
    this.selfIndex = view.members.findIndex((m) => m.nodeId === selfId)
    if (this.selfIndex < 0) {
      // Writes went on without this node: none of its copies is full any more.
      for (const part of this.parts.values()) part.copies.left()
      this.exchange = undefined
      this.fabric.setView(view)
      this.log.warn({ revision: view.revision }, 'this node is not in the cluster view; waiting to be a member again')
      return
    }
    const own = new Map<string, CopyReport>()
    for (const [name, part] of this.parts) own.set(name, part.copies.report())
    // A node that formed no cluster since it started but holds data, or found its files from an
    // earlier run, was in one before (a restart): who else was is unknown, and may still come back.
    // (Files with nothing in them count: a crash keeps only what was synced, maybe nothing, and a
    // node back with no data is still no new cluster's first member.)
    const holdsData = [...own.values()].some((report) => report.hasData.some((byte) => byte !== 0))
    const lastMembers = this.lastMembers.length === 0 && (holdsData || this.restarted()) ? [UNKNOWN_LAST_MEMBER] : this.lastMembers
    // The exchange exists before the fabric delivers reports held for this view.
    this.exchange = new ViewExchange(view, selfId!, own, lastMembers)
    this.fabric.setView(view)
    this.log.info({ revision: view.revision, size: view.members.length }, 'new cluster view')
    if (this.belowMinClusterSize) this.log.warn({ size: view.members.length, minClusterSize: this.settings.minClusterSize }, 'fewer members than min-cluster-size: the cluster is not formed until more join')
    const payload = encodeCopyReports(own, lastMembers)
    for (const member of view.members) if (member.nodeId !== selfId) this.sendUntilConfirmed(view, member.nodeId, MessageType.COPY_REPORT, payload)
    this.planIfComplete()
  }

  /** Some namespace of this node opened files written by an earlier run of it (a restart, not a new node). */
  private restarted(): boolean {
    return [...this.parts.values()].some((part) => part.namespace.restoreReport !== undefined && part.namespace.restoreReport.mode !== 'fresh')
  }

  /** Sends a request until the member confirms it, for as long as the view lasts (a lost one is sent again). */
  private sendUntilConfirmed(view: View, nodeId: string, type: number, payload: Buffer): void {
    this.fabric.request(nodeId, type, payload, limits.confirmTimeoutMs).catch(() => {
      if (this.view === view && !this.stopped) this.env.scheduler.after(limits.confirmRetryMs, () => {
        if (this.view === view && !this.stopped) this.sendUntilConfirmed(view, nodeId, type, payload)
      })
    })
  }

  private copyReportReceived(from: string, payload: Buffer, reply: ((payload: Buffer) => void) | undefined): void {
    try {
      const { reports, lastMembers } = decodeCopyReports(payload)
      this.exchange?.receive(from, reports, lastMembers)
    } catch (err) {
      this.log.warn({ from, err: err instanceof Error ? err.message : String(err) }, 'malformed copy report')
      return
    }
    reply?.(Buffer.alloc(0))
    this.planIfComplete()
  }

  private planIfComplete(): void {
    const exchange = this.exchange
    if (exchange === undefined || this.hasPlans) return
    // min-cluster-size: the reports are still exchanged, so the cluster forms as soon as the setting
    // is lowered; until then commands wait for plans as in any view change (TIMEOUT past the wait).
    if (this.belowMinClusterSize) return this.joined?.()
    if (!exchange.isComplete()) return
    const view = exchange.view
    const empty = (): CopyReport => ({ full: newPartitionBits(), hasData: newPartitionBits(), dirty: newPartitionBits() })
    if (this.waitsForAbsentMembers(exchange, empty)) return
    this.lastMembers = view.members.map((m) => m.nodeId)
    for (const [name, part] of this.parts) {
      const table = computePartitionTable(view, name, part.namespace.config.replicationFactor)
      const reports = exchange.reportsOf(name, empty)
      const plan = new PartitionPlan(table, reports)
      part.plan = plan
      for (let pid = 0; pid < limits.partitions; pid++) {
        setBit(part.copies.full, pid, plan.isFull(this.selfIndex, pid))
        // A dirty master with no other owner has nobody to refill: clean now (otherwise its fills clean it).
        if (plan.master(pid) === this.selfIndex && hasBit(reports[this.selfIndex]!.dirty, pid) && plan.fillTargets(pid).length === 0) part.copies.refilledOthers(pid)
      }
      part.tombstones.sweepAll()
      // The copies this view's report gave as behind are not full in the plan: it fills them.
      part.copies.planned()
      // A copy this node holds of a partition settled from the start (every owner reported full) is
      // dropped now: no fill or handover of it will come in this view to drop it then.
      for (let pid = 0; pid < limits.partitions; pid++) this.dropIfSurplus(name, pid)
    }
    this.partitionGeneration++
    this.rebalanceGeneration++
    this.log.info({ revision: view.revision }, 'partition plans ready')
    this.joined?.()
    for (const wake of this.planWaiters.splice(0)) wake()
    this.startMigrations()
    // As if they arrived now: after the plans' own migrations were queued (a handover to this node queues its fills).
    for (const event of this.earlyEvents.splice(0)) this.applyEvent(event)
    this.outgoing.run()
  }

  /**
   * A partition none of whose present copies is full would be planned from what the present
   * members hold: its natural master counts itself full and takes writes, and a copy that comes
   * back later (a member whose lease was lost along with everyone's, say) is filled over or merged
   * with one version per record. So while a member of some member's last cluster is absent, and
   * some partition has no full copy here, no plan is made, for at most one lease TTL (a member
   * that lost its lease registers again within it): every node decides this from the same reports.
   */
  private waitsForAbsentMembers(exchange: ViewExchange, empty: () => CopyReport): boolean {
    if (this.absentWaitOver) return false
    const absent = exchange.absentLastMembers()
    if (absent.length === 0) return false
    let unfull = 0
    for (const name of this.parts.keys()) {
      const reports = exchange.reportsOf(name, empty)
      for (let pid = 0; pid < limits.partitions; pid++) if (!reports.some((r) => hasBit(r.full, pid))) unfull++
    }
    if (unfull === 0) return false
    if (this.absentWait !== undefined) return true
    const waitMs = this.membership.leaseTtlMs?.() ?? limits.absentMemberWaitMs
    this.log.warn({ revision: exchange.view.revision, absent, partitionsWithoutFullCopy: unfull, waitMs }, 'members of the last cluster are absent and no present copy of some partitions is full: waiting for them before planning')
    this.absentWait = this.env.scheduler.after(waitMs, () => {
      this.absentWait = undefined
      if (this.exchange !== exchange || this.stopped) return
      this.absentWaitOver = true
      this.log.warn({ revision: exchange.view.revision, absent }, 'the absent members of the last cluster did not come back: planning with the copies present')
      this.planIfComplete()
    })
    return true
  }

  // --- routing ------------------------------------------------------------------------------

  route(req: RecordRequest, write: boolean, hops: number, runHere: () => Promise<CommandReply>): RecordCommandResult | undefined {
    const part = this.parts.get(req.namespace.name)
    const plan = part?.plan
    if (part === undefined) return undefined
    if (plan === undefined) return { later: this.afterPlans(runHere) }
    const pid = req.partitionId
    const master = plan.master(pid)
    if (master === this.selfIndex) {
      if (!write) return undefined
      if (!this.acknowledgesWrites) return refuse('this node\'s lease deadline passed: it acknowledges no write until it is renewed')
      if (plan.isMerging(pid)) return refuse(`partition ${pid} is gathering its copies after a view change`)
      return undefined
    }
    // A full copy serves reads (the client's replica policy sent them here); one that missed a
    // replica write does not.
    if (!write && plan.isFull(this.selfIndex, pid) && !part.copies.isBehind(pid)) return undefined
    if (hops >= limits.maxProxyHops) return refuse(`command forwarded ${hops} times without reaching partition ${pid}'s master`)
    const masterId = this.view!.members[master]!.nodeId
    return { later: proxyCommand(this.fabric, masterId, req.message, hops, this.proxyCounters) }
  }

  /** How this node stands to a partition for scans, queries, aggregations and jobs (partition-mastery.ts). */
  partitionMastery(namespace: string, pid: number): PartitionMastery {
    const part = this.parts.get(namespace)
    if (part === undefined) return 'master'
    const plan = part.plan
    if (plan === undefined) return 'unsettled'
    if (plan.master(pid) === this.selfIndex) return plan.isMerging(pid) ? 'unsettled' : 'master'
    return plan.isFull(this.selfIndex, pid) && !part.copies.isBehind(pid) ? 'full-copy' : 'elsewhere'
  }

  /** Runs the command once the view's plans are computed, or answers TIMEOUT past maxWaitForPlanMs. */
  private async afterPlans(runHere: () => Promise<CommandReply>): Promise<CommandReply> {
    if (await this.whenPlanned()) return runHere()
    return { reply: headerReply(ResultCode.TIMEOUT), problem: 'the cluster view\'s partition plans are not ready' }
  }

  /** Resolves true once the current view's plans are computed (at once when they are), false past maxWaitForPlanMs. */
  private whenPlanned(): Promise<boolean> {
    if (this.hasPlans) return Promise.resolve(true)
    return new Promise((resolve) => {
      let done = false
      const timer = this.env.scheduler.after(limits.maxWaitForPlanMs, () => {
        if (done) return
        done = true
        resolve(false)
      })
      this.planWaiters.push(() => {
        if (done) return
        done = true
        timer.cancel()
        resolve(true)
      })
    })
  }

  /** Where the master sends each change of a partition: none unless this node is its master. */
  private writeTargets(ns: string, pid: number): readonly string[] {
    const plan = this.parts.get(ns)?.plan
    if (plan === undefined || plan.master(pid) !== this.selfIndex) return []
    return plan.writeTargets(pid).map((m) => this.view!.members[m]!.nodeId)
  }

  /** The storage refused a replica write of a partition this node owns. */
  private repairPart(namespace: Namespace, pid: number): void {
    const part = this.parts.get(namespace.name)
    if (part !== undefined) this.repair.replicaWriteMissed(part, pid)
  }

  /** Whether every other member of the current view answers a probe (an empty list of partition events). */
  private async reachesEveryMember(): Promise<boolean> {
    const view = this.view
    if (view === undefined) return false
    const probe = Buffer.from('[]')
    const answers = view.members.filter((m) => m.nodeId !== this.self?.nodeId)
      .map((m) => this.fabric.request(m.nodeId, MessageType.PARTITION_EVENT, probe, limits.confirmTimeoutMs).then(() => true, () => false))
    return (await Promise.all(answers)).every(Boolean)
  }

  // --- migrations ---------------------------------------------------------------------------

  private startMigrations(): void {
    for (const [name, part] of this.parts) {
      const plan = part.plan!
      for (let pid = 0; pid < limits.partitions; pid++) {
        if (plan.master(pid) !== this.selfIndex) continue
        if (plan.isMerging(pid)) this.startMerge(name, pid, plan)
        else this.queueFills(name, pid, plan)
      }
    }
    this.outgoing.run()
  }

  private startMerge(ns: string, pid: number, plan: PartitionPlan): void {
    const view = this.view!
    const sources = plan.mergeSources(pid).map((m) => view.members[m]!.nodeId)
    this.merges.set(`${ns}/${pid}`, new Set(sources))
    const ref: PartitionRef = { namespace: ns, pid, kind: 'merge' }
    for (const source of sources) {
      this.fabric.request(source, MessageType.MIGRATE_PULL, encodePartitionRef(ref), limits.migrationRequestTimeoutMs).catch((err: unknown) => {
        if (this.view === view) this.log.warn({ ns, pid, source, err: err instanceof Error ? err.message : String(err) }, 'a merge source did not answer; the next view retries')
      })
    }
  }

  private queueFills(ns: string, pid: number, plan: PartitionPlan): void {
    const view = this.view!
    for (const target of plan.fillTargets(pid)) {
      const to = view.members[target]!.nodeId
      this.outgoing.add({ ns, to, send: async () => {
        const part = this.parts.get(ns)!
        await sendPartition(part.namespace, { namespace: ns, pid, kind: 'fill' }, to, this.fabric, this.env.scheduler, () => this.view === view, this.migrationCounters, this.plantedFaults)
        if (this.view !== view) return
        plan.fillDone(target, pid)
        // The other owners now hold this copy: it is dirty no more. Until then (a view change cut a
        // fill short) it stays dirty, so the next view's plan refills them again.
        if (plan.fillTargets(pid).length === 0) part.copies.refilledOthers(pid)
        this.planChanged(ns, pid)
        this.broadcast({ ns, pid, kind: 'filled', node: to })
        this.handOverIfFilled(ns, pid, plan)
      } })
    }
  }

  /** Once every owner is full, mastership goes back to the natural master. */
  private handOverIfFilled(ns: string, pid: number, plan: PartitionPlan): void {
    if (plan.master(pid) !== this.selfIndex || plan.fillTargets(pid).length > 0) return
    const target = plan.handoverTarget(pid)
    if (target === undefined) return
    // Changes made here so far went to the target before this message (one ordered channel per pair).
    plan.handOver(pid, target)
    this.planChanged(ns, pid)
    this.broadcast({ ns, pid, kind: 'handover', node: this.view!.members[target]!.nodeId })
    this.dropIfSurplus(ns, pid)
  }

  /**
   * OK when this node takes the partition's migration message; otherwise the code the sender gets.
   * A promise of either while the partition waits for an incoming slot.
   */
  private acceptsMigration(ref: PartitionRef, from: string): number | Promise<number> {
    const refusal = this.migrationRefusal(ref, from)
    if (refusal !== undefined) return refusal
    const admitted = this.incoming.admit(ref, from)
    if (admitted === true) return this.migrationAdmitted(ref)
    if (admitted === false) return INCOMING_FULL
    const view = this.view
    return admitted.then((ok) => {
      if (!ok || this.view !== view) return ResultCode.TIMEOUT
      // The plan moved on while it waited (a handover, a fill by another road): check again.
      const now = this.migrationRefusal(ref, from)
      if (now === undefined) return this.migrationAdmitted(ref)
      this.incoming.finish(ref, from)
      return now
    })
  }

  /** Why this node does not take the partition's migration message from `from`, if it does not. */
  private migrationRefusal(ref: PartitionRef, from: string): number | undefined {
    const plan = this.parts.get(ref.namespace)?.plan
    if (plan === undefined) return ResultCode.TIMEOUT
    const key = `${ref.namespace}/${ref.pid}`
    if (ref.kind === 'merge') {
      return plan.master(ref.pid) === this.selfIndex && (this.merges.get(key)?.has(from) ?? false) ? undefined : ResultCode.TIMEOUT
    }
    if (this.view!.members[plan.master(ref.pid)]!.nodeId !== from) return ResultCode.TIMEOUT
    // A fill this node finished is sent again when the master missed the answer to its end: the
    // records resolve against what is here (no drop this time), and the end is answered again.
    const again = this.fillsStarted.has(key) && plan.isFull(this.selfIndex, ref.pid)
    return again || plan.fillTargets(ref.pid).includes(this.selfIndex) ? undefined : ResultCode.TIMEOUT
  }

  private migrationAdmitted(ref: PartitionRef): number {
    const key = `${ref.namespace}/${ref.pid}`
    if (ref.kind === 'fill' && !this.fillsStarted.has(key)) {
      // A fill replaces this copy: what it holds that the master lacks is stale (a delete it missed)
      // or was gathered by the master already (a dirty copy). The walk reads the partition only once
      // the first message (no record) is answered, and sends every record as it is when read, after
      // any change sent here before it, so dropping now loses nothing.
      this.fillsStarted.add(key)
      this.parts.get(ref.namespace)!.namespace.dropPartition(ref.pid)
    }
    return ResultCode.OK
  }

  private migrationReceived(ref: PartitionRef, from: string): void {
    const part = this.parts.get(ref.namespace)!
    const plan = part.plan!
    this.incoming.finish(ref, from)
    if (ref.kind === 'fill') {
      plan.fillDone(this.selfIndex, ref.pid)
      this.planChanged(ref.namespace, ref.pid)
      return
    }
    const key = `${ref.namespace}/${ref.pid}`
    const left = this.merges.get(key)
    left?.delete(from)
    if (left === undefined || left.size > 0) return
    this.merges.delete(key)
    plan.mergeDone(ref.pid)
    this.planChanged(ref.namespace, ref.pid)
    this.broadcast({ ns: ref.namespace, pid: ref.pid, kind: 'merged', node: this.self!.nodeId })
    this.queueFills(ref.namespace, ref.pid, plan)
    this.outgoing.run()
  }

  /** A master gathers this node's dirty copy: send it everything of the partition. */
  private pullReceived(from: string, payload: Buffer, reply: ((payload: Buffer) => void) | undefined): void {
    const view = this.view
    let ref: PartitionRef
    try {
      ref = decodePartitionRef(payload)
    } catch (err) {
      this.log.warn({ from, err: err instanceof Error ? err.message : String(err) }, 'malformed merge request')
      return
    }
    const part = this.parts.get(ref.namespace)
    reply?.(Buffer.from([part === undefined ? ResultCode.NAMESPACE_NOT_FOUND : ResultCode.OK]))
    if (part === undefined || view === undefined) return
    this.outgoing.add({ ns: ref.namespace, to: from, send: async () => {
      // Clean once the master has it all: a merge cut short by a view change leaves the copy dirty,
      // so the next view gathers it again (with its tombstones). Not being master, this node makes
      // no change of the partition meanwhile.
      await sendPartition(part.namespace, ref, from, this.fabric, this.env.scheduler, () => this.view === view, this.migrationCounters)
      setBit(part.copies.dirty, ref.pid, false)
    } })
    this.outgoing.run()
  }

  // --- partition events ---------------------------------------------------------------------

  /** Tells every other member of a partition's change; the events of one turn go together. */
  private broadcast(event: PartitionEvent): void {
    this.unsentEvents.push(event)
    if (this.unsentEvents.length > 1) return
    const view = this.view!
    this.env.scheduler.soon(() => {
      // Events describe this view's plans: a newer view's plans start from the copy reports instead.
      if (this.view !== view) return
      const payload = Buffer.from(JSON.stringify(this.unsentEvents.splice(0)))
      for (const member of view.members) if (member.nodeId !== this.self!.nodeId) this.sendUntilConfirmed(view, member.nodeId, MessageType.PARTITION_EVENT, payload)
    })
  }

  private partitionEventsReceived(from: string, payload: Buffer, reply: ((payload: Buffer) => void) | undefined): void {
    let events: PartitionEvent[]
    try {
      events = JSON.parse(payload.toString()) as PartitionEvent[]
      if (!Array.isArray(events)) throw new Error('not a list')
    } catch {
      this.log.warn({ from }, 'malformed partition events')
      return
    }
    // A resent list applies again harmlessly: every event sets a state, none toggles one. The fabric
    // delivers only messages of this node's view, but they may come before its plans: held till then.
    if (this.hasPlans) for (const event of events) this.applyEvent(event)
    else if (this.exchange !== undefined) this.earlyEvents.push(...events)
    reply?.(Buffer.alloc(0))
    this.outgoing.run()
  }

  private applyEvent(event: PartitionEvent): void {
    const plan = this.parts.get(event.ns)?.plan
    const member = this.view?.members.findIndex((m) => m.nodeId === event.node) ?? -1
    if (plan === undefined || member < 0 || !Number.isInteger(event.pid) || event.pid < 0 || event.pid >= limits.partitions) return
    if (event.kind === 'filled') plan.fillDone(member, event.pid)
    else if (event.kind === 'merged') plan.mergeDone(event.pid)
    else if (event.kind === 'handover') {
      plan.fillDone(member, event.pid)
      plan.handOver(event.pid, member)
      if (member === this.selfIndex) this.queueFills(event.ns, event.pid, plan)
    }
    this.planChanged(event.ns, event.pid)
    this.dropIfSurplus(event.ns, event.pid)
  }

  /** This node's copy is full exactly when the plan says so; clients fetch the map again; a settled partition's tombstones may go. */
  private planChanged(ns: string, pid: number): void {
    const part = this.parts.get(ns)!
    setBit(part.copies.full, pid, part.plan!.isFull(this.selfIndex, pid))
    this.partitionGeneration++
    part.tombstones.sweep(pid)
  }

  /**
   * A copy no owner needs any more (every owner is full) is dropped, except on a quiesced node: it
   * keeps its data (it is about to stop, or be undone). Checked as the plans are made (a partition
   * settled from the start: a node back after a pause or crash holds records of partitions it no
   * longer owns, whose owners are full) and at every partition event. Not while the master still
   * gathers copies (a dirty surplus copy is a merge source). Nothing waits for the drop: settled and
   * the migrations remaining count only owners and masters.
   */
  private dropIfSurplus(ns: string, pid: number): void {
    const part = this.parts.get(ns)!
    const plan = part.plan!
    const view = this.view!
    if (!plan.isSettled(pid) || plan.isMerging(pid)) return
    if (plan.master(pid) === this.selfIndex || plan.owners(pid).includes(this.selfIndex)) return
    // What this node holds, not only what its report said: nothing it holds of the partition is needed.
    if (!plan.surplusHolders(pid).includes(this.selfIndex) && !part.copies.holdsAnything(pid)) return
    if (quiescedMembers(view).includes(view.members[this.selfIndex]!)) return
    part.namespace.dropPartition(pid)
    plan.dropped(this.selfIndex, pid)
    setBit(part.copies.full, pid, false)
    setBit(part.copies.dirty, pid, false)
  }

  // --- what info commands show ---------------------------------------------------------------

  /** Partitions this node still has to send or gather. */
  migrationsRemaining(): number {
    let merges = 0
    for (const left of this.merges.values()) merges += left.size
    return this.outgoing.remaining() + merges
  }

  /** A namespace's migrations as this node sees them (Aerospike's migrate_{tx,rx}_partitions_* statistics). */
  migrationProgress(ns: string): { txRemaining: number; txActive: number; rxRemaining: number; rxActive: number } {
    const plan = this.parts.get(ns)?.plan
    // To receive: the fills the plan still owes this node, and the copies it gathers as a merging master.
    let rxRemaining = 0
    if (plan !== undefined) {
      for (let pid = 0; pid < limits.partitions; pid++) if (plan.master(pid) !== this.selfIndex && plan.fillTargets(pid).includes(this.selfIndex)) rxRemaining++
    }
    // And the copies that missed a replica write, which the next view refills.
    const copies = this.parts.get(ns)?.copies
    if (copies !== undefined && plan !== undefined) {
      for (let pid = 0; pid < limits.partitions; pid++) if (copies.isBehind(pid) && !plan.fillTargets(pid).includes(this.selfIndex)) rxRemaining++
    }
    for (const [key, left] of this.merges) if (key.startsWith(`${ns}/`)) rxRemaining += left.size
    // To send: the queued migrations, and the copies a replica write of this node missed (the next view repairs them).
    const txRemaining = this.outgoing.remaining(ns) + (copies?.unreplicatedCount() ?? 0)
    return { txRemaining, txActive: this.outgoing.active(ns), rxRemaining, rxActive: this.incoming.active(ns) }
  }

  /**
   * Every partition of every namespace is settled, as far as this node has heard. A copy that missed
   * a replica write is not: the plan still counts it full, but it differs from the master's until
   * the view it asks for has refilled it. Nor is a master's copy whose change a replica did not
   * confirm, until the view it asks for has repaired the others.
   */
  isSettled(): boolean {
    return this.hasPlans && [...this.parts.values()].every((p) => p.plan!.allSettled() && !p.copies.anyBehind() && !p.copies.anyUnreplicated()) && this.migrationsRemaining() === 0
  }

  /** The plan of a namespace in the current view (undefined while the view's reports are exchanged). */
  planOf(ns: string): PartitionPlan | undefined {
    return this.parts.get(ns)?.plan
  }

  /** The namespace's records by this node's role in their partitions (records of partitions without a plan yet count as non-replica). */
  objectRoles(ns: Namespace): ObjectRoles {
    const plan = this.planOf(ns.name)
    const clusterSize = this.view?.members.length ?? 0
    const roles = { clusterSize, replicationFactor: Math.min(ns.config.replicationFactor, clusterSize), masterObjects: 0, proleObjects: 0, nonReplicaObjects: 0 }
    for (let pid = 0; pid < PARTITION_COUNT; pid++) {
      const records = ns.index.partitionSize(pid)
      if (records === 0) continue
      if (plan?.master(pid) === this.selfIndex) roles.masterObjects += records
      else if (plan?.owners(pid).includes(this.selfIndex) === true) roles.proleObjects += records
      else roles.nonReplicaObjects += records
    }
    return roles
  }

  get memberIndex(): number {
    return this.selfIndex
  }

  /** Revokes the lease (the others see this node leave at once) and stops all cluster work. */
  async leave(): Promise<void> {
    this.stop()
    await this.membership.leave()
  }

  /** Stops all cluster work (retries, migrations) without a goodbye: the node is stopping or crashing. */
  stop(): void {
    this.stopped = true
    this.clockSkew.stop()
    this.absentWait?.cancel()
    this.absentWait = undefined
    this.repair.stop()
    this.view = undefined
    // A copy report arriving late must not make plans for a member that stopped.
    this.exchange = undefined
    this.outgoing.clear()
    this.incoming.clear()
    this.unsentEvents.length = 0
    this.earlyEvents.length = 0
    for (const part of this.parts.values()) part.plan = undefined
  }
}

/** The last cluster of a node restarted with data: some members, unknown (no node has this id). */
const UNKNOWN_LAST_MEMBER = '?'

function refuse(problem: string): RecordCommandResult {
  return { reply: headerReply(ResultCode.TIMEOUT), problem }
}
