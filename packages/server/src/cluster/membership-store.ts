// The part of etcd's semantics cluster membership needs: leases, keys on leases, prefix ranges at a
// revision, and watches from a revision. etcd-store.ts speaks it to etcd; in-process-store.ts keeps
// it in memory on an Env, for embedded test clusters and the simulator. One contract test suite
// (test/cluster/store-contract.ts) holds both to the same behaviour.

/** One key as a range returns it. */
export interface StoreKv {
  key: string
  value: string
  /** The revision of the last put of this key. */
  modRevision: number
}

/** One change seen by a watch. */
export interface StoreEvent {
  type: 'put' | 'delete'
  key: string
  /** The value put ('' for a delete). */
  value: string
  /** The store revision of the change; several events may share one (a lease's keys expiring together). */
  revision: number
}

export interface RangeResult {
  kvs: StoreKv[]
  /** The revision the range was read at (the store's revision, unless one was asked). */
  revision: number
}

export interface GrantedLease {
  id: string
  /** What the store granted: whole seconds, at least its minimum. */
  ttlSeconds: number
}

export interface WatchHandlers {
  /** Events in revision order, in batches as they arrive. */
  onEvents(events: readonly StoreEvent[]): void
  /**
   * The watch ended: CompactedError when its start revision is no longer kept, StoreUnavailableError
   * when the store cannot be reached. No call follows.
   */
  onError(error: Error): void
}

export interface StoreWatch {
  /** Stops the watch; no handler is called after it. */
  cancel(): void
}

export interface MembershipStore {
  /** How logs name the store, e.g. "etcd at 127.0.0.1:2379". */
  readonly name: string
  /** Grants a lease of at least `ttlSeconds` (rounded up to whole seconds, raised to the store's minimum). */
  grantLease(ttlSeconds: number): Promise<GrantedLease>
  /** Renews the lease once: the TTL it has left now, or 'gone' when it expired or was revoked. */
  keepAliveOnce(leaseId: string): Promise<number | 'gone'>
  /** Revokes the lease, deleting its keys; a lease already gone is not an error. */
  revokeLease(leaseId: string): Promise<void>
  /** Puts key = value (on the lease, deleted with it); throws LeaseGoneError when the lease is gone. Returns the new revision. */
  put(key: string, value: string, leaseId?: string): Promise<number>
  /**
   * Puts key = value (on no lease) only if the key's last put was at `modRevision` (0: only if the
   * key does not exist): the new revision, or undefined when the key had changed (nothing written).
   */
  putIfUnchanged(key: string, value: string, modRevision: number): Promise<number | undefined>
  /** Deletes the key: the new revision, or undefined when there was no such key (nothing changed). */
  delete(key: string): Promise<number | undefined>
  /** The keys under `prefix`, ordered by key, at `atRevision` (default: now); CompactedError when that revision is no longer kept. */
  range(prefix: string, atRevision?: number): Promise<RangeResult>
  /** Watches the keys under `prefix`, starting with the changes at `fromRevision`. */
  watch(prefix: string, fromRevision: number, handlers: WatchHandlers): StoreWatch
  /** Forgets the history before `revision`: reads and watches of earlier revisions fail as compacted. */
  compact(revision: number): Promise<void>
  /** Ends every watch and connection. */
  close(): Promise<void>
}

/** The store cannot be reached (down, cut off, timed out): the caller may retry. */
export class StoreUnavailableError extends Error {
  readonly code = 'ERR_STORE_UNAVAILABLE'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreUnavailableError'
  }
}

/** The revision asked for was compacted away: re-read the present instead. */
export class CompactedError extends Error {
  readonly code = 'ERR_STORE_COMPACTED'
  /** The oldest revision the store still keeps, when the store said. */
  readonly compactRevision: number | undefined

  constructor(requestedRevision: number, compactRevision: number | undefined) {
    super(`revision ${requestedRevision} was compacted${compactRevision === undefined ? '' : ` (the store keeps revisions from ${compactRevision})`}`)
    this.name = 'CompactedError'
    this.compactRevision = compactRevision
  }
}

/** The lease expired or was revoked. */
export class LeaseGoneError extends Error {
  readonly code = 'ERR_LEASE_GONE'

  constructor(leaseId: string) {
    super(`lease ${leaseId} is gone (expired or revoked)`)
    this.name = 'LeaseGoneError'
  }
}
