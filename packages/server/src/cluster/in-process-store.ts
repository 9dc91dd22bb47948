// etcd's semantics, as the membership uses them, in memory on an Env's clock and scheduler: one
// object shared by every node of an embedded cluster or of the simulator. Revisions count every
// change; leases expire their TTL after the last keep-alive received and take their keys with them
// (in one revision, as etcd does); watches replay history from a revision; compaction forgets it.
// setAvailable(false) models the store being unreachable: every call fails and every watch breaks,
// while leases go on expiring (the store itself is still running).
import type { Scheduler, Timer } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import {
  CompactedError,
  LeaseGoneError,
  StoreUnavailableError,
  type GrantedLease,
  type MembershipStore,
  type RangeResult,
  type StoreEvent,
  type StoreKv,
  type StoreWatch,
  type WatchHandlers,
} from './membership-store.ts'

/** One version of a key: its value from `revision` on (undefined: deleted then). */
interface KeyVersion {
  revision: number
  value: string | undefined
}

interface Lease {
  ttlSeconds: number
  keys: Set<string>
  expiry: Timer
}

interface Watcher {
  prefix: string
  handlers: WatchHandlers
  /** Events due to the watcher and not yet handed over (delivery is a later turn, like a network hop). */
  pending: StoreEvent[]
  flush: Timer | undefined
  /** No more events (it broke or was cancelled). */
  ended: boolean
  /** Cancelled by its owner: not even its error is reported. */
  cancelled: boolean
}

export class InProcessStore implements MembershipStore {
  readonly name = 'the in-process membership store'
  private readonly scheduler: Scheduler
  /** etcd starts at revision 1 with no keys. */
  private revision = 1
  private compactRevision = 0
  /** Every version of every key since the compaction (the latest one before it kept). */
  private readonly versions = new Map<string, KeyVersion[]>()
  /** The changes since the compaction, in revision order. */
  private events: StoreEvent[] = []
  private readonly leases = new Map<string, Lease>()
  private readonly keyLease = new Map<string, string>()
  private readonly watchers = new Set<Watcher>()
  private nextLeaseId = 1
  private available = true

  constructor(env: { scheduler: Scheduler }) {
    this.scheduler = env.scheduler
  }

  /** Makes the store unreachable (every call fails, every watch breaks) or reachable again. */
  setAvailable(available: boolean): void {
    this.available = available
    if (available) return
    for (const watcher of [...this.watchers]) this.endWatch(watcher, new StoreUnavailableError(`${this.name} is unavailable`))
  }

  get isAvailable(): boolean {
    return this.available
  }

  /** The current revision (for tests and the simulator). */
  get currentRevision(): number {
    return this.revision
  }

  async grantLease(ttlSeconds: number): Promise<GrantedLease> {
    this.reachable()
    const granted = Math.max(limits.minLeaseTtlSeconds, Math.ceil(ttlSeconds))
    const id = String(this.nextLeaseId++)
    this.leases.set(id, { ttlSeconds: granted, keys: new Set(), expiry: this.expiryTimer(id, granted) })
    return { id, ttlSeconds: granted }
  }

  async keepAliveOnce(leaseId: string): Promise<number | 'gone'> {
    this.reachable()
    const lease = this.leases.get(leaseId)
    if (lease === undefined) return 'gone'
    lease.expiry.cancel()
    lease.expiry = this.expiryTimer(leaseId, lease.ttlSeconds)
    return lease.ttlSeconds
  }

  async revokeLease(leaseId: string): Promise<void> {
    this.reachable()
    this.endLease(leaseId)
  }

  async put(key: string, value: string, leaseId?: string): Promise<number> {
    this.reachable()
    let lease: Lease | undefined
    if (leaseId !== undefined) {
      lease = this.leases.get(leaseId)
      if (lease === undefined) throw new LeaseGoneError(leaseId)
    }
    // A key belongs to the lease of its last put (or to none).
    const previous = this.keyLease.get(key)
    if (previous !== undefined) this.leases.get(previous)?.keys.delete(key)
    this.keyLease.delete(key)
    if (lease !== undefined) {
      lease.keys.add(key)
      this.keyLease.set(key, leaseId!)
    }
    this.revision++
    this.record([{ type: 'put', key, value, revision: this.revision }])
    return this.revision
  }

  async putIfUnchanged(key: string, value: string, modRevision: number): Promise<number | undefined> {
    this.reachable()
    const last = lastAtOrBefore(this.versions.get(key) ?? [], this.revision)
    const current = last?.value === undefined ? 0 : last.revision
    if (current !== modRevision) return undefined
    return this.put(key, value)
  }

  async delete(key: string): Promise<number | undefined> {
    this.reachable()
    if (this.valueAt(key, this.revision) === undefined) return undefined
    this.revision++
    this.record([this.deletion(key)])
    return this.revision
  }

  async range(prefix: string, atRevision?: number): Promise<RangeResult> {
    this.reachable()
    const at = atRevision ?? this.revision
    if (at > this.revision) throw new Error(`revision ${at} is in the future (the store is at ${this.revision})`)
    if (at < this.compactRevision) throw new CompactedError(at, this.compactRevision)
    const kvs: StoreKv[] = []
    for (const [key, versions] of this.versions) {
      if (!key.startsWith(prefix)) continue
      const version = lastAtOrBefore(versions, at)
      if (version?.value !== undefined) kvs.push({ key, value: version.value, modRevision: version.revision })
    }
    kvs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    return { kvs, revision: at }
  }

  watch(prefix: string, fromRevision: number, handlers: WatchHandlers): StoreWatch {
    const watcher: Watcher = { prefix, handlers, pending: [], flush: undefined, ended: false, cancelled: false }
    const cancel = (): void => {
      watcher.ended = true
      watcher.cancelled = true
      watcher.flush?.cancel()
      this.watchers.delete(watcher)
    }
    if (!this.available) {
      this.endWatch(watcher, new StoreUnavailableError(`${this.name} is unavailable`))
      return { cancel }
    }
    // As etcd: 0 (or less) watches from the next change on.
    const from = fromRevision > 0 ? fromRevision : this.revision + 1
    if (from < this.compactRevision) {
      this.endWatch(watcher, new CompactedError(from, this.compactRevision))
      return { cancel }
    }
    this.watchers.add(watcher)
    const replay = this.events.filter((e) => e.revision >= from && e.key.startsWith(prefix))
    if (replay.length > 0) this.deliver(watcher, replay)
    return { cancel }
  }

  async compact(revision: number): Promise<void> {
    this.reachable()
    if (revision > this.revision) throw new Error(`cannot compact revision ${revision}: the store is at ${this.revision}`)
    if (revision <= this.compactRevision) throw new CompactedError(revision, this.compactRevision)
    this.compactRevision = revision
    this.events = this.events.filter((e) => e.revision >= revision)
    for (const [key, versions] of this.versions) {
      // Keep the version in force at `revision` and every later one.
      let keepFrom = 0
      for (let i = 0; i < versions.length && versions[i]!.revision <= revision; i++) keepFrom = i
      const kept = versions.slice(keepFrom)
      if (kept.length === 1 && kept[0]!.value === undefined && kept[0]!.revision <= revision) this.versions.delete(key)
      else this.versions.set(key, kept)
    }
  }

  async close(): Promise<void> {
    for (const watcher of [...this.watchers]) {
      watcher.ended = true
      watcher.cancelled = true
      watcher.flush?.cancel()
    }
    this.watchers.clear()
    for (const lease of this.leases.values()) lease.expiry.cancel()
  }

  private reachable(): void {
    if (!this.available) throw new StoreUnavailableError(`${this.name} is unavailable`)
  }

  private expiryTimer(leaseId: string, ttlSeconds: number): Timer {
    return this.scheduler.after(ttlSeconds * 1000, () => this.endLease(leaseId))
  }

  /** Ends a lease and deletes its keys, all in one revision. */
  private endLease(leaseId: string): void {
    const lease = this.leases.get(leaseId)
    if (lease === undefined) return
    lease.expiry.cancel()
    this.leases.delete(leaseId)
    if (lease.keys.size === 0) return
    this.revision++
    const events = [...lease.keys].sort().map((key) => this.deletion(key))
    this.record(events)
  }

  private deletion(key: string): StoreEvent {
    const leaseId = this.keyLease.get(key)
    if (leaseId !== undefined) this.leases.get(leaseId)?.keys.delete(key)
    this.keyLease.delete(key)
    return { type: 'delete', key, value: '', revision: this.revision }
  }

  private valueAt(key: string, revision: number): string | undefined {
    const versions = this.versions.get(key)
    return versions === undefined ? undefined : lastAtOrBefore(versions, revision)?.value
  }

  private record(events: StoreEvent[]): void {
    for (const event of events) {
      const versions = this.versions.get(event.key) ?? []
      versions.push({ revision: event.revision, value: event.type === 'put' ? event.value : undefined })
      this.versions.set(event.key, versions)
      this.events.push(event)
    }
    for (const watcher of this.watchers) {
      const due = events.filter((e) => e.key.startsWith(watcher.prefix))
      if (due.length > 0) this.deliver(watcher, due)
    }
  }

  private deliver(watcher: Watcher, events: readonly StoreEvent[]): void {
    watcher.pending.push(...events)
    watcher.flush ??= this.scheduler.soon(() => {
      watcher.flush = undefined
      const batch = watcher.pending
      watcher.pending = []
      if (!watcher.ended && batch.length > 0) watcher.handlers.onEvents(batch)
    })
  }

  private endWatch(watcher: Watcher, error: Error): void {
    watcher.ended = true
    watcher.flush?.cancel()
    this.watchers.delete(watcher)
    // Reported on a later turn, as a broken stream would be.
    this.scheduler.soon(() => {
      if (!watcher.cancelled) watcher.handlers.onError(error)
    })
  }
}

function lastAtOrBefore(versions: readonly KeyVersion[], revision: number): KeyVersion | undefined {
  for (let i = versions.length - 1; i >= 0; i--) if (versions[i]!.revision <= revision) return versions[i]
  return undefined
}
