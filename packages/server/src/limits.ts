// Every bound the server enforces, in one place. Relations between them are checked at load time.
import { MAX_MSGPACK_DEPTH, PARTITION_COUNT } from '@aerolite/protocol'

export const limits = {
  /** Partitions per namespace, fixed by the protocol. */
  partitions: PARTITION_COUNT,
  /** Largest frame body accepted from a client (Aerospike's PROTO_SIZE_MAX). */
  maxFrameBytes: 128 * 1024 * 1024,
  /** Largest info request body; info commands are short text. */
  maxInfoRequestBytes: 1024 * 1024,
  /** Bin names are at most 15 bytes (result 21 past that). */
  maxBinNameBytes: 15,
  /** Deepest nesting of lists and maps in a value (decoded, stored, compared), as the protocol reads it. */
  maxMsgpackDepth: MAX_MSGPACK_DEPTH,
  /** Levels of a CDT context or path operation (Aerospike refuses deeper ones). */
  maxCdtPathLevels: 64,
  /** Deepest nesting of an expression's operations. */
  maxExpressionDepth: 256,
  /** Deepest nesting of a value handed to or from Lua (the Lua side recurses on its own, smaller stack). */
  maxLuaValueDepth: 64,
  /** The largest TTL Aerospike accepts whatever max-ttl says (ten years), and max-ttl's default. */
  maxTtlSeconds: 315_360_000,
  /** Bins in one record. */
  maxBinsPerRecord: 32767,
  /** Set names are at most 63 bytes. */
  maxSetNameBytes: 63,
  /** Distinct sets per namespace (set ids are 16-bit; Aerospike allows 4095). */
  maxSetsPerNamespace: 4095,
  /** Namespaces per node. */
  maxNamespaces: 32,
  /** Aerospike stores namespace names in 32 bytes including the terminating NUL. */
  maxNamespaceNameBytes: 31,
  /** Largest record a namespace may be configured to accept. */
  maxRecordSizeCeilingBytes: 8 * 1024 * 1024,
  /** Bytes a data file keeps for its header (two metadata slots) before the first write block. */
  dataFileHeaderBytes: 1024 * 1024,
  // Cluster: waits of node-to-node requests (a peer that died fails them at once; these bound a stuck one).
  /** A replica's confirmation of a write; past it the client gets TIMEOUT (9) and the copies converge at the next view. */
  replicaWriteTimeoutMs: 1000,
  /** A proxied command's answer from the partition's master. */
  proxyTimeoutMs: 1000,
  /**
   * How often a node whose storage refused replica writes checks that it takes writes again, to ask
   * then for the new view that refills its copies.
   */
  refillCheckMs: 1000,
  /** How long a command waits for the partition plans of a new view before it answers TIMEOUT (9). */
  maxWaitForPlanMs: 1000,
  /**
   * How long a view waits for the members of the last cluster before it plans partitions none of
   * whose present copies is full, when the membership does not tell its lease TTL.
   */
  absentMemberWaitMs: 2000,
  /** How often a whole-namespace walk (job, aggregation) looks again at a partition whose mastership is not known yet. */
  partitionSettlePollMs: 20,
  /** Times a command is forwarded between nodes before it answers TIMEOUT (9) (maps settling after a view change). */
  maxProxyHops: 3,
  /** Bytes of records in one migration batch (the receiver confirms each batch before the next). */
  migrationBatchBytes: 256 * 1024,
  /** Tombstones in one migration batch. */
  migrationBatchTombstones: 1000,
  /** A migration batch's confirmation; past it the migration stops and the next view retries it. */
  migrationRequestTimeoutMs: 10_000,
  /** Wait before a receiver that refused a partition (not ready, or its incoming partitions taken) is asked again in the same view. */
  migrationRetryMs: 200,
  /** First migration messages a node holds while its incoming slots are taken (each up to a batch's bytes). */
  migrationsWaitingForSlot: 32,
  /**
   * Partitions sent at once per migrate-threads: a "thread" here is a share of the event loop, and
   * one stream mostly waits on its receiver's confirmations, so each keeps several in flight.
   */
  migrationsPerThread: 4,
  /** Largest migrate-threads, as Aerospike allows. */
  maxMigrateThreads: 100,
  /** Largest migrate-max-num-incoming, as Aerospike allows. */
  maxMigrateIncoming: 256,
  /** Largest min-cluster-size (Aerospike's largest cluster). */
  maxMinClusterSize: 256,
  /** How long a copy report or a list of partition events waits for a member's confirmation before it is sent again. */
  confirmTimeoutMs: 1000,
  /** Between resends of a copy report or partition events a member has not confirmed. */
  confirmRetryMs: 100,
  /** Bytes of replies queued on a socket before the connection stops reading requests. */
  maxPendingReplyBytes: 4 * 1024 * 1024,
  /** Slots for held replies a connection keeps between turns; a pipelining client that used more gives them back. */
  keptReplySlotsPerConnection: 64,
  /** A client connection's read slab (env/slab-reads.ts): what one connection holds between reads. */
  readSlabBytes: 8 * 1024,
  /** A connection reading more than a slab's tail at once gets slabs up to this size. */
  maxReadSlabBytes: 64 * 1024,
  /** Below this much tail a read gets a new slab: a request of this size arrives in one read. */
  minReadBytes: 2 * 1024,
  /** Namespace and set names (each) whose bytes the request path matches before decoding (name-cache.ts). */
  cachedRequestNames: 8,
  /** Bin names whose bytes requests and records are matched against before decoding (name-cache.ts). */
  cachedBinNames: 16,
  /**
   * Request frames one connection holds while it is busy (a scan streams): past it the socket is
   * not read until the queue drains. One read may add the frames of one chunk beyond it.
   */
  maxQueuedFramesPerConnection: 256,
  /** Background scan and query jobs running at once in one namespace; more are refused with FAIL_FORBIDDEN (22). */
  maxRunningJobsPerNamespace: 100,
  /** Rows in one batch request (BATCH_MAX_REQUESTS past it). */
  maxBatchRows: 100_000,
  /** Rows of one batch answered later (proxied, waiting for a view's plans, or queued behind a change) that run side by side. */
  batchRowsWaitingAtOnce: 64,
  /** Scan and query replies are cut into frames of about this size (Aerospike flushes every ~128 KiB). */
  streamFrameBytes: 128 * 1024,
  /** The memory engine cuts its write-block buffers from arenas of this size (or one block, if larger): few array buffers for the collector to sweep. */
  writeBlockArenaBytes: 64 * 1024 * 1024,
  /** Entries per chunk of the primary index's columns (a power of two). */
  indexChunkEntries: 65536,
  /** Partition slot tables of one size carved from one buffer (storage/slot-tables.ts): 4,096 partitions need 64 buffers, not 4,096. */
  slotTablesPerChunk: 64,
  /** ...fewer when their tables are large: a chunk holds at least one table and otherwise no more than this. */
  maxSlotChunkBytes: 4 * 1024 * 1024,
  /** Partitions the expiry sweep visits per event-loop turn, so it never stalls clients. */
  nsupPartitionsPerTurn: 64,
  /** Partitions eviction walks per event-loop turn (each of its three passes). */
  evictPartitionsPerTurn: 64,
  /** Partitions a truncate's background sweep walks per event-loop turn. */
  truncatePartitionsPerTurn: 64,
  /** How often defrag looks for blocks under defrag-lwm-pct. */
  defragIntervalMs: 100,
  /** Bytes of live records defrag copies per event-loop turn (client commands run between turns). */
  defragSliceBytes: 64 * 1024,
  /** How long defrag waits for the disk when the write queue is over max-write-cache. */
  defragBackoffMs: 10,
  /** How often defrag, eviction and the flush timer's checks run. */
  storageTickMs: 1000,
  /** Record generations wrap within 16 bits, skipping 0, as Aerospike's do. */
  maxGeneration: 0xffff,
  // Lua UDFs: a call past one of these fails with the Aerospike error; the node goes on serving.
  /** Lua VM instructions one UDF call may run (about 60 million a second under WebAssembly). */
  maxUdfInstructionsPerCall: 20_000_000,
  /** Wall time one UDF call may take, capped further by the request's own timeout. */
  maxUdfCallMs: 1000,
  /** Bytes the Lua VM may grow by during one UDF call. */
  maxUdfCallMemoryBytes: 32 * 1024 * 1024,
  /** The Lua VM's memory never grows past this. */
  maxLuaVmMemoryBytes: 256 * 1024 * 1024,
  /** Largest UDF module source, as Aerospike's udf-put allows (1 MiB decoded). */
  maxUdfModuleBytes: 1024 * 1024,
  /** UDF module file names are shorter than this, as Aerospike's are. */
  maxUdfFileNameBytes: 128,
  /** Records one stream UDF call walks; the client reduces the results of all calls. */
  maxStreamUdfRecordsPerCall: 1000,
  /** Bytes of results one stream UDF call may hand out before it fails ("output too big"). */
  maxStreamUdfOutputBytesPerCall: 64 * 1024 * 1024,
  /** A scan, query or aggregation gives the event loop a turn at least this often. */
  maxStreamTurnMs: 20,
  // Secondary indexes and multi-record jobs.
  /** Index names are at most 63 bytes (Aerospike's INAME_MAX_SZ less the terminator). */
  maxIndexNameBytes: 63,
  /** Indexes per namespace (Aerospike's MAX_N_SINDEXES). */
  maxIndexesPerNamespace: 256,
  /** A namespace with at most this many records is indexed at once when an index is created. */
  syncIndexBuildMaxRecords: 50_000,
  /** Partitions a background index build walks per event-loop turn. */
  indexBuildPartitionsPerTurn: 16,
  /** A geo query region is covered by at most this many grid cells (then the whole grid is walked). */
  maxGeoCoverCells: 64,
  /** Finished background jobs kept for query-show / jobs. */
  maxFinishedJobs: 100,
  /** Records a background job processes per event-loop turn. */
  jobRecordsPerTurn: 256,
  // The fabric: the node-to-node channel.
  /** Largest payload of one fabric message: a migration batch or a proxied batch reply must fit. */
  maxFabricPayloadBytes: 8 * 1024 * 1024,
  /** Bytes of fabric messages to one peer accepted and not yet written to its socket; past it sends fail fast (retryable). */
  maxFabricQueuedBytesPerPeer: 16 * 1024 * 1024,
  /** Messages from a peer already in a newer view, held until this node reaches it; more are dropped. */
  maxFabricHeldMessagesPerPeer: 1024,
  /** Bytes of those held messages per peer. */
  maxFabricHeldBytesPerPeer: 16 * 1024 * 1024,
  /** Peers whose newer-view messages are held at once (a node joining meets a few, not hundreds). */
  maxFabricHeldPeers: 64,
  /** Fabric requests awaiting their reply, over all peers; more fail fast (retryable). */
  maxFabricPendingRequests: 65_536,
  /** First delay before redialling a peer whose fabric channel broke; it doubles per failure (jittered down by up to half). */
  fabricReconnectMinMs: 50,
  /** The cap of that delay. */
  fabricReconnectMaxMs: 2000,
  // Cluster membership (cluster/membership-client.ts, cluster/in-process-store.ts).
  /** The shortest lease etcd grants with default flags (1.5 election timeouts, rounded up to whole seconds). */
  minLeaseTtlSeconds: 2,
  /** The first wait before retrying an unreachable membership store; it doubles per attempt. */
  storeRetryBaseMs: 100,
  /** The longest wait between retries of an unreachable membership store. */
  storeRetryCapMs: 5000,
  /** A node stops acting as a member at least this long before its lease could expire at the store. */
  leaseMarginMinMs: 100,
  /** ... and at least this fraction of the lease TTL before (clock rates differ; etcd expires leases late, never early). */
  leaseMarginFraction: 0.1,
  /** How long one call to etcd may take before it counts as the store being unreachable. */
  etcdCallTimeoutMs: 1000,
  // Cluster metadata (cluster/metadata-sync.ts): UDF modules, index definitions, truncate points.
  /** etcd's default --max-request-bytes (1.5 MiB): a larger put is refused by etcd. */
  etcdMaxRequestBytes: 1536 * 1024,
  /** Largest metadata entry (key and value bytes): the largest UDF module, in base64 and JSON, fits. */
  maxMetadataEntryBytes: 1400 * 1024,
  /** How long a metadata write waits to be applied on the node that wrote it before answering a timeout. */
  metadataApplyTimeoutMs: 10_000,
  /** How many times a read-modify-write of one metadata entry tries again when another writer changed it meanwhile. */
  metadataUpdateAttempts: 16,
  /** How often a cluster node asks each peer for its wall clock (cluster_clock_skew_ms). */
  clockProbeIntervalMs: 2000,
  /** A clock probe unanswered this long is dropped (the next one tries again). */
  clockProbeTimeoutMs: 1000,
  // The HTTP port (metrics/).
  /** How long the console waits for Alertmanager before saying it did not answer. */
  alertmanagerTimeoutMs: 2000,
  /** An idle keep-alive connection of a scraper or probe is closed after this: it must not hold a drain. */
  httpKeepAliveTimeoutMs: 5000,
  /** A request whose headers, or whole, take longer is refused (a slow client holds nothing for long). */
  httpRequestTimeoutMs: 10_000,
  // XDR (xdr/): shipping to other clusters.
  /** Records being shipped to one DC at once, awaiting its answers. */
  xdrMaxInFlight: 256,
  /** How long dialling a DC node may take. */
  xdrConnectTimeoutMs: 1000,
  /** The first wait before dialling an unreachable DC again; it doubles per failure. */
  xdrRetryMinMs: 100,
  /** The longest wait between attempts to reach a DC: a DC that returns is caught up within about this. */
  xdrRetryMaxMs: 2000,
  /**
   * A record sent to a DC and not answered within this is sent again on a new connection: a DC cut
   * off drops packets without closing anything, and TCP alone would wait minutes.
   */
  xdrRequestTimeoutMs: 2000,
  /** With enable-compression, shipped messages of at least this many bytes travel compressed. */
  xdrCompressMinBytes: 128,
  /** How often a node tells the other members how far its partitions have shipped (xdr/shipped-points.ts). */
  xdrShippedPointsIntervalMs: 1000,
  /** How often the lowest shipped point is written into the namespace's files (a restart resumes from it). */
  xdrShippedPointSaveIntervalMs: 10_000,
  /** A new master not told a partition's point within this ships the whole partition again. */
  xdrShippedPointWaitMs: 3000,
  /** A new master ships again from this long before a partition's point: room for a wall clock stepped back. */
  xdrRewindMarginMs: 1000,
} as const

if (!(limits.minReadBytes < limits.readSlabBytes && limits.readSlabBytes <= limits.maxReadSlabBytes)) throw new Error('limits: a read slab must be bigger than the least read and at most the largest slab')
if (limits.maxInfoRequestBytes > limits.maxFrameBytes) throw new Error('limits: info requests must fit in a frame')
if ((limits.indexChunkEntries & (limits.indexChunkEntries - 1)) !== 0) throw new Error('limits: indexChunkEntries must be a power of two')
// A stored record's size is a 24-bit field of its header (record/layout.ts).
if (limits.maxRecordSizeCeilingBytes > 0xffffff) throw new Error('limits: records must fit the 24-bit size of the record header')
if (limits.maxSetsPerNamespace >= 0xffff) throw new Error('limits: set ids must fit in 16 bits')
if (limits.maxUdfCallMemoryBytes > limits.maxLuaVmMemoryBytes) throw new Error('limits: a UDF call cannot use more memory than the Lua VM has')
// The largest fabric message (plus its small header) fits a peer queue and a hold, twice over.
if (limits.maxFabricQueuedBytesPerPeer < 2 * limits.maxFabricPayloadBytes) throw new Error('limits: a fabric peer queue must hold two of the largest messages')
if (limits.maxFabricHeldBytesPerPeer < 2 * limits.maxFabricPayloadBytes) throw new Error('limits: a fabric hold must take two of the largest messages')
if (limits.fabricReconnectMinMs <= 0 || limits.fabricReconnectMaxMs < limits.fabricReconnectMinMs) throw new Error('limits: fabric reconnect delays must be positive and min <= max')
if (limits.storeRetryBaseMs > limits.storeRetryCapMs) throw new Error('limits: the store retry base must not exceed its cap')
// A 1 MiB module is 1,398,104 base64 bytes; its entry adds a short key and JSON around it.
if (4 * Math.ceil(limits.maxUdfModuleBytes / 3) + 1024 > limits.maxMetadataEntryBytes) throw new Error('limits: the largest UDF module must fit one metadata entry')
// etcd's request adds the key again, the lease and framing: keep well under its limit.
if (limits.maxMetadataEntryBytes + 64 * 1024 > limits.etcdMaxRequestBytes) throw new Error('limits: a metadata entry must fit etcd\'s request limit')
if (!(limits.leaseMarginFraction > 0 && limits.leaseMarginFraction < 0.5)) throw new Error('limits: the lease margin must be a small fraction of the TTL')
