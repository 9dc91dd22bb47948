// What cluster features need of the fabric (fabric/fabric.ts): requests with replies between
// members of the current view, by message type.

/** The kinds of node-to-node messages. */
export const MessageType = {
  /** A member's copy reports at the start of a view (request; empty reply). */
  COPY_REPORT: 1,
  /** A record version (or delete) from a partition's master to its other owners (request; reply: result code). */
  REPLICA_WRITE: 2,
  /** A client's single-record command forwarded to the partition's master (request; reply: the client reply). */
  PROXY: 3,
  /** A batch of records of one partition from a migration's source (request; reply: result code). */
  MIGRATE_RECORDS: 4,
  /** A migration's source has sent everything (request; reply: result code). */
  MIGRATE_DONE: 5,
  /** A partition's master asks a dirty copy to send it everything (request; reply when sent). */
  MIGRATE_PULL: 6,
  /** Partitions' states changed (fills done, mastership handed over): tells every member (request; empty reply). An empty list probes whether a member answers. */
  PARTITION_EVENT: 7,
  /** Asks a member for its wall clock (request, empty; reply: its time in ms as a double). */
  CLOCK_PROBE: 8,
  /** Asks a member for what the web console shows of it (request, empty; reply: JSON). */
  NODE_STATE: 9,
  /** How far the partitions a member masters have shipped to each XDR DC (one-way; xdr/shipped-points-message.ts). */
  XDR_SHIPPED_POINTS: 10,
} as const

export type FabricMessageHandler = (from: string, payload: Buffer, reply: ((payload: Buffer) => void) | undefined) => void

export interface FabricLink {
  request(nodeId: string, type: number, payload: Buffer, timeoutMs: number): Promise<Buffer>
  onMessage(type: number, handler: FabricMessageHandler): void
}
