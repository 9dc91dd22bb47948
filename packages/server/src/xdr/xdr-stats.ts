// What shipping to one DC has done, per namespace, under the names of Aerospike's
// `get-stats:context=xdr;dc=NAME[;namespace=NS]`.

export interface XdrCounters {
  /** Records (and deletes) the DC accepted. */
  success: number
  /** Records the DC refused for good (they will not ship). */
  abandoned: number
  /** Changes whose record was gone (expired, or deleted without ship-nsup-deletes) when their turn came. */
  notFound: number
  /** Changes of sets (or causes) this DC does not ship. */
  filteredOut: number
  /** Sends that failed with the connection: retried. */
  retryConnReset: number
  /** Sends the DC answered with a temporary error: retried. */
  retryDest: number
  /** Changes no DC node masters now (the DC's map is being learned again): retried. */
  retryNoNode: number
  /** Partition walks done to recover changes the full queue could not keep. */
  recoveries: number
}

export function newXdrCounters(): XdrCounters {
  return { success: 0, abandoned: 0, notFound: 0, filteredOut: 0, retryConnReset: 0, retryDest: 0, retryNoNode: 0, recoveries: 0 }
}

/** The figures that describe the moment: the queue, what is on the wire, and the last second. */
export interface XdrGauges {
  inQueue: number
  inProgress: number
  /** Seconds since the oldest change waiting was made (0 when none waits). */
  lagSeconds: number
  recoveriesPending: number
  hotKeys: number
  /** Records shipped per second, over the last second. */
  throughput: number
  /** Mean milliseconds from send to the DC's answer, over the last second. */
  latencyMs: number
}

export function xdrStatistics(c: XdrCounters, g: XdrGauges): Array<[string, number]> {
  return [
    ['lag', g.lagSeconds],
    ['in_queue', g.inQueue],
    ['in_progress', g.inProgress],
    ['success', c.success],
    ['abandoned', c.abandoned],
    ['not_found', c.notFound],
    ['filtered_out', c.filteredOut],
    ['retry_conn_reset', c.retryConnReset],
    ['retry_dest', c.retryDest],
    ['retry_no_node', c.retryNoNode],
    ['recoveries', c.recoveries],
    ['recoveries_pending', g.recoveriesPending],
    ['hot_keys', g.hotKeys],
    ['throughput', g.throughput],
    ['latency_ms', g.latencyMs],
  ]
}
