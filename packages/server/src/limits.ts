// Every bound the server enforces, in one place. Relations between them are checked at load time.
import { PARTITION_COUNT } from '@aerolite/protocol'

export const limits = {
  /** Partitions per namespace, fixed by the protocol. */
  partitions: PARTITION_COUNT,
  /** Largest frame body accepted from a client (Aerospike's PROTO_SIZE_MAX). */
  maxFrameBytes: 128 * 1024 * 1024,
  /** Largest info request body; info commands are short text. */
  maxInfoRequestBytes: 1024 * 1024,
  /** Bin names are at most 15 bytes (result 21 past that). */
  maxBinNameBytes: 15,
  /** Bins in one record. */
  maxBinsPerRecord: 32767,
  /** Set names are at most 63 bytes. */
  maxSetNameBytes: 63,
  /** Distinct sets per namespace (set ids are 16-bit; Aerospike allows 4095). */
  maxSetsPerNamespace: 4095,
  /** Namespaces per node. */
  maxNamespaces: 32,
  /** Largest record a namespace may be configured to accept. */
  maxRecordSizeCeilingBytes: 8 * 1024 * 1024,
  /** Bytes of replies queued on a socket before the connection stops reading requests. */
  maxPendingReplyBytes: 4 * 1024 * 1024,
  /** Rows in one batch request (BATCH_MAX_REQUESTS past it). */
  maxBatchRows: 100_000,
  /** Scan and query replies are cut into frames of about this size (Aerospike flushes every ~128 KiB). */
  streamFrameBytes: 128 * 1024,
  /** Entries per chunk of the primary index's columns (a power of two). */
  indexChunkEntries: 65536,
  /** Partitions the expiry sweep visits per event-loop turn, so it never stalls clients. */
  nsupPartitionsPerTurn: 64,
  /** Records defrag moves per event-loop turn. */
  defragRecordsPerTurn: 4096,
  /** Record generations wrap within 16 bits, skipping 0, as Aerospike's do. */
  maxGeneration: 0xffff,
} as const

if (limits.maxInfoRequestBytes > limits.maxFrameBytes) throw new Error('limits: info requests must fit in a frame')
if ((limits.indexChunkEntries & (limits.indexChunkEntries - 1)) !== 0) throw new Error('limits: indexChunkEntries must be a power of two')
if (limits.maxSetsPerNamespace >= 0xffff) throw new Error('limits: set ids must fit in 16 bits')
