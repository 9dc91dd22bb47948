// The shape of a parsed Aerolite configuration and its embedded defaults.
// Field names carry their unit last (ttlSeconds, sizeBytes) so call sites cannot mix them up.

import { defaultXdrConfig, type XdrConfig } from './xdr-config.ts'
import { limits } from '../limits.ts'

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

const MiB = 1024 * 1024
const GiB = 1024 * MiB


export type StorageEngine = 'memory' | 'device'
export type CompressionName = 'none' | 'lz4' | 'zstd'

/** Both engines share one format; they differ in where the blocks live (storage/write-blocks.ts). */
export interface StorageConfig {
  engine: StorageEngine
  /** memory: data-size; device: the files' total size. */
  dataSizeBytes: number
  /** Data files or block devices; empty = memory only, nothing survives a restart. */
  files: string[]
  /** Size of each file; 0 = derived (memory engine: data-size split over the files). */
  fileSizeBytes: number
  stopWritesUsedPct: number
  /** Writes stop when fewer than this percent of the write blocks are free. */
  stopWritesAvailPct: number
  /** 0 disables eviction. */
  evictUsedPct: number
  writeBlockSizeBytes: number
  defragLwmPct: number
  /** The current write block is written to the files at least this often. */
  flushMaxMs: number
  /** Acknowledge a write only once it is on disk and synced. */
  commitToDevice: boolean
  compression: CompressionName
  /** 0 = the codec's default. */
  compressionLevel: number
  /** Closed blocks waiting for the disk past which writes fail with DEVICE_OVERLOAD. */
  maxWriteCacheBytes: number
}

/** Which version of a record wins when two copies meet (migrations): Aerospike's conflict-resolution-policy. */
export const CONFLICT_RESOLUTION_POLICIES = ['generation', 'last-update-time'] as const
export type ConflictResolutionPolicy = (typeof CONFLICT_RESOLUTION_POLICIES)[number]

export function isConflictResolutionPolicy(name: string): name is ConflictResolutionPolicy {
  return (CONFLICT_RESOLUTION_POLICIES as readonly string[]).includes(name)
}

export interface NamespaceConfig {
  name: string
  /** Kept at Aerospike's default of 2 so configs behave the same; a single node simply holds one copy. */
  replicationFactor: number
  /** 0 = records never expire. */
  defaultTtlSeconds: number
  /** 0 = no limit. */
  maxTtlSeconds: number
  /** How often expired records are removed; 0 = never. */
  nsupPeriodSeconds: number
  allowTtlWithoutNsup: boolean
  /** Buckets of the void-time histogram eviction picks its cutoff from (more: a finer cutoff). */
  evictHistBuckets: number
  /**
   * A persistent namespace keeps a durable delete's tombstone at least this long (Aerospike's
   * tomb-raider-eligible-age): a record written again meanwhile continues its generation, so an
   * older copy of the delete (a node's disk after kill -9) never wins over it.
   */
  tombRaiderEligibleAgeSeconds: number
  /** 0 = limited by write-block-size only. */
  maxRecordSizeBytes: number
  /** A read within this percent of a record's TTL from its end of life resets the TTL; 0 = off. */
  readTouchTtlPercent: number
  /** Commands that may queue behind a change of the same record still in flight; past it KEY_BUSY. 0 = no limit. */
  transactionPendingLimit: number
  conflictResolutionPolicy: ConflictResolutionPolicy
  /**
   * Writes and deletes shipped here by XDR from another Aerolite cluster keep the newer version
   * (last-update time, then src-id): two regions that write one record at once converge.
   */
  conflictResolveWrites: boolean
  /** The rack this node is on for the namespace: replicas of a partition go to different racks first. */
  rackId: number
  storage: StorageConfig
}

export interface ServiceConfig {
  /** '' = not set. */
  clusterName: string
  protoFdMax: number
  /** 0 = idle client connections are never reaped (Aerospike 8 default). */
  protoFdIdleMs: number
  /** Up to 16 hex digits, upper case; unset = derived at startup. */
  nodeId?: string
  tickerIntervalSeconds: number
  /** Largest protocol frame a client may send; Aerolite-specific, not settable from aerospike.conf. */
  maxFrameBytes: number
  /**
   * When the node cannot renew its etcd lease: false (default) stops acknowledging writes at the
   * lease deadline; true keeps serving the last view (available, but nodes cut off from each other
   * may both accept writes to the same records: split brain, and writes lost when they meet again).
   */
  keepServingWithoutEtcd: boolean
  /**
   * Outgoing migrations: each "thread" keeps limits.migrationsPerThread partitions in flight; 0
   * pauses them (dynamic).
   */
  migrateThreads: number
  /** Partitions this node receives at once; a source that finds them taken retries later (dynamic). */
  migrateMaxNumIncoming: number
  /** Below this many members in the view the node forms no cluster: no partition plans (dynamic). */
  minClusterSize: number
}

/** One log destination: a file, or stderr when path is undefined (Aerospike's `console`). */
export interface LogSink {
  path?: string
  level: LogLevel
}

export interface LoggingConfig {
  /** The most verbose level of any sink; the logger filters per sink below it. */
  level: LogLevel
  /** Empty = stderr at `level`. */
  sinks: LogSink[]
}

export interface NetworkServiceConfig {
  address: string
  port: number
  /** Address and port advertised to clients, when they differ from the bound ones (NAT, containers). */
  accessAddress?: string
  accessPort?: number
  /** Advertised to clients that ask for alternate addresses (outside a NAT or Kubernetes); unset: the access address and port. */
  alternateAccessAddress?: string
  alternateAccessPort?: number
}

/** A host (IP address or name) and TCP port. */
export interface HostPort {
  host: string
  port: number
}

export interface HeartbeatConfig {
  /** 'none': a single node, no cluster; 'etcd': membership through the etcd at `etcdEndpoints`. */
  mode: 'none' | 'etcd'
  etcdEndpoints: HostPort[]
  /** How often the node renews its lease. */
  intervalMs: number
  /** Renewals that may be missed before the lease expires (lease TTL = interval × timeout). */
  timeoutCount: number
}

/** Where other nodes reach this one (node-to-node messages). */
export interface FabricConfig {
  /** Unset: the service address. */
  address?: string
  port: number
}

/** The HTTP port: /metrics, /health, /ready. */
export interface HttpConfig {
  /** Unset: the service address. */
  address?: string
  /** Unset: no HTTP port (0 = any free port). */
  port?: number
  /** The Alertmanager whose firing alerts the web console shows (its base URL). */
  alertmanagerUrl?: string
}

export interface NetworkConfig {
  service: NetworkServiceConfig
  heartbeat: HeartbeatConfig
  fabric: FabricConfig
  http: HttpConfig
}

export interface ServerConfig {
  /** The file the config was read from, if any. */
  sourceFile?: string
  service: ServiceConfig
  logging: LoggingConfig
  network: NetworkConfig
  namespaces: NamespaceConfig[]
  /** Shipping to other clusters (datacenters). */
  xdr: XdrConfig
}

export function defaultStorageConfig(engine: StorageEngine = 'memory'): StorageConfig {
  return {
    engine,
    // 1 GiB rather than Aerospike's typical 4 GiB, so an embedded default never surprises a laptop.
    dataSizeBytes: 1 * GiB,
    files: [],
    fileSizeBytes: 0,
    stopWritesUsedPct: 70,
    stopWritesAvailPct: 5,
    evictUsedPct: 0,
    writeBlockSizeBytes: 1 * MiB,
    defragLwmPct: 50,
    flushMaxMs: 1000,
    commitToDevice: false,
    compression: 'none',
    compressionLevel: 0,
    maxWriteCacheBytes: 64 * MiB,
  }
}

export function defaultNamespaceConfig(name: string): NamespaceConfig {
  return {
    name,
    replicationFactor: 2,
    defaultTtlSeconds: 0,
    maxTtlSeconds: limits.maxTtlSeconds,
    // Aerospike 7+ defaults to 0 (disabled); an embedded server should expire TTL'd records out of the box.
    nsupPeriodSeconds: 120,
    allowTtlWithoutNsup: false,
    evictHistBuckets: 10_000,
    tombRaiderEligibleAgeSeconds: 86_400,
    maxRecordSizeBytes: 1 * MiB,
    readTouchTtlPercent: 0,
    transactionPendingLimit: 20,
    conflictResolutionPolicy: 'generation',
    conflictResolveWrites: false,
    rackId: 0,
    storage: defaultStorageConfig(),
  }
}

/** Embedded defaults: one in-memory namespace `test`, listening on 127.0.0.1:3000 only. */
export function defaultServerConfig(): ServerConfig {
  return {
    service: {
      clusterName: '',
      protoFdMax: 15_000,
      protoFdIdleMs: 0,
      tickerIntervalSeconds: 10,
      maxFrameBytes: 128 * MiB,
      keepServingWithoutEtcd: false,
      migrateThreads: 1,
      migrateMaxNumIncoming: 4,
      minClusterSize: 1,
    },
    logging: { level: 'info', sinks: [] },
    network: {
      service: { address: '127.0.0.1', port: 3000 },
      // Aerospike's defaults: a 150 ms interval, 10 missed renewals (a lease TTL of 2 s).
      heartbeat: { mode: 'none', etcdEndpoints: [], intervalMs: 150, timeoutCount: 10 },
      fabric: { port: 3001 },
      http: {},
    },
    namespaces: [defaultNamespaceConfig('test')],
    xdr: defaultXdrConfig(),
  }
}
