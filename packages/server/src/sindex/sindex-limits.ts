// Bounds of secondary indexes and queries (kept here until limits.ts takes them).
export const sindexLimits = {
  /** Index names are at most 63 bytes (Aerospike's INAME_MAX_SZ less the terminator). */
  maxIndexNameBytes: 63,
  /** Indexes per namespace (Aerospike's MAX_N_SINDEXES). */
  maxIndexesPerNamespace: 256,
  /** A namespace with at most this many records is indexed at once when an index is created. */
  syncBuildMaxRecords: 50_000,
  /** Partitions a background index build walks per event-loop turn. */
  buildPartitionsPerTurn: 16,
  /** A geo query region is covered by at most this many grid cells (then the whole grid is walked). */
  maxGeoCoverCells: 64,
  /** Finished jobs kept for query-show / jobs. */
  maxFinishedJobs: 100,
  /** Records a background job processes per event-loop turn. */
  jobRecordsPerTurn: 256,
} as const
