// Why a record changed, told to every listener of the change: secondary indexes take every change
// alike; replication, shipping to other regions and metrics tell them apart.
export type ChangeCause =
  | 'client'
  | 'udf'
  | 'touch'
  | 'replica'
  | 'migration'
  | 'xdr'
  | 'expiry'
  | 'eviction'
  | 'truncate'
  /** A copy of a partition this node no longer owns, dropped after its owners were filled. */
  | 'dropped'
  | 'job'
