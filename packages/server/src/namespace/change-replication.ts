// How the commit road waits for the other copies of a change (a cluster's replication): the
// namespace is told of every change through its listeners, and the commit road asks here for the
// wait of the change it just made.

export interface ChangeReplication {
  /** The wait until the other copies hold the change just made to this record; undefined when none must. */
  pendingFor(digest: Uint8Array): Promise<void> | undefined
}
