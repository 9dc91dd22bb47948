// Membership over a store with etcd's semantics. Each node puts its MemberInfo under
// /<cluster>/nodes/<nodeId> on a lease of its own and renews that lease itself, so the fencing
// deadline is measured on this node's monotonic clock from when each successful renewal was SENT
// (the store starts counting no earlier, so the node stops acting before the store can expire the
// lease). One watch over /<cluster>/ turns member changes into views and carries the metadata kept
// under /<cluster>/smd/.
import type { Clock, Random, Scheduler, Timer } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { ClusterMetadata, Membership } from './membership.ts'
import { CompactedError, LeaseGoneError, StoreUnavailableError, type GrantedLease, type MembershipStore, type RangeResult, type StoreEvent, type StoreWatch } from './membership-store.ts'
import { makeView, type MemberInfo, type View } from './view.ts'

/** The log calls membership makes (a pino Logger fits). */
export interface MembershipLog {
  info(details: object, message: string): void
  warn(details: object, message: string): void
  error(details: object, message: string): void
}

export interface HeartbeatSettings {
  /** How often the lease is renewed. */
  intervalMs: number
  /** Renewals that may be missed before the lease expires: the TTL asked is interval × timeout. */
  timeoutCount: number
}

export interface StoreMembershipOptions {
  clusterName: string
  store: MembershipStore
  env: { clock: Clock; scheduler: Scheduler; random: Random }
  log: MembershipLog
  heartbeat: HeartbeatSettings
}

/** The lease TTL asked of the store for these heartbeat settings (whole seconds, rounded up). */
export function leaseTtlSeconds(heartbeat: HeartbeatSettings): number {
  return Math.ceil((heartbeat.intervalMs * heartbeat.timeoutCount) / 1000)
}

/**
 * How long before the store could expire a lease of `ttlSeconds` the node stops acting on it: a
 * renewal interval, or a tenth of the TTL, whichever is more; never more than half the TTL.
 */
export function leaseMarginMs(ttlSeconds: number, intervalMs: number): number {
  const ttlMs = ttlSeconds * 1000
  return Math.min(ttlMs / 2, Math.max(intervalMs, limits.leaseMarginMinMs, ttlMs * limits.leaseMarginFraction))
}

/** Errors after which the same step is simply tried again later. */
function isRetryable(error: unknown): boolean {
  return error instanceof StoreUnavailableError || error instanceof LeaseGoneError || error instanceof CompactedError || error instanceof NodeIdInUseError
}

/**
 * Another node, reached at another address, holds this node's id in the store: two nodes with one
 * id would overwrite each other's member key. Node ids come from the host name and the service
 * port unless `service { node-id }` sets them, so two hosts (or containers) sharing a name clash.
 * A node waits while the other's key lives: if the other is this node's own earlier process, on
 * an address that changed, its key goes with its lease.
 */
export class NodeIdInUseError extends Error {
  constructor(nodeId: string, holder: MemberInfo['service']) {
    super(`node id ${nodeId} is in use by the node serving ${holder.host}:${holder.port}: give each node its own id (service { node-id HEX }), or its own host name`)
    this.name = 'NodeIdInUseError'
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export class StoreMembership implements Membership {
  readonly metadata: ClusterMetadata
  private readonly store: MembershipStore
  private readonly clock: Clock
  private readonly scheduler: Scheduler
  private readonly random: Random
  private readonly log: MembershipLog
  private readonly heartbeat: HeartbeatSettings
  private readonly prefix: string
  private readonly nodesPrefix: string
  private readonly smdPrefix: string

  private self: MemberInfo | undefined
  private stopped = false
  /** The lease this node's key is on; undefined while (re-)registering. */
  private lease: GrantedLease | undefined
  /** The revision of this node's latest registration (the put of its key). */
  private registeredRevision = 0
  /** Monotonic time the last successful renewal (or the grant) was sent; the deadline counts from it. */
  private renewedSentAtMs = -Infinity
  private deadlineMs = -Infinity
  private deadlineTimer: Timer | undefined
  private keepAliveTimer: Timer | undefined
  private keepAliveInFlight = false
  private renewFailing = false
  private reregistering = false
  /** The registration in flight: join and the re-registration after a lost lease share it. */
  private registering: Promise<void> | undefined
  private reportedHolds = false
  /** The updateSelf calls, one after the other. */
  private updating: Promise<void> = Promise.resolve()

  private view: View | undefined
  /** Members by store key, as last seen. */
  private members = new Map<string, MemberInfo>()
  /** The store revision of each member key's last put, as last seen. */
  private memberRevisions = new Map<string, number>()
  private smd = new Map<string, string>()
  /** The last revision applied from the store (the initial range, then each watch event). */
  private seenRevision = 0
  private watch: StoreWatch | undefined
  private watchRetry: Timer | undefined
  private watchFailures = 0
  /** Back-off sleeps in progress, woken early by leave(). */
  private readonly sleepers = new Set<() => void>()

  private readonly viewListeners: ((view: View) => void)[] = []
  private readonly leaseListeners: ((holds: boolean) => void)[] = []
  private readonly leaseLostListeners: (() => void)[] = []
  private readonly registeredAgainListeners: ((clusterWentOn: boolean) => void)[] = []
  /** The lease each member's key is on, as last seen (from the key's value; '' for a value without one). */
  private memberLeases = new Map<string, string>()
  /**
   * The other members of the latest view that held this node while it held its lease, each with
   * the lease its key was on: after a lost lease, whether any of them still has that lease tells
   * whether the cluster went on without this node.
   */
  private lastLeasedMembers = new Map<string, string>()
  /** The lease of the registration under way, before its put is confirmed (its event may come first). */
  private registeringLease: string | undefined
  /** The lease was lost and the node has not registered again yet. */
  private lostLease = false
  private readonly metadataListeners: ((key: string, value: string | undefined) => void)[] = []
  /** Writers waiting for their revision to be applied here (one per metadata write in flight). */
  private revisionWaiters: { revision: number; resolve: () => void; reject: (error: Error) => void }[] = []

  constructor(options: StoreMembershipOptions) {
    const { clusterName, heartbeat } = options
    // The name is a path segment of every key: an empty one or one with "/" would share keys with other clusters.
    if (clusterName === '' || clusterName.includes('/')) throw new RangeError(`cluster name "${clusterName}" cannot name membership keys: it must be non-empty and without "/"`)
    if (!(heartbeat.intervalMs > 0) || !Number.isInteger(heartbeat.timeoutCount) || heartbeat.timeoutCount < 2) {
      throw new RangeError(`heartbeat interval ${heartbeat.intervalMs} ms and timeout ${heartbeat.timeoutCount}: the interval must be above 0 and the timeout a whole number of at least 2`)
    }
    this.store = options.store
    this.clock = options.env.clock
    this.scheduler = options.env.scheduler
    this.random = options.env.random
    this.log = options.log
    this.heartbeat = heartbeat
    this.prefix = `/${clusterName}/`
    this.nodesPrefix = `${this.prefix}nodes/`
    this.smdPrefix = `${this.prefix}smd/`
    const smdPrefix = this.smdPrefix
    const store = this.store
    const smd = this.smd
    const metadataListeners = this.metadataListeners
    this.metadata = {
      entries: () => smd,
      put: async (key, value) => {
        checkMetadataKey(key)
        return store.put(smdPrefix + key, value)
      },
      remove: async (key) => {
        checkMetadataKey(key)
        return store.delete(smdPrefix + key)
      },
      update: async (key, next) => {
        checkMetadataKey(key)
        const storeKey = smdPrefix + key
        for (let attempt = 1; attempt <= limits.metadataUpdateAttempts; attempt++) {
          const current = (await store.range(storeKey)).kvs.find((kv) => kv.key === storeKey)
          const value = next(current?.value)
          if (value === undefined) return current?.modRevision ?? 0
          const revision = await store.putIfUnchanged(storeKey, value, current?.modRevision ?? 0)
          if (revision !== undefined) return revision
        }
        throw new Error(`cluster metadata ${key} was changed by other writers ${limits.metadataUpdateAttempts} times in a row`)
      },
      seen: (revision) => this.seen(revision),
      onChange: (listener) => {
        metadataListeners.push(listener)
      },
    }
  }

  async join(self: MemberInfo): Promise<View> {
    if (this.self !== undefined) throw new Error('join was already called on this membership')
    this.self = self
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) throw new Error('left the cluster before the join completed')
      try {
        return await this.joinOnce()
      } catch (error) {
        if (!isRetryable(error) || this.stopped) throw error
        const waitMs = this.backoffMs(attempt)
        if (error instanceof NodeIdInUseError) this.log.error({ attempt, retryInMs: waitMs }, `not joining: ${error.message}`)
        else this.log.warn({ attempt, retryInMs: waitMs }, `waiting for ${this.store.name}: ${messageOf(error)}`)
        await this.sleep(waitMs)
      }
    }
  }

  halt(): void {
    if (this.stopped) return
    this.stopped = true
    this.keepAliveTimer?.cancel()
    this.deadlineTimer?.cancel()
    this.watchRetry?.cancel()
    this.watch?.cancel()
    this.watch = undefined
    for (const wake of [...this.sleepers]) wake()
    this.lease = undefined
    this.reportHolds()
    const waiters = this.revisionWaiters
    this.revisionWaiters = []
    for (const waiter of waiters) waiter.reject(new Error(`stopped following ${this.store.name} before revision ${waiter.revision} was seen`))
  }

  updateSelf(info: MemberInfo): Promise<void> {
    const self = this.self
    if (self === undefined) return Promise.reject(new Error('updateSelf before join'))
    if (info.nodeId !== self.nodeId) return Promise.reject(new RangeError(`updateSelf cannot change the node id (${self.nodeId} to ${info.nodeId})`))
    this.self = info
    const update = this.updating.then(() => this.putSelf())
    this.updating = update.catch(() => {})
    return update
  }

  republish(): Promise<void> {
    const self = this.self
    if (self === undefined) return Promise.reject(new Error('republish before join'))
    return this.updateSelf(self)
  }

  /** Puts this.self on the lease; without a lease, the registration under way or to come puts it. */
  private async putSelf(): Promise<void> {
    if (this.stopped) throw new Error('left the cluster: nothing to update')
    // A registration in flight may have sent the earlier info: put again once it holds a lease.
    await this.registering?.catch(() => {})
    const lease = this.lease
    if (lease === undefined) return
    try {
      await this.store.put(this.nodesPrefix + this.self!.nodeId, this.memberValue(lease), lease.id)
    } catch (error) {
      // The lease expired meanwhile: the registration after it puts this.self.
      if (!(error instanceof LeaseGoneError)) throw error
    }
  }

  currentView(): View | undefined {
    return this.view
  }

  onView(listener: (view: View) => void): void {
    this.viewListeners.push(listener)
  }

  holdsLease(): boolean {
    return !this.stopped && this.lease !== undefined && this.clock.monotonicMs() < this.deadlineMs
  }

  onLeaseLost(listener: () => void): void {
    this.leaseLostListeners.push(listener)
  }

  onRegisteredAgain(listener: (clusterWentOn: boolean) => void): void {
    this.registeredAgainListeners.push(listener)
  }

  onLeaseChange(listener: (holds: boolean) => void): void {
    this.leaseListeners.push(listener)
  }

  leaseTtlMs(): number {
    return (this.lease?.ttlSeconds ?? leaseTtlSeconds(this.heartbeat)) * 1000
  }

  async leave(): Promise<void> {
    if (this.stopped) return
    const lease = this.lease
    this.halt()
    if (lease === undefined) return
    try {
      await this.store.revokeLease(lease.id)
    } catch (error) {
      this.log.warn({ lease: lease.id }, `could not revoke the lease at ${this.store.name} (${messageOf(error)}): the others see this node leave when it expires, within ${lease.ttlSeconds} s`)
    }
  }

  private seen(revision: number): Promise<void> {
    if (revision <= this.seenRevision) return Promise.resolve()
    if (this.stopped) return Promise.reject(new Error(`stopped following ${this.store.name} before revision ${revision} was seen`))
    return new Promise((resolve, reject) => this.revisionWaiters.push({ revision, resolve, reject }))
  }

  /** The last revision applied moved: wakes the writers waiting for it. */
  private advanceSeen(revision: number): void {
    this.seenRevision = Math.max(this.seenRevision, revision)
    if (this.revisionWaiters.length === 0) return
    const waiting = this.revisionWaiters
    this.revisionWaiters = waiting.filter((waiter) => waiter.revision > this.seenRevision)
    for (const waiter of waiting) if (waiter.revision <= this.seenRevision) waiter.resolve()
  }

  // --- joining and the lease ---------------------------------------------------------------

  /** Registers (unless still registered from an earlier attempt), reads the cluster at that revision, watches on. */
  private async joinOnce(): Promise<View> {
    if (this.lease === undefined) await this.register()
    let snapshot: RangeResult
    try {
      // The member set exactly as of this node's own put: every member derives that view from the same event.
      snapshot = await this.store.range(this.prefix, this.registeredRevision)
    } catch (error) {
      if (!(error instanceof CompactedError)) throw error
      snapshot = await this.store.range(this.prefix)
    }
    if (this.stopped) throw new Error('left the cluster before the join completed')
    this.load(snapshot, false)
    const view = makeView(snapshot.revision, this.memberList())
    this.publish(view)
    this.startWatch()
    return view
  }

  /** Grants a lease and puts this node's key on it; starts the renewals. One at a time. */
  private register(): Promise<void> {
    this.registering ??= this.registerOnce().finally(() => {
      this.registering = undefined
    })
    return this.registering
  }

  private async registerOnce(): Promise<void> {
    const sentAtMs = this.clock.monotonicMs()
    const lease = await this.store.grantLease(leaseTtlSeconds(this.heartbeat))
    this.registeringLease = lease.id
    let revision: number
    try {
      // Before this node's key is back (so before any view holds it again), its copies learn
      // whether the cluster went on without it.
      if (this.lostLease) await this.tellWhetherClusterWentOn()
      await this.refuseIdInUse()
      // this.self as it is now: updateSelf may have changed it while the lease was granted.
      revision = await this.store.put(this.nodesPrefix + this.self!.nodeId, this.memberValue(lease), lease.id)
    } catch (error) {
      this.registeringLease = undefined
      this.store.revokeLease(lease.id).catch(() => {})
      throw error
    }
    if (this.stopped) {
      await this.store.revokeLease(lease.id).catch(() => {})
      throw new Error('left the cluster while registering')
    }
    this.lease = lease
    this.lostLease = false
    this.registeredRevision = revision
    this.renewFailing = false
    this.renewed(sentAtMs, lease.ttlSeconds)
    this.keepAliveTimer ??= this.scheduler.every(this.heartbeat.intervalMs, () => this.keepAlive())
    this.storeAnswered()
  }

  /** Throws NodeIdInUseError while a node at another service address holds this node's key. */
  private async refuseIdInUse(): Promise<void> {
    const key = this.nodesPrefix + this.self!.nodeId
    const held = (await this.store.range(key)).kvs.find((kv) => kv.key === key)
    const holder = held === undefined ? undefined : this.parseMember(key, held.value)?.member.service
    if (holder === undefined) return
    const mine = this.self!.service
    if (holder.host !== mine.host || holder.port !== mine.port) throw new NodeIdInUseError(this.self!.nodeId, holder)
  }

  /** What this node puts under its key: its info, and the lease the key is on (which says whether it registered again). */
  private memberValue(lease: GrantedLease): string {
    return JSON.stringify({ ...this.self, lease: lease.id })
  }

  /**
   * After a lost lease: whether some other member of the last view this node held its lease in
   * still holds the lease it had then (the cluster went on without this node: its copies are
   * stale) or none does (every member lost its lease too, as when the store was down for all of
   * them past the TTL: this node's full copies may hold acknowledged writes that no other copy
   * holds). Tells the listeners, once per lost lease.
   */
  private async tellWhetherClusterWentOn(): Promise<void> {
    const snapshot = await this.store.range(this.nodesPrefix)
    let wentOn = false
    for (const kv of snapshot.kvs) {
      const lease = this.lastLeasedMembers.get(kv.key)
      if (lease !== undefined && this.parseMember(kv.key, kv.value)?.lease === lease) wentOn = true
    }
    if (this.stopped) throw new Error('left the cluster while registering')
    this.lostLease = false
    this.log.warn({ clusterWentOn: wentOn }, wentOn ? 'the cluster went on without this node while its lease was lost' : 'every member of the last view lost its lease too: this node\'s full copies are gathered, not replaced')
    for (const listener of this.registeredAgainListeners) this.call(() => listener(wentOn))
  }

  /** The store answers again: a broken watch need not wait out its back-off. */
  private storeAnswered(): void {
    if (this.watchRetry === undefined) return
    this.watchRetry.cancel()
    this.watchRetry = undefined
    this.startWatch()
  }

  private keepAlive(): void {
    const lease = this.lease
    // One renewal at a time: a store that stopped answering is not sent a pile of them.
    if (lease === undefined || this.keepAliveInFlight || this.stopped) return
    const sentAtMs = this.clock.monotonicMs()
    this.keepAliveInFlight = true
    this.store.keepAliveOnce(lease.id).then(
      (ttl) => {
        this.keepAliveInFlight = false
        if (this.stopped || this.lease !== lease) return
        if (ttl === 'gone') {
          this.leaseGone(lease)
          return
        }
        if (this.renewFailing) this.log.info({ lease: lease.id }, `renewing the lease at ${this.store.name} again`)
        this.renewFailing = false
        this.renewed(sentAtMs, ttl)
        this.storeAnswered()
      },
      (error: unknown) => {
        this.keepAliveInFlight = false
        if (this.stopped || this.lease !== lease || this.renewFailing) return
        this.renewFailing = true
        this.log.warn({ lease: lease.id, holdsLeaseForMs: Math.max(0, this.deadlineMs - this.clock.monotonicMs()) }, `cannot renew the lease at ${this.store.name}: ${messageOf(error)}`)
      },
    )
  }

  /** A renewal sent at `sentAtMs` succeeded: the lease holds until the TTL from then, less the margin. */
  private renewed(sentAtMs: number, ttlSeconds: number): void {
    if (sentAtMs < this.renewedSentAtMs) return
    this.renewedSentAtMs = sentAtMs
    this.deadlineMs = sentAtMs + ttlSeconds * 1000 - leaseMarginMs(ttlSeconds, this.heartbeat.intervalMs)
    this.armDeadline()
    this.reportHolds()
  }

  /** Reports the lease lost at the deadline; a timer that fired early (timers round to whole ms) waits the rest. */
  private armDeadline(): void {
    this.deadlineTimer?.cancel()
    this.deadlineTimer = this.scheduler.after(Math.max(1, Math.ceil(this.deadlineMs - this.clock.monotonicMs())), () => {
      this.deadlineTimer = undefined
      if (this.holdsLease()) this.armDeadline()
      else this.reportHolds()
    })
  }

  /** The store expired (or someone revoked) the lease: stop acting as a member, and register again. */
  private leaseGone(lease: GrantedLease): void {
    this.lease = undefined
    this.lostLease = true
    this.deadlineMs = -Infinity
    this.reportHolds()
    for (const listener of this.leaseLostListeners) this.call(listener)
    this.log.warn({ lease: lease.id }, `the lease at ${this.store.name} is gone (it expired while it could not be renewed): registering again`)
    void this.reregister()
  }

  private async reregister(): Promise<void> {
    if (this.reregistering) return
    this.reregistering = true
    try {
      for (let attempt = 1; !this.stopped && this.lease === undefined; attempt++) {
        try {
          await this.register()
          this.log.info({ revision: this.registeredRevision }, `registered again at ${this.store.name}`)
        } catch (error) {
          if (this.stopped) return
          const waitMs = this.backoffMs(attempt)
          this.log.warn({ attempt, retryInMs: waitMs }, `waiting for ${this.store.name} to register again: ${messageOf(error)}`)
          await this.sleep(waitMs)
        }
      }
    } finally {
      this.reregistering = false
    }
  }

  /** Tells the lease listeners when holdsLease() changed since they last heard. */
  private reportHolds(): void {
    const holds = this.holdsLease()
    if (holds === this.reportedHolds) return
    this.reportedHolds = holds
    if (!holds && !this.stopped) this.log.warn({ deadlineMs: this.deadlineMs }, 'the lease deadline passed: this node stops acting as a cluster member until it renews its lease')
    for (const listener of this.leaseListeners) this.call(() => listener(holds))
  }

  // --- the watch ---------------------------------------------------------------------------

  private startWatch(): void {
    if (this.stopped || this.watch !== undefined) return
    this.watch = this.store.watch(this.prefix, this.seenRevision + 1, {
      onEvents: (events) => {
        this.watchFailures = 0
        this.apply(events)
      },
      onError: (error) => {
        this.watch = undefined
        this.watchBroke(error)
      },
    })
  }

  private watchBroke(error: Error): void {
    if (this.stopped) return
    if (error instanceof CompactedError) {
      this.log.warn({ seenRevision: this.seenRevision }, `the watch fell behind a compaction of ${this.store.name}: reading the cluster again`)
      void this.relist()
      return
    }
    this.watchFailures++
    const waitMs = this.backoffMs(this.watchFailures)
    this.log.warn({ attempt: this.watchFailures, retryInMs: waitMs }, `the watch on ${this.store.name} broke: ${error.message}`)
    this.watchRetry = this.scheduler.after(waitMs, () => {
      this.watchRetry = undefined
      this.startWatch()
    })
  }

  /**
   * Reads the whole cluster prefix again (the history the watch needed is gone), then watches from
   * there. The member changes it missed happened at revisions it cannot know, so a view made here
   * would have a cluster key no other member has: if the members changed, it puts its own key again
   * instead, and every member (this one through the new watch) makes the view at that revision.
   */
  private async relist(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const before = this.memberRevisions
        const snapshot = await this.store.range(this.prefix)
        if (this.stopped) return
        this.load(snapshot, true)
        this.startWatch()
        if (!sameRevisions(before, this.memberRevisions)) await this.updateSelf(this.self!)
        return
      } catch (error) {
        const waitMs = this.backoffMs(attempt)
        this.log.warn({ attempt, retryInMs: waitMs }, `waiting for ${this.store.name} to read the cluster again: ${messageOf(error)}`)
        await this.sleep(waitMs)
      }
    }
  }

  /** Replaces members and metadata with a range's; `announce` tells metadata listeners what changed. */
  private load(snapshot: RangeResult, announce: boolean): void {
    const members = new Map<string, MemberInfo>()
    const revisions = new Map<string, number>()
    const leases = new Map<string, string>()
    const smd = new Map<string, string>()
    for (const kv of snapshot.kvs) {
      if (kv.key.startsWith(this.nodesPrefix)) {
        const parsed = this.parseMember(kv.key, kv.value)
        if (parsed === undefined) continue
        members.set(kv.key, parsed.member)
        revisions.set(kv.key, kv.modRevision)
        leases.set(kv.key, parsed.lease)
      } else if (kv.key.startsWith(this.smdPrefix)) {
        smd.set(kv.key.slice(this.smdPrefix.length), kv.value)
      }
    }
    this.members = members
    this.memberRevisions = revisions
    this.memberLeases = leases
    const changes: [string, string | undefined][] = []
    for (const [key, value] of smd) if (this.smd.get(key) !== value) changes.push([key, value])
    for (const key of this.smd.keys()) if (!smd.has(key)) changes.push([key, undefined])
    this.smd.clear()
    for (const [key, value] of smd) this.smd.set(key, value)
    if (announce) for (const [key, value] of changes.sort((a, b) => (a[0] < b[0] ? -1 : 1))) this.announceMetadata(key, value)
    this.advanceSeen(snapshot.revision)
  }

  /** Applies watch events; each revision that changed the member set makes a view. */
  private apply(events: readonly StoreEvent[]): void {
    for (let i = 0; i < events.length; ) {
      const revision = events[i]!.revision
      let membersChanged = false
      for (; i < events.length && events[i]!.revision === revision; i++) {
        const event = events[i]!
        // A watch started again may repeat what a range already showed.
        if (revision <= this.seenRevision) continue
        if (event.key.startsWith(this.nodesPrefix)) {
          const parsed = event.type === 'put' ? this.parseMember(event.key, event.value) : undefined
          if (parsed === undefined) {
            membersChanged = this.members.delete(event.key) || membersChanged
            this.memberRevisions.delete(event.key)
            this.memberLeases.delete(event.key)
          } else {
            membersChanged = true
            this.members.set(event.key, parsed.member)
            this.memberRevisions.set(event.key, revision)
            this.memberLeases.set(event.key, parsed.lease)
          }
        } else if (event.key.startsWith(this.smdPrefix)) {
          const key = event.key.slice(this.smdPrefix.length)
          if (event.type === 'put') this.smd.set(key, event.value)
          else this.smd.delete(key)
          this.announceMetadata(key, event.type === 'put' ? event.value : undefined)
        }
      }
      if (revision <= this.seenRevision) continue
      this.advanceSeen(revision)
      // Any put of a member key makes a view, even of the same info: a node that re-listed puts its
      // own key again so that every member derives one view at one revision.
      if (membersChanged && this.view !== undefined) this.publish(makeView(revision, this.memberList()))
    }
  }

  /** A member key's value: the member's info, and the lease its key is on ('' when the value names none). */
  private parseMember(key: string, value: string): { member: MemberInfo; lease: string } | undefined {
    try {
      const { lease, ...member } = JSON.parse(value) as MemberInfo & { lease?: unknown }
      if (typeof member.nodeId === 'string' && key === this.nodesPrefix + member.nodeId) return { member, lease: typeof lease === 'string' ? lease : '' }
    } catch {
      // Reported below.
    }
    this.log.warn({ key }, 'a member key holds no member of this node id: ignored')
    return undefined
  }

  private memberList(): MemberInfo[] {
    return [...this.members.values()]
  }

  /**
   * Tells the listeners of a view. A view that holds this node's key from an earlier registration,
   * on a lease it lost (the watch replays the store's history once it can reach the store again),
   * is shown without this node, under the same revision and cluster key: this node is no member of
   * it, and must not act in it (a plan made there would count its copies full and clean).
   */
  private publish(made: View): void {
    const selfKey = this.nodesPrefix + this.self!.nodeId
    const selfLease = this.memberLeases.get(selfKey)
    const current = selfLease !== undefined && (selfLease === this.lease?.id || selfLease === this.registeringLease)
    const view = selfLease === undefined || current ? made : { ...made, members: made.members.filter((m) => m.nodeId !== this.self!.nodeId) }
    this.view = view
    if (this.lease !== undefined && current) {
      // A member whose value names no lease (an older build) counts as having kept it: the cluster went on.
      this.lastLeasedMembers = new Map([...this.memberLeases].filter(([key]) => key !== selfKey))
    }
    for (const listener of this.viewListeners) this.call(() => listener(view))
  }

  private announceMetadata(key: string, value: string | undefined): void {
    for (const listener of this.metadataListeners) this.call(() => listener(key, value))
  }

  /** A listener that throws must not stop the membership from following the cluster. */
  private call(run: () => void): void {
    try {
      run()
    } catch (error) {
      this.log.error({ err: error }, 'a membership listener failed')
    }
  }

  // --- back-off ----------------------------------------------------------------------------

  /** Exponential from the base, capped, with jitter so that nodes cut off together do not retry together. */
  private backoffMs(attempt: number): number {
    const ceilingMs = Math.min(limits.storeRetryCapMs, limits.storeRetryBaseMs * 2 ** Math.min(attempt - 1, 30))
    return Math.round(ceilingMs * (0.5 + 0.5 * this.random.float()))
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        timer.cancel()
        this.sleepers.delete(wake)
        resolve()
      }
      const timer = this.scheduler.after(ms, wake)
      this.sleepers.add(wake)
    })
  }
}

function sameRevisions(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false
  for (const [key, revision] of a) if (b.get(key) !== revision) return false
  return true
}

function checkMetadataKey(key: string): void {
  if (key === '') throw new RangeError('a metadata key cannot be empty')
}
