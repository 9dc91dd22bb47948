// Reads aerospike.conf syntax into a ServerConfig. Each Aerospike context is a table of the keys
// it allows; keys Aerolite has no use for are either listed as ignored or rejected, never guessed.

import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { ConfigError, quote } from './errors.ts'
import {
  defaultMemoryStorageConfig,
  defaultNamespaceConfig,
  defaultServerConfig,
  TEN_YEARS_SECONDS,
  type LogLevel,
  type LogSink,
  type NamespaceConfig,
  type NetworkServiceConfig,
  type ServerConfig,
  type ServiceConfig,
} from './schema.ts'
import { BlockReader, type EntryReader, type Scope } from './scope.ts'
import { parseSyntax } from './syntax.ts'
import { formatDuration, KiB, MiB } from './values.ts'

/** Aerospike stores namespace names in 32 bytes including the terminating NUL. */
const MAX_NAMESPACE_NAME_BYTES = 31
const MAX_RECORD_SIZE_BYTES = 8 * MiB

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
}

export function loadConfigFile(path: string): ServerConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError({ file: path }, `cannot read config file: ${osReason(error)}`)
  }
  return parseConfig(text, path)
}

/** `fileName` is used in error messages and recorded as `sourceFile`. */
export function parseConfig(text: string, fileName: string): ServerConfig {
  const root = parseSyntax(text.replace(/^\uFEFF/, ''), fileName)
  const config: ServerConfig = { ...defaultServerConfig(), sourceFile: fileName, namespaces: [] }
  new BlockReader(fileName, '', root).apply(topLevelScope, { config, namespaceLines: new Map() })
  if (config.namespaces.length === 0) {
    throw new ConfigError(
      { file: fileName, key: 'namespace' },
      'no namespace configured: at least one "namespace NAME { ... }" block is required',
    )
  }
  return config
}

// --- service ---------------------------------------------------------------------------------

const serviceScope: Scope<ServiceConfig> = {
  entries: {
    'cluster-name': (r, service) => {
      service.clusterName = r.one()
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
        r.fail(`context ${context} level ${quote(level)} is not a log level (allowed: ${Object.keys(LOG_LEVELS).join(', ')})`)
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

const networkServiceScope: Scope<NetworkServiceConfig> = {
  entries: {
    address: (r, service) => {
      const text = r.one()
      if (text !== 'any' && isIP(text) === 0) r.failValue(text, 'is not an IP address (allowed: an IPv4 or IPv6 address, or any)')
      service.address = text === 'any' ? '0.0.0.0' : text
    },
    port: (r, service) => {
      service.port = r.integer(1, 65535)
    },
    'access-address': (r, service) => {
      const text = r.one()
      if (isIP(text) === 0 && !isHostName(text)) r.failValue(text, 'is not an IP address or host name')
      service.accessAddress = text
    },
    'access-port': (r, service) => {
      service.accessPort = r.integer(1, 65535)
    },
  },
}

// Single-node Aerolite has no cluster traffic; these blocks are accepted so existing files load.
const clusterTrafficScope: Scope<unknown> = {
  ignored: ['mode', 'port', 'address', 'interval', 'timeout', 'mesh-seed-address-port', 'multicast-group'],
}
const ignoreClusterTraffic = (r: BlockReader): void => {
  r.noArgs()
  r.apply(clusterTrafficScope, undefined)
}

const networkScope: Scope<{ service: NetworkServiceConfig }> = {
  blocks: {
    service: (r, network) => {
      r.noArgs()
      r.apply(networkServiceScope, network.service)
    },
    heartbeat: ignoreClusterTraffic,
    fabric: ignoreClusterTraffic,
    info: ignoreClusterTraffic,
  },
}

// --- namespace -------------------------------------------------------------------------------

const memoryStorageScope: Scope<NamespaceConfig['storage']> = {
  entries: {
    'data-size': (r, storage) => {
      storage.dataSizeBytes = r.sizeBytes(1)
    },
    'stop-writes-used-pct': (r, storage) => {
      storage.stopWritesUsedPct = r.integer(0, 100)
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
  },
}

/** Accepts `memory`; the engines Aerolite does not have yet get a message saying so. */
function checkStorageEngine(engine: string, fail: (detail: string) => never): void {
  if (engine === 'memory') return
  if (engine === 'device' || engine === 'pmem') {
    fail(`storage-engine ${engine} is not available yet: Aerolite keeps data in memory only (use "storage-engine memory")`)
  }
  fail(`storage-engine ${quote(engine)} is not a storage engine (allowed: memory)`)
}

const namespaceScope: Scope<NamespaceConfig> = {
  entries: {
    'replication-factor': (r, ns) => {
      ns.replicationFactor = r.integer(1, 256)
    },
    'default-ttl': (r, ns) => {
      ns.defaultTtlSeconds = r.durationSeconds(TEN_YEARS_SECONDS)
    },
    'max-ttl': (r, ns) => {
      ns.maxTtlSeconds = r.durationSeconds(TEN_YEARS_SECONDS)
    },
    'nsup-period': (r, ns) => {
      ns.nsupPeriodSeconds = r.durationSeconds()
    },
    'allow-ttl-without-nsup': (r, ns) => {
      ns.allowTtlWithoutNsup = r.boolean()
    },
    'max-record-size': (r, ns) => {
      ns.maxRecordSizeBytes = r.sizeBytes(0, MAX_RECORD_SIZE_BYTES)
    },
    'default-read-touch-ttl-pct': (r, ns) => {
      ns.readTouchTtlPercent = r.integer(0, 100)
    },
    // One-line form: `storage-engine memory` with every storage setting at its default.
    'storage-engine': (r, ns) => {
      checkStorageEngine(r.one(), (detail) => r.fail(detail))
      ns.storage = defaultMemoryStorageConfig()
    },
  },
  blocks: {
    'storage-engine': (r, ns) => {
      checkStorageEngine(r.oneArg('memory'), (detail) => r.fail(detail))
      r.apply(memoryStorageScope, ns.storage)
    },
  },
}

function readNamespace(r: BlockReader, state: FileState): void {
  const name = r.oneArg('NAME')
  const nameBytes = Buffer.byteLength(name, 'utf8')
  if (nameBytes > MAX_NAMESPACE_NAME_BYTES) {
    r.fail(`namespace name ${quote(name)} is ${nameBytes} bytes long (allowed: at most ${MAX_NAMESPACE_NAME_BYTES})`)
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
    xdr: () => {},
    security: () => {},
  },
  repeatable: ['namespace'],
}

// --- helpers ---------------------------------------------------------------------------------

function isHostName(text: string): boolean {
  return text.length <= 253 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(text)
}

/** "ENOENT: no such file or directory", without the path Node appends (the message names it already). */
function osReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const { syscall } = error as NodeJS.ErrnoException
  const suffix = syscall === undefined ? -1 : error.message.indexOf(`, ${syscall} `)
  return suffix === -1 ? error.message : error.message.slice(0, suffix)
}
