// Changes of a namespace's records that have been applied but not yet settled (made durable, and
// with a cluster, replicated). A command on a record with a change in flight queues behind it, so
// replies on one record leave in the order its changes were made; past transaction-pending-limit
// waiting commands it answers KEY_BUSY instead, as Aerospike does.
//
// Only namespaces whose writes wait ever register anything: elsewhere the map stays empty and a
// lookup costs one size check.

export interface InFlightChange {
  /** Settles (never rejects) once the change is settled either way. */
  readonly done: Promise<void>
  /** Commands queued behind this change. */
  waiting: number
}

export class InFlightChanges {
  private readonly byDigest = new Map<string, InFlightChange>()

  get size(): number {
    return this.byDigest.size
  }

  /** The change in flight on a record, if any. */
  of(digest: Buffer): InFlightChange | undefined {
    return this.byDigest.size === 0 ? undefined : this.byDigest.get(digest.toString('latin1'))
  }

  /** Registers a change until `settled` settles; a later change of the same record replaces it. */
  register(digest: Buffer, settled: Promise<unknown>): void {
    const key = digest.toString('latin1')
    const change: InFlightChange = {
      // Cleanup is chained first, so commands queued on this change run after it is forgotten.
      done: settled.then(forget, forget),
      waiting: 0,
    }
    const byDigest = this.byDigest
    function forget(): void {
      if (byDigest.get(key) === change) byDigest.delete(key)
    }
    byDigest.set(key, change)
  }
}
