// Config values as get-config and namespace/<ns> print them, and set-config's writable keys.
import { limits } from '../limits.ts'
import { CONFLICT_RESOLUTION_POLICIES, isConflictResolutionPolicy, type NamespaceConfig, type ServerConfig } from '../config/index.ts'

export function namespaceConfigEntries(c: NamespaceConfig): Array<[string, string | number | boolean]> {
  return [
    ['allow-ttl-without-nsup', c.allowTtlWithoutNsup],
    ['conflict-resolution-policy', c.conflictResolutionPolicy],
    ['conflict-resolve-writes', c.conflictResolveWrites],
    ['default-read-touch-ttl-pct', c.readTouchTtlPercent],
    ['default-ttl', c.defaultTtlSeconds],
    ['max-record-size', c.maxRecordSizeBytes],
    ['max-ttl', c.maxTtlSeconds],
    ['nsup-period', c.nsupPeriodSeconds],
    ['replication-factor', c.replicationFactor],
    ['strong-consistency', false],
    ['tomb-raider-eligible-age', c.tombRaiderEligibleAgeSeconds],
    ['transaction-pending-limit', c.transactionPendingLimit],
    ['storage-engine', c.storage.engine],
    ...c.storage.files.map((path, i): [string, string] => [`storage-engine.file[${i}]`, path]),
    ['storage-engine.commit-to-device', c.storage.commitToDevice],
    ['storage-engine.compression', c.storage.compression],
    ['storage-engine.compression-level', c.storage.compressionLevel],
    ['storage-engine.data-size', c.storage.dataSizeBytes],
    ['storage-engine.defrag-lwm-pct', c.storage.defragLwmPct],
    ['storage-engine.evict-used-pct', c.storage.evictUsedPct],
    ['storage-engine.filesize', c.storage.fileSizeBytes],
    ['storage-engine.flush-max-ms', c.storage.flushMaxMs],
    ['storage-engine.max-write-cache', c.storage.maxWriteCacheBytes],
    ['storage-engine.stop-writes-avail-pct', c.storage.stopWritesAvailPct],
    ['storage-engine.stop-writes-used-pct', c.storage.stopWritesUsedPct],
    ['storage-engine.write-block-size', c.storage.writeBlockSizeBytes],
  ]
}

export function serviceConfigEntries(config: ServerConfig, nodeId: string): Array<[string, string | number | boolean]> {
  return [
    ['cluster-name', config.service.clusterName === '' ? 'null' : config.service.clusterName],
    ['migrate-max-num-incoming', config.service.migrateMaxNumIncoming],
    ['migrate-threads', config.service.migrateThreads],
    ['min-cluster-size', config.service.minClusterSize],
    ['node-id', nodeId],
    ['proto-fd-idle-ms', config.service.protoFdIdleMs],
    ['proto-fd-max', config.service.protoFdMax],
    ['ticker-interval', config.service.tickerIntervalSeconds],
  ]
}

export function networkConfigEntries(config: ServerConfig): Array<[string, string | number | boolean]> {
  const s = config.network.service
  return [
    ['service.address', s.address],
    ['service.port', s.port],
    ['service.access-address', s.accessAddress ?? ''],
    ['service.access-port', s.accessPort ?? 0],
  ]
}

type Setter<T> = (target: T, value: string) => string | undefined

function integerIn(min: number, max: number, apply: (n: number) => void): (value: string) => string | undefined {
  return (value) => {
    if (!/^\d+$/.test(value)) return `"${value}" is not a whole number`
    const n = Number(value)
    if (n < min || n > max) return `${n} is outside ${min}..${max}`
    apply(n)
    return undefined
  }
}

function bool(apply: (b: boolean) => void): (value: string) => string | undefined {
  return (value) => {
    if (value !== 'true' && value !== 'false') return `"${value}" is not true or false`
    apply(value === 'true')
    return undefined
  }
}

/** Namespace keys set-config may change at run time; each returns an error text or undefined. */
export const namespaceSetters: Record<string, Setter<NamespaceConfig>> = {
  'default-ttl': (c, v) => integerIn(0, 315360000, (n) => { c.defaultTtlSeconds = n })(v),
  'max-ttl': (c, v) => integerIn(0, 315360000, (n) => { c.maxTtlSeconds = n })(v),
  'nsup-period': (c, v) => integerIn(0, 86400 * 365, (n) => { c.nsupPeriodSeconds = n })(v),
  'allow-ttl-without-nsup': (c, v) => bool((b) => { c.allowTtlWithoutNsup = b })(v),
  'default-read-touch-ttl-pct': (c, v) => integerIn(0, 100, (n) => { c.readTouchTtlPercent = n })(v),
  'max-record-size': (c, v) => integerIn(0, 8 * 1024 * 1024, (n) => { c.maxRecordSizeBytes = n })(v),
  'stop-writes-used-pct': (c, v) => integerIn(0, 100, (n) => { c.storage.stopWritesUsedPct = n })(v),
  'evict-used-pct': (c, v) => integerIn(0, 100, (n) => { c.storage.evictUsedPct = n })(v),
  'defrag-lwm-pct': (c, v) => integerIn(1, 99, (n) => { c.storage.defragLwmPct = n })(v),
  'flush-max-ms': (c, v) => integerIn(1, 1000 * 1000, (n) => { c.storage.flushMaxMs = n })(v),
  'transaction-pending-limit': (c, v) => integerIn(0, 0xffffffff, (n) => { c.transactionPendingLimit = n })(v),
  'conflict-resolution-policy': (c, v) => {
    if (!isConflictResolutionPolicy(v)) return `"${v}" is not a conflict-resolution-policy (allowed: ${CONFLICT_RESOLUTION_POLICIES.join(', ')})`
    c.conflictResolutionPolicy = v
    return undefined
  },
  'conflict-resolve-writes': (c, v) => bool((b) => { c.conflictResolveWrites = b })(v),
  'stop-writes-avail-pct': (c, v) => integerIn(0, 100, (n) => { c.storage.stopWritesAvailPct = n })(v),
}

/** Service keys set-config may change at run time. */
export const serviceSetters: Record<string, Setter<ServerConfig['service']>> = {
  'proto-fd-idle-ms': (c, v) => integerIn(0, 86400000, (n) => { c.protoFdIdleMs = n })(v),
  'proto-fd-max': (c, v) => integerIn(1, 2000000, (n) => { c.protoFdMax = n })(v),
  'ticker-interval': (c, v) => integerIn(1, 86400, (n) => { c.tickerIntervalSeconds = n })(v),
  'migrate-threads': (c, v) => integerIn(0, limits.maxMigrateThreads, (n) => { c.migrateThreads = n })(v),
  'migrate-max-num-incoming': (c, v) => integerIn(0, limits.maxMigrateIncoming, (n) => { c.migrateMaxNumIncoming = n })(v),
  'min-cluster-size': (c, v) => integerIn(0, limits.maxMinClusterSize, (n) => { c.minClusterSize = n })(v),
}
