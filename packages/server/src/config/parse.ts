// Reads aerospike.conf syntax into a ServerConfig. Each Aerospike context is a table of the keys
// it allows; keys Aerolite has no use for are either listed as ignored or rejected, never guessed.

import type { Disk } from '@aerolite/protocol'
import { ConfigError, quote } from './errors.ts'
import {
  defaultNamespaceConfig,
  defaultStorageConfig,
  defaultServerConfig,
  CONFLICT_RESOLUTION_POLICIES,
  isConflictResolutionPolicy,
  type CompressionName,
  type LogLevel,
  type FabricConfig,
  type HttpConfig,
  type HeartbeatConfig,
  type LogSink,
  type NamespaceConfig,
  type NetworkConfig,
  type NetworkServiceConfig,
  type ServerConfig,
  type ServiceConfig,
  type StorageConfig,
  type StorageEngine,
} from './schema.ts'
import { BlockReader, type EntryReader, type Scope } from './scope.ts'
import { parseSyntax } from './syntax.ts'
import { formatDuration, formatSize, KiB, MiB } from './values.ts'
import { limits } from '../limits.ts'
import { osReason } from '../os-error.ts'
import { isIpAddress } from './ip-address.ts'
import { readXdr } from './xdr-config.ts'
import { isHostName, parseHostPort } from './host-port.ts'


/** Aerospike log levels, most severe first, and the pino level each maps to. */
const LOG_LEVELS: Readonly<Record<string, LogLevel>> = {
  critical: 'fatal',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
  detail: 'trace',
}
const PINO_VERBOSITY: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

/** Parse state of the top level: the config being built and where each namespace was defined. */
interface FileState {
  config: ServerConfig
  namespaceLines: Map<string, number>
  /** Where the xdr block starts, for errors about the namespaces it names. */
  xdrLine?: number
}

export function loadConfigFile(path: string, disk: Disk): ServerConfig {
  let text: string
  try {
    text = disk.readText(path)
  } catch (error) {
    throw new ConfigError({ file: path }, `cannot read config file: ${osReason(error)}`)
  }
  return parseConfig(text, path, disk)
}

/** `fileName` is used in error messages and recorded as `sourceFile`; `disk` tells raw devices' capacities. */
export function parseConfig(text: string, fileName: string, disk: Disk): ServerConfig {
  const root = parseSyntax(text.replace(/^\uFEFF/, ''), fileName)
  const config: ServerConfig = { ...defaultServerConfig(), sourceFile: fileName, namespaces: [] }
  const state: FileState = { config, namespaceLines: new Map() }
  new BlockReader(fileName, '', root, disk).apply(topLevelScope, state)
  if (config.namespaces.length === 0) {
    throw new ConfigError(
      { file: fileName, key: 'namespace' },
      'no namespace configured: at least one "namespace NAME { ... }" block is required',
    )
  }
  for (const dc of config.xdr.dcs) {
    for (const ns of dc.namespaces) {
      if (!state.namespaceLines.has(ns.name)) {
        throw new ConfigError({ file: fileName, line: state.xdrLine, key: 'xdr' }, `xdr: dc ${dc.name} ships namespace ${quote(ns.name)}, which is not configured (namespaces: ${[...state.namespaceLines.keys()].join(', ')})`)
      }
    }
  }
  return config
}

// --- service ---------------------------------------------------------------------------------

const serviceScope: Scope<ServiceConfig> = {
  entries: {
    'cluster-name': (r, service) => {
      const text = r.one()
      if (text.includes('/')) r.failValue(text, 'contains "/" (the name is a path segment of the cluster\'s etcd keys)')
      service.clusterName = text
    },
    'proto-fd-max': (r, service) => {
      service.protoFdMax = r.integer(1)
    },
    'proto-fd-idle-ms': (r, service) => {
      service.protoFdIdleMs = r.integer(0)
    },
    'node-id': (r, service) => {
      const text = r.one()
      if (!/^[0-9a-f]{1,16}$/i.test(text) || /^0+$/.test(text)) {
        r.failValue(text, 'is not a node id (1 to 16 hex digits, not all zero)')
      }
      service.nodeId = text.toUpperCase()
    },
    'ticker-interval': (r, service) => {
      service.tickerIntervalSeconds = r.integer(1)
    },
    // The AP choice (see ServiceConfig): serving on when the etcd lease lapses risks split brain.
    'keep-serving-without-etcd': (r, service) => {
      service.keepServingWithoutEtcd = r.boolean()
    },
    'migrate-threads': (r, service) => {
      service.migrateThreads = r.integer(0, limits.maxMigrateThreads)
    },
    'migrate-max-num-incoming': (r, service) => {
      service.migrateMaxNumIncoming = r.integer(0, limits.maxMigrateIncoming)
    },
    'min-cluster-size': (r, service) => {
      service.minClusterSize = r.integer(0, limits.maxMinClusterSize)
    },
  },
  // Process and thread settings of asd that have no counterpart in a Node process.
  ignored: ['user', 'group', 'pidfile', 'work-directory', 'feature-key-file', 'service-threads'],
}

// --- logging ---------------------------------------------------------------------------------

/** Collects the `context any LEVEL` level of a sink. */
const sinkScope: Scope<LogLevel[]> = {
  entries: {
    context: (r, levels) => {
      const [context = '', level = ''] = r.values(2, 'context NAME LEVEL')
      const mapped = LOG_LEVELS[level.toLowerCase()]
      if (mapped === undefined) {
        return r.fail(`context ${context} level ${quote(level)} is not a log level (allowed: ${Object.keys(LOG_LEVELS).join(', ')})`)
      }
      // Aerolite has one logger, so only the catch-all context sets its level.
      if (context === 'any') levels.push(mapped)
    },
  },
  repeatable: ['context'],
}

/** A sink without a `context any` line logs at info, Aerospike's default. */
function readSink(r: BlockReader, path: string | undefined): LogSink {
  const levels: LogLevel[] = []
  r.apply(sinkScope, levels)
  return { path, level: PINO_VERBOSITY.find((candidate) => levels.includes(candidate)) ?? 'info' }
}

const loggingScope: Scope<LogSink[]> = {
  blocks: {
    console: (r, sinks) => {
      r.noArgs()
      sinks.push(readSink(r, undefined))
    },
    file: (r, sinks) => {
      sinks.push(readSink(r, r.oneArg('PATH')))
    },
  },
  repeatable: ['file'],
}

// --- network ---------------------------------------------------------------------------------

/** An address a node advertises: an IP address or a host name (containers advertise names). */
function advertisedAddress(r: EntryReader): string {
  const text = r.one()
  if (!isIpAddress(text) && !isHostName(text)) r.failValue(text, 'is not an IP address or host name')
  return text
}

const networkServiceScope: Scope<NetworkServiceConfig> = {
  entries: {
    address: (r, service) => {
      const text = r.one()
      if (text !== 'any' && !isIpAddress(text)) r.failValue(text, 'is not an IP address (allowed: an IPv4 or IPv6 address, or any)')
      service.address = text === 'any' ? '0.0.0.0' : text
    },
    port: (r, service) => {
      service.port = r.integer(1, 65535)
    },
    'access-address': (r, service) => {
      service.accessAddress = advertisedAddress(r)
    },
    'access-port': (r, service) => {
      service.accessPort = r.integer(1, 65535)
    },
    'alternate-access-address': (r, service) => {
      service.alternateAccessAddress = advertisedAddress(r)
    },
    'alternate-access-port': (r, service) => {
      service.alternateAccessPort = r.integer(1, 65535)
    },
  },
}

const ETCD_MODE_HINT = 'write "mode etcd" and one "etcd-endpoint HOST:PORT" line per etcd member'

// Membership goes through etcd (DESIGN.md, Cluster): a node holds a lease there instead of
// exchanging heartbeats with its peers, so Aerospike's mesh and multicast modes have no counterpart.
const heartbeatScope: Scope<HeartbeatConfig> = {
  entries: {
    mode: (r, heartbeat) => {
      const mode = r.one()
      if (mode === 'mesh' || mode === 'multicast') r.fail(`mode ${mode} is not available: Aerolite's cluster membership goes through etcd; ${ETCD_MODE_HINT}`)
      if (mode !== 'etcd') r.failValue(mode, `is not a heartbeat mode (allowed: etcd; ${ETCD_MODE_HINT})`)
      heartbeat.mode = 'etcd'
    },
    'etcd-endpoint': (r, heartbeat) => {
      const text = r.one()
      const endpoint = parseHostPort(text)
      if (endpoint === undefined) return r.failValue(text, 'is not HOST:PORT (an IP address or host name, [IPv6] in brackets, and a port 1 to 65535), e.g. 127.0.0.1:2379')
      heartbeat.etcdEndpoints.push(endpoint)
    },
    // Aerospike's bounds.
    interval: (r, heartbeat) => {
      heartbeat.intervalMs = r.integer(50, 600_000)
    },
    timeout: (r, heartbeat) => {
      heartbeat.timeoutCount = r.integer(3, 100_000)
    },
  },
  // Settings of Aerospike's own heartbeat channel: accepted so existing files load; etcd replaces it.
  ignored: ['port', 'address', 'mesh-seed-address-port', 'multicast-group'],
  repeatable: ['etcd-endpoint'],
}

/** mode etcd and etcd-endpoint go together. */
function checkHeartbeat(r: BlockReader, heartbeat: HeartbeatConfig, lines: ReadonlyMap<string, number>): void {
  if (heartbeat.mode === 'etcd' && heartbeat.etcdEndpoints.length === 0) {
    r.failAt(lines.get('mode')!, 'etcd-endpoint', `mode etcd needs at least one "etcd-endpoint HOST:PORT" line (e.g. etcd-endpoint 127.0.0.1:2379)`)
  }
  if (heartbeat.mode !== 'etcd' && heartbeat.etcdEndpoints.length > 0) {
    r.failAt(lines.get('etcd-endpoint')!, 'mode', 'etcd-endpoint without "mode etcd": add "mode etcd" to the heartbeat block')
  }
}

const fabricScope: Scope<FabricConfig> = {
  entries: {
    address: (r, fabric) => {
      const text = r.one()
      if (text !== 'any' && !isIpAddress(text)) r.failValue(text, 'is not an IP address (allowed: an IPv4 or IPv6 address, or any)')
      fabric.address = text === 'any' ? '0.0.0.0' : text
    },
    port: (r, fabric) => {
      fabric.port = r.integer(1, 65535)
    },
  },
  // Accepted so existing files load, as before the fabric was read.
  ignored: ['mode', 'interval', 'timeout', 'mesh-seed-address-port', 'multicast-group'],
}

const httpScope: Scope<HttpConfig> = {
  entries: {
    address: (r, http) => {
      const text = r.one()
      if (text !== 'any' && !isIpAddress(text)) r.failValue(text, 'is not an IP address (allowed: an IPv4 or IPv6 address, or any)')
      http.address = text === 'any' ? '0.0.0.0' : text
    },
    port: (r, http) => {
      http.port = r.integer(1, 65535)
    },
    'alertmanager-url': (r, http) => {
      const text = r.one()
      if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) r.failValue(text, 'is not an http:// or https:// URL (e.g. http://127.0.0.1:9093)')
      http.alertmanagerUrl = text
    },
  },
}

// The info port is Aerospike's telnet-style info channel; Aerolite answers info on the service port.
const infoScope: Scope<unknown> = {
  ignored: ['mode', 'port', 'address', 'interval', 'timeout', 'mesh-seed-address-port', 'multicast-group'],
}

const networkScope: Scope<NetworkConfig> = {
  blocks: {
    service: (r, network) => {
      r.noArgs()
      r.apply(networkServiceScope, network.service)
    },
    heartbeat: (r, network) => {
      r.noArgs()
      checkHeartbeat(r, network.heartbeat, r.apply(heartbeatScope, network.heartbeat))
    },
    fabric: (r, network) => {
      r.noArgs()
      r.apply(fabricScope, network.fabric)
    },
    http: (r, network) => {
      r.noArgs()
      r.apply(httpScope, network.http)
    },
    info: (r) => {
      r.noArgs()
      r.apply(infoScope, undefined)
    },
    // Aerospike 8.1's admin port speaks the Aerospike protocol to asadm; Aerolite answers those on the service port.
    admin: (r) => {
      r.noArgs()
      r.apply(infoScope, undefined)
    },
  },
}

// --- namespace -------------------------------------------------------------------------------

const COMPRESSIONS: readonly CompressionName[] = ['none', 'lz4', 'zstd']

/** Keys both storage engines read the same way. */
const commonStorageEntries: NonNullable<Scope<StorageConfig>['entries']> = {
  file: (r, storage) => {
    storage.files.push(r.one())
  },
  filesize: (r, storage) => {
    storage.fileSizeBytes = r.sizeBytes(limits.dataFileHeaderBytes + 1 * KiB, 2 ** 44)
  },
  'stop-writes-used-pct': (r, storage) => {
    storage.stopWritesUsedPct = r.integer(0, 100)
  },
  'stop-writes-avail-pct': (r, storage) => {
    storage.stopWritesAvailPct = r.integer(0, 100)
  },
  'evict-used-pct': (r, storage) => {
    storage.evictUsedPct = r.integer(0, 100)
  },
  'write-block-size': (r, storage) => {
    const bytes = r.sizeBytes(1 * KiB, 8 * MiB)
    // Aerospike lays out storage in power-of-two blocks.
    if ((bytes & (bytes - 1)) !== 0) r.failValue(r.one(), 'is not a power of 2 (e.g. 128K, 1M, 8M)')
    storage.writeBlockSizeBytes = bytes
  },
  'defrag-lwm-pct': (r, storage) => {
    storage.defragLwmPct = r.integer(0, 100)
  },
  'flush-max-ms': (r, storage) => {
    storage.flushMaxMs = r.integer(1, 1000 * 1000)
  },
  'commit-to-device': (r, storage) => {
    storage.commitToDevice = r.boolean()
  },
  compression: (r, storage) => {
    const name = r.one()
    if (!(COMPRESSIONS as readonly string[]).includes(name)) r.failValue(name, `is not a compression (allowed: ${COMPRESSIONS.join(', ')})`)
    storage.compression = name as CompressionName
  },
  'compression-level': (r, storage) => {
    storage.compressionLevel = r.integer(1, 22)
  },
  'max-write-cache': (r, storage) => {
    storage.maxWriteCacheBytes = r.sizeBytes(1 * MiB)
  },
}

/** Aerospike storage keys that tune its threads and devices; they have no counterpart here. */
const IGNORED_STORAGE_KEYS = [
  'compression-acceleration', 'defrag-queue-min', 'defrag-sleep', 'defrag-startup-minimum', 'direct-files', 'disable-odsync',
  'enable-benchmarks-storage', 'flush-size', 'tomb-raider-sleep', 'encryption', 'encryption-key-file', 'encryption-old-key-file',
]

const memoryStorageScope: Scope<StorageConfig> = {
  entries: {
    'data-size': (r, storage) => {
      storage.dataSizeBytes = r.sizeBytes(1)
    },
    ...commonStorageEntries,
  },
  ignored: IGNORED_STORAGE_KEYS,
  repeatable: ['file'],
}

const deviceStorageScope: Scope<StorageConfig> = {
  entries: {
    ...commonStorageEntries,
    // A raw block device is addressed like a file; filesize (default: its capacity) says how much of it to use.
    device: (r, storage) => {
      storage.files.push(r.one())
    },
  },
  ignored: [...IGNORED_STORAGE_KEYS, 'cache-replica-writes', 'cold-start-empty', 'post-write-cache', 'read-page-cache', 'serialize-tomb-raider', 'sindex-startup-device-scan'],
  repeatable: ['file', 'device'],
}

const STORAGE_ENGINES = ['memory', 'device'] as const

function checkStorageEngine(engine: string, fail: (detail: string) => never): StorageEngine {
  if ((STORAGE_ENGINES as readonly string[]).includes(engine)) return engine as StorageEngine
  if (engine === 'pmem') fail('storage-engine pmem is not available: use "storage-engine device" with files, or "storage-engine memory"')
  return fail(`storage-engine ${quote(engine)} is not a storage engine (allowed: ${STORAGE_ENGINES.join(', ')})`)
}

/** Cross-key rules of a storage-engine block, checked once all of it is read. */
function checkStorage(r: BlockReader, storage: StorageConfig, lines: ReadonlyMap<string, number>): void {
  const fileLine = lines.get('file') ?? lines.get('device') ?? r.block.line
  const usableBytes = (fileSizeBytes: number): number =>
    Math.floor((fileSizeBytes - limits.dataFileHeaderBytes) / storage.writeBlockSizeBytes) * storage.writeBlockSizeBytes * storage.files.length
  if (storage.engine === 'device') {
    if (storage.files.length === 0) r.failAt(r.block.line, 'storage-engine', 'storage-engine device needs at least one "file PATH" (or "device PATH") line')
    if (storage.fileSizeBytes === 0) {
      // Raw block devices default to the smallest one's capacity; files need a size.
      const deviceBytes = storage.files.map((path) => r.disk.deviceBytes(path))
      if (deviceBytes.some((bytes) => bytes === undefined)) {
        r.failAt(fileLine, 'filesize', 'storage-engine device needs "filesize SIZE" (the size of each file; raw block devices default to their capacity)')
      }
      storage.fileSizeBytes = Math.min(...(deviceBytes as number[]))
    }
    if (lines.has('data-size')) r.failAt(lines.get('data-size')!, 'data-size', 'data-size is for storage-engine memory; a device namespace holds filesize times the number of files')
  } else if (storage.files.length > 0 && storage.fileSizeBytes === 0) {
    // Each file holds its share of data-size, in whole write blocks, after its header.
    const perFileBlocks = Math.ceil(storage.dataSizeBytes / storage.files.length / storage.writeBlockSizeBytes)
    storage.fileSizeBytes = limits.dataFileHeaderBytes + perFileBlocks * storage.writeBlockSizeBytes
  } else if (storage.files.length === 0 && lines.has('filesize')) {
    r.failAt(lines.get('filesize')!, 'filesize', 'filesize without a "file PATH" line: add the file, or remove filesize')
  }
  if (storage.files.length === 0) return
  const usable = usableBytes(storage.fileSizeBytes)
  if (usable === 0) {
    r.failAt(lines.get('filesize') ?? fileLine, 'filesize', `filesize ${formatSize(storage.fileSizeBytes)} leaves no room for a write block (allowed: at least ${formatSize(limits.dataFileHeaderBytes)} for the header plus write-block-size ${formatSize(storage.writeBlockSizeBytes)})`)
  }
  if (storage.engine === 'device' || !lines.has('data-size')) storage.dataSizeBytes = usable
  else if (usable < storage.dataSizeBytes) {
    r.failAt(lines.get('filesize') ?? fileLine, 'filesize', `the files hold ${formatSize(usable)} of write blocks, less than data-size ${formatSize(storage.dataSizeBytes)}: raise filesize or lower data-size`)
  }
  const seen = new Set<string>()
  for (const path of storage.files) {
    if (seen.has(path)) r.failAt(fileLine, 'file', `file ${quote(path)} is listed twice`)
    seen.add(path)
  }
}

const namespaceScope: Scope<NamespaceConfig> = {
  entries: {
    'replication-factor': (r, ns) => {
      ns.replicationFactor = r.integer(1, 256)
    },
    'default-ttl': (r, ns) => {
      ns.defaultTtlSeconds = r.durationSeconds(limits.maxTtlSeconds)
    },
    'max-ttl': (r, ns) => {
      ns.maxTtlSeconds = r.durationSeconds(limits.maxTtlSeconds)
    },
    'nsup-period': (r, ns) => {
      ns.nsupPeriodSeconds = r.durationSeconds()
    },
    'evict-hist-buckets': (r, ns) => {
      // Aerospike's bounds.
      ns.evictHistBuckets = r.integer(100, 10_000_000)
    },
    'tomb-raider-eligible-age': (r, ns) => {
      ns.tombRaiderEligibleAgeSeconds = r.durationSeconds()
    },
    'allow-ttl-without-nsup': (r, ns) => {
      ns.allowTtlWithoutNsup = r.boolean()
    },
    'max-record-size': (r, ns) => {
      ns.maxRecordSizeBytes = r.sizeBytes(0, limits.maxRecordSizeCeilingBytes)
    },
    'default-read-touch-ttl-pct': (r, ns) => {
      ns.readTouchTtlPercent = r.integer(0, 100)
    },
    'transaction-pending-limit': (r, ns) => {
      ns.transactionPendingLimit = r.integer(0, 0xffffffff)
    },
    'rack-id': (r, ns) => {
      // Aerospike's bound.
      ns.rackId = r.integer(0, 1_000_000)
    },
    'conflict-resolution-policy': (r, ns) => {
      const policy = r.one()
      if (!isConflictResolutionPolicy(policy)) return r.failValue(policy, `is not a conflict-resolution-policy (allowed: ${CONFLICT_RESOLUTION_POLICIES.join(', ')})`)
      ns.conflictResolutionPolicy = policy
    },
    'conflict-resolve-writes': (r, ns) => {
      ns.conflictResolveWrites = r.boolean()
    },
    // One-line form: `storage-engine memory` with every storage setting at its default.
    'storage-engine': (r, ns) => {
      if (checkStorageEngine(r.one(), (detail) => r.fail(detail)) === 'device') {
        r.fail('storage-engine device needs a block with its files: write "storage-engine device {", "file PATH", "filesize SIZE", "}"')
      }
      ns.storage = defaultStorageConfig()
    },
  },
  blocks: {
    'storage-engine': (r, ns) => {
      const engine = checkStorageEngine(r.oneArg('memory|device'), (detail) => r.fail(detail))
      ns.storage = defaultStorageConfig(engine)
      const lines = r.apply(engine === 'device' ? deviceStorageScope : memoryStorageScope, ns.storage)
      checkStorage(r, ns.storage, lines)
    },
  },
}

function readNamespace(r: BlockReader, state: FileState): void {
  const name = r.oneArg('NAME')
  const nameBytes = Buffer.byteLength(name, 'utf8')
  if (nameBytes > limits.maxNamespaceNameBytes) {
    r.fail(`namespace name ${quote(name)} is ${nameBytes} bytes long (allowed: at most ${limits.maxNamespaceNameBytes})`)
  }
  const firstLine = state.namespaceLines.get(name)
  if (firstLine !== undefined) r.fail(`namespace ${quote(name)} is defined twice (first on line ${firstLine})`)
  state.namespaceLines.set(name, r.block.line)

  const ns = defaultNamespaceConfig(name)
  const lines = r.apply(namespaceScope, ns)
  checkTtlRules(r, ns, lines)
  state.config.namespaces.push(ns)
}

/** Cross-key rules Aerospike enforces at startup; both can only trip when default-ttl is set explicitly. */
function checkTtlRules(r: BlockReader, ns: NamespaceConfig, lines: ReadonlyMap<string, number>): void {
  const line = lines.get('default-ttl')
  if (line === undefined || ns.defaultTtlSeconds === 0) return
  const defaultTtl = formatDuration(ns.defaultTtlSeconds)
  if (ns.maxTtlSeconds !== 0 && ns.defaultTtlSeconds > ns.maxTtlSeconds) {
    r.failAt(
      line,
      'default-ttl',
      `default-ttl ${defaultTtl} is greater than max-ttl ${formatDuration(ns.maxTtlSeconds)} (Aerospike refuses this; raise max-ttl or set it to 0 for no limit)`,
    )
  }
  if (ns.nsupPeriodSeconds === 0 && !ns.allowTtlWithoutNsup) {
    r.failAt(
      line,
      'default-ttl',
      `default-ttl ${defaultTtl} with nsup-period 0 would never expire records (Aerospike refuses this; set nsup-period, or allow-ttl-without-nsup true)`,
    )
  }
}

// --- top level -------------------------------------------------------------------------------

const topLevelScope: Scope<FileState> = {
  blocks: {
    service: (r, state) => {
      r.noArgs()
      r.apply(serviceScope, state.config.service)
    },
    logging: (r, state) => {
      r.noArgs()
      const sinks: LogSink[] = []
      r.apply(loggingScope, sinks)
      // One logger serves every sink, so it must be as verbose as the most verbose one.
      const level = PINO_VERBOSITY.find((candidate) => sinks.some((sink) => sink.level === candidate))
      state.config.logging = { level: level ?? state.config.logging.level, sinks }
    },
    network: (r, state) => {
      r.noArgs()
      r.apply(networkScope, state.config.network)
    },
    namespace: readNamespace,
    // Aerospike contexts that configure features Aerolite does not have; their contents are not read.
    'mod-lua': () => {},
    xdr: (r, state) => {
      state.xdrLine = r.block.line
      readXdr(r, state.config.xdr)
    },
    security: () => {},
  },
  repeatable: ['namespace'],
}
