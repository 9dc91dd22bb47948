import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { realDisk } from '../../src/env/real-disk.ts'
import {
  ConfigError,
  defaultNamespaceConfig,
  defaultServerConfig,
  defaultStorageConfig,
  loadConfigFile,
  parseConfig,
  type NamespaceConfig,
} from '../../src/config/index.ts'

const FILE = 'aerospike.conf'
const MiB = 1024 * 1024
const GiB = 1024 * MiB

/** Lines joined with '\n', so a test can count lines by eye (line 1 = first element). */
function conf(...lines: string[]): string {
  return lines.join('\n') + '\n'
}

/** A minimal valid namespace, for tests about other contexts. */
const NAMESPACE = ['namespace test {', '}']

function parseNamespace(...body: string[]): NamespaceConfig {
  const [ns] = parseConfig(conf('namespace test {', ...body, '}'), FILE, realDisk).namespaces
  assert.ok(ns)
  return ns
}

/** Asserts a ConfigError at `line` about `key`, whose one-line message contains each of `parts`. */
function assertConfigError(text: string, line: number | undefined, key: string, ...parts: string[]): ConfigError {
  let caught: unknown
  try {
    parseConfig(text, FILE, realDisk)
  } catch (error) {
    caught = error
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`)
  assert.equal(caught.code, 'ERR_CONFIG')
  assert.equal(caught.file, FILE)
  assert.equal(caught.line, line)
  assert.equal(caught.key, key)
  assert.ok(caught.message.startsWith(line === undefined ? `${FILE}: ` : `${FILE}:${line}: `), caught.message)
  assert.ok(caught.message.includes(key), `message should name "${key}": ${caught.message}`)
  assert.ok(!caught.message.includes('\n'), 'message should be one line')
  for (const part of parts) assert.ok(caught.message.includes(part), `missing ${JSON.stringify(part)} in: ${caught.message}`)
  return caught
}

describe('defaults', () => {
  it('embedded server defaults', () => {
    assert.deepEqual(defaultServerConfig(), {
      service: {
        clusterName: '',
        protoFdMax: 15000,
        protoFdIdleMs: 0,
        tickerIntervalSeconds: 10,
        maxFrameBytes: 128 * MiB,
        keepServingWithoutEtcd: false,
        // Aerospike's defaults.
        migrateThreads: 1,
        migrateMaxNumIncoming: 4,
        minClusterSize: 1,
      },
      logging: { level: 'info', sinks: [] },
      network: {
        service: { address: '127.0.0.1', port: 3000 },
        heartbeat: { mode: 'none', etcdEndpoints: [], intervalMs: 150, timeoutCount: 10 },
        fabric: { port: 3001 },
        http: {},
      },
      namespaces: [defaultNamespaceConfig('test')],
      xdr: { srcId: 0, dcs: [] },
    })
  })

  it('namespace defaults', () => {
    assert.deepEqual(defaultNamespaceConfig('users'), {
      name: 'users',
      replicationFactor: 2,
      defaultTtlSeconds: 0,
      maxTtlSeconds: 315360000,
      nsupPeriodSeconds: 120,
      allowTtlWithoutNsup: false,
      evictHistBuckets: 10_000,
      tombRaiderEligibleAgeSeconds: 86_400,
      maxRecordSizeBytes: 1048576,
      readTouchTtlPercent: 0,
      transactionPendingLimit: 20,
      conflictResolutionPolicy: 'generation',
      conflictResolveWrites: false,
      rackId: 0,
      storage: {
        engine: 'memory',
        dataSizeBytes: GiB,
        files: [],
        fileSizeBytes: 0,
        stopWritesUsedPct: 70,
        stopWritesAvailPct: 5,
        evictUsedPct: 0,
        writeBlockSizeBytes: 1048576,
        defragLwmPct: 50,
        flushMaxMs: 1000,
        commitToDevice: false,
        compression: 'none',
        compressionLevel: 0,
        maxWriteCacheBytes: 64 * MiB,
      },
    })
  })

  it('returns fresh objects each call', () => {
    const a = defaultServerConfig()
    a.namespaces[0]!.storage.dataSizeBytes = 1
    assert.equal(defaultServerConfig().namespaces[0]!.storage.dataSizeBytes, GiB)
  })

  it('a file with only a namespace keeps every other default', () => {
    const config = parseConfig(conf(...NAMESPACE), FILE, realDisk)
    assert.deepEqual(config, { ...defaultServerConfig(), sourceFile: FILE })
  })
})

describe('parseConfig: a realistic aerospike.conf', () => {
  const text = conf(
    '# Aerospike database configuration file.', // 1
    '',
    'service {',
    '\tcluster-name aerolite-dev',
    '\tproto-fd-max 20000',
    '\tproto-fd-idle-ms 60000',
    '\tnode-id a1b2c3',
    '\tticker-interval 30',
    '\tpidfile /var/run/aerospike/asd.pid   # accepted, no effect',
    '}', // 10
    '',
    'logging {',
    '\tconsole {',
    '\t\tcontext any warning',
    '\t}',
    '\tfile /var/log/aerospike/aerospike.log {',
    '\t\tcontext any debug',
    '\t\tcontext migrate detail  # per-module contexts do not change the level',
    '\t}',
    '}', // 20
    '',
    'network {',
    '\tservice {',
    '\t\taddress any',
    '\t\tport 3100',
    '\t\taccess-address 10.0.0.5',
    '\t\taccess-port 13100',
    '\t}',
    '\theartbeat {',
    '\t\tmode etcd', // 30
    '\t\tetcd-endpoint 10.0.0.6:2379',
    '\t\tetcd-endpoint etcd-2.local:2379',
    '\t\tetcd-endpoint [fd00::7]:2379',
    '\t\tport 3002  # accepted, no effect',
    '\t\tinterval 100',
    '\t\ttimeout 15',
    '\t}',
    '\tfabric {',
    '\t\tport 3011',
    '\t}', // 40
    '\tinfo {',
    '\t\tport 3003',
    '\t}',
    '}',
    '',
    'namespace test {',
    '\treplication-factor 1',
    '\tdefault-ttl 30d',
    '\tmax-ttl 365d',
    '\tnsup-period 60', // 50
    '\tstorage-engine memory {',
    '\t\tdata-size 2G',
    '\t\tstop-writes-used-pct 80',
    '\t\tevict-used-pct 60',
    '\t\twrite-block-size 128K',
    '\t\tdefrag-lwm-pct 40',
    '\t}',
    '}',
    '',
    'namespace cache {', // 60
    '\tdefault-ttl 1h',
    '\tnsup-period 0',
    '\tallow-ttl-without-nsup yes',
    '\tmax-record-size 512K',
    '\track-id 2',
    '\tstorage-engine memory',
    '}',
    '',
    'mod-lua {',
    '\tuser-path /opt/aerospike/usr/udf/lua',
    '}',
  )

  it('parses to the expected config', () => {
    assert.deepEqual(parseConfig(text, FILE, realDisk), {
      sourceFile: FILE,
      service: {
        clusterName: 'aerolite-dev',
        protoFdMax: 20000,
        protoFdIdleMs: 60000,
        nodeId: 'A1B2C3',
        tickerIntervalSeconds: 30,
        maxFrameBytes: 128 * MiB,
        keepServingWithoutEtcd: false,
        migrateThreads: 1,
        migrateMaxNumIncoming: 4,
        minClusterSize: 1,
      },
      // The one logger follows the most verbose sink: file at debug beats console at warning.
      logging: { level: 'debug', sinks: [{ path: undefined, level: 'warn' }, { path: '/var/log/aerospike/aerospike.log', level: 'debug' }] },
      network: {
        service: { address: '0.0.0.0', port: 3100, accessAddress: '10.0.0.5', accessPort: 13100 },
        heartbeat: {
          mode: 'etcd',
          etcdEndpoints: [{ host: '10.0.0.6', port: 2379 }, { host: 'etcd-2.local', port: 2379 }, { host: 'fd00::7', port: 2379 }],
          intervalMs: 100,
          timeoutCount: 15,
        },
        fabric: { port: 3011 },
        http: {},
      },
      namespaces: [
        {
          name: 'test',
          replicationFactor: 1,
          defaultTtlSeconds: 30 * 86400,
          maxTtlSeconds: 365 * 86400,
          nsupPeriodSeconds: 60,
          allowTtlWithoutNsup: false,
          evictHistBuckets: 10_000,
          tombRaiderEligibleAgeSeconds: 86_400,
          maxRecordSizeBytes: MiB,
          readTouchTtlPercent: 0,
          transactionPendingLimit: 20,
          conflictResolutionPolicy: 'generation',
          conflictResolveWrites: false,
          rackId: 0,
          storage: {
            ...defaultStorageConfig(),
            engine: 'memory',
            dataSizeBytes: 2 * GiB,
            stopWritesUsedPct: 80,
            evictUsedPct: 60,
            writeBlockSizeBytes: 128 * 1024,
            defragLwmPct: 40,
          },
        },
        {
          name: 'cache',
          replicationFactor: 2,
          defaultTtlSeconds: 3600,
          maxTtlSeconds: 315360000,
          nsupPeriodSeconds: 0,
          allowTtlWithoutNsup: true,
          evictHistBuckets: 10_000,
          tombRaiderEligibleAgeSeconds: 86_400,
          maxRecordSizeBytes: 512 * 1024,
          readTouchTtlPercent: 0,
          transactionPendingLimit: 20,
          conflictResolutionPolicy: 'generation',
          conflictResolveWrites: false,
          rackId: 2,
          storage: defaultNamespaceConfig('cache').storage,
        },
      ],
      xdr: { srcId: 0, dcs: [] },
    })
  })

  it('accepts Windows line endings, a byte-order mark and braces glued to words', () => {
    const crlf = '\uFEFF' + text.replaceAll('\n', '\r\n')
    assert.deepEqual(parseConfig(crlf, FILE, realDisk), parseConfig(text, FILE, realDisk))
    const glued = parseConfig('namespace x{storage-engine memory{data-size 2M}}', FILE, realDisk)
    assert.equal(glued.namespaces[0]?.storage.dataSizeBytes, 2 * MiB)
  })
})

describe('parseConfig: values', () => {
  it('one-line storage-engine memory uses the storage defaults', () => {
    const ns = parseNamespace('storage-engine memory')
    assert.deepEqual(ns.storage, defaultNamespaceConfig('x').storage)
  })

  it('sizes: plain bytes and K, M, G, T suffixes in powers of 1024, any case', () => {
    const cases: Array<[string, number]> = [
      ['1000', 1000],
      ['4K', 4096],
      ['4k', 4096],
      ['3M', 3 * MiB],
      ['2g', 2 * GiB],
      ['1T', 1024 * GiB],
    ]
    for (const [text, bytes] of cases) {
      const ns = parseNamespace('storage-engine memory {', `data-size ${text}`, '}')
      assert.equal(ns.storage.dataSizeBytes, bytes, text)
    }
    assert.equal(parseNamespace('max-record-size 8M').maxRecordSizeBytes, 8 * MiB)
    assert.equal(parseNamespace('max-record-size 0').maxRecordSizeBytes, 0)
  })

  it('durations: plain seconds and s, m, h, d suffixes', () => {
    const cases: Array<[string, number]> = [
      ['0', 0],
      ['45', 45],
      ['45s', 45],
      ['5m', 300],
      ['2h', 7200],
      ['30d', 2592000],
      ['10D', 864000],
    ]
    for (const [text, seconds] of cases) {
      const ns = parseNamespace(`default-ttl ${text}`, `max-ttl ${text}`, `nsup-period ${text}`, 'allow-ttl-without-nsup true')
      assert.equal(ns.defaultTtlSeconds, seconds, text)
      assert.equal(ns.maxTtlSeconds, seconds, text)
      assert.equal(ns.nsupPeriodSeconds, seconds, text)
    }
  })

  it('booleans: true, false, yes, no', () => {
    assert.equal(parseNamespace('allow-ttl-without-nsup true').allowTtlWithoutNsup, true)
    assert.equal(parseNamespace('allow-ttl-without-nsup yes').allowTtlWithoutNsup, true)
    assert.equal(parseNamespace('allow-ttl-without-nsup false').allowTtlWithoutNsup, false)
    assert.equal(parseNamespace('allow-ttl-without-nsup no').allowTtlWithoutNsup, false)
  })

  it('addresses: any is 0.0.0.0, IPv6 is kept', () => {
    const address = (value: string) =>
      parseConfig(conf('network {', 'service {', `address ${value}`, '}', '}', ...NAMESPACE), FILE, realDisk).network.service.address
    assert.equal(address('any'), '0.0.0.0')
    assert.equal(address('10.1.2.3'), '10.1.2.3')
    assert.equal(address('::1'), '::1')
  })

  it('logging levels map to pino levels', () => {
    const cases: Array<[string, string]> = [
      ['critical', 'fatal'],
      ['warning', 'warn'],
      ['info', 'info'],
      ['debug', 'debug'],
      ['detail', 'trace'],
    ]
    for (const [aerospike, pino] of cases) {
      const text = conf('logging {', 'console {', `context any ${aerospike}`, '}', '}', ...NAMESPACE)
      assert.equal(parseConfig(text, FILE, realDisk).logging.level, pino)
    }
  })

  it('evict-hist-buckets defaults to 10000 and takes Aerospike\'s range, 100 to 10000000', () => {
    assert.equal(parseNamespace().evictHistBuckets, 10_000)
    assert.equal(parseNamespace('evict-hist-buckets 100').evictHistBuckets, 100)
    assert.equal(parseNamespace().tombRaiderEligibleAgeSeconds, 86_400)
    assert.equal(parseNamespace('tomb-raider-eligible-age 1h').tombRaiderEligibleAgeSeconds, 3600)
    assertConfigError(conf('namespace test {', '\tevict-hist-buckets 99', '}'), 2, 'evict-hist-buckets', '99')
    assertConfigError(conf('namespace test {', '\tevict-hist-buckets 10000001', '}'), 2, 'evict-hist-buckets')
  })

  it('ttl rules hold only when they apply', () => {
    // max-ttl 0 means no limit, so any default-ttl is fine.
    assert.equal(parseNamespace('max-ttl 0', 'default-ttl 3650d').defaultTtlSeconds, 3650 * 86400)
    assert.equal(parseNamespace('default-ttl 30d', 'max-ttl 30d').defaultTtlSeconds, 30 * 86400)
    // default-ttl 0 needs no nsup.
    assert.equal(parseNamespace('default-ttl 0', 'nsup-period 0').nsupPeriodSeconds, 0)
  })

  it('accepts security and mod-lua contexts and ignores their contents', () => {
    const text = conf('security {', 'enable-quotas true', '}', 'mod-lua {', 'user-path /x', '}', ...NAMESPACE)
    assert.deepEqual(parseConfig(text, FILE, realDisk).namespaces, [defaultNamespaceConfig('test')])
  })

  it('transaction-pending-limit, conflict-resolution-policy and conflict-resolve-writes', () => {
    const ns = parseNamespace('transaction-pending-limit 5', 'conflict-resolution-policy last-update-time', 'conflict-resolve-writes true')
    assert.equal(ns.transactionPendingLimit, 5)
    assert.equal(ns.conflictResolutionPolicy, 'last-update-time')
    assert.equal(ns.conflictResolveWrites, true)
    assert.equal(parseNamespace('transaction-pending-limit 0').transactionPendingLimit, 0)
  })

  it('migrate-threads, migrate-max-num-incoming and min-cluster-size, 0 included as in Aerospike', () => {
    const service = (...lines: string[]) => parseConfig(conf('service {', ...lines, '}', ...NAMESPACE), FILE, realDisk).service
    const set = service('migrate-threads 0', 'migrate-max-num-incoming 256', 'min-cluster-size 3')
    assert.deepEqual([set.migrateThreads, set.migrateMaxNumIncoming, set.minClusterSize], [0, 256, 3])
    const limits = service('migrate-threads 100', 'migrate-max-num-incoming 0', 'min-cluster-size 256')
    assert.deepEqual([limits.migrateThreads, limits.migrateMaxNumIncoming, limits.minClusterSize], [100, 0, 256])
  })

  it('a 31-byte namespace name is allowed', () => {
    assert.equal(parseConfig(conf(`namespace ${'n'.repeat(31)} {`, '}'), FILE, realDisk).namespaces[0]?.name, 'n'.repeat(31))
  })
})

describe('parseConfig: errors name file, line and key', () => {
  it('bad duration', () => {
    const error = assertConfigError(conf('namespace test {', '\tdefault-ttl abc', '}'), 2, 'default-ttl')
    assert.equal(
      error.message,
      'aerospike.conf:2: namespace test: default-ttl "abc" is not a duration (seconds, or a number with s, m, h or d)',
    )
  })

  it('alternate-access-address and -port: what clients outside the network are told; cluster-name without "/"', () => {
    const { service } = parseConfig(conf('network {', 'service {', 'alternate-access-address db-0.example.com', 'alternate-access-port 31000', '}', '}', 'namespace test {', '}'), FILE, realDisk).network
    assert.equal(service.alternateAccessAddress, 'db-0.example.com')
    assert.equal(service.alternateAccessPort, 31000)
    assertConfigError(conf('network {', 'service {', 'alternate-access-address -x', '}', '}'), 3, 'alternate-access-address', 'host name')
    assertConfigError(conf('network {', 'service {', 'alternate-access-port 0', '}', '}'), 3, 'alternate-access-port', '1 to 65535')
    assertConfigError(conf('service {', 'cluster-name a/b', '}'), 2, 'cluster-name', '"a/b"', 'etcd keys')
  })

  it('bad size, number, boolean, address, node id and log level', () => {
    assertConfigError(conf('namespace test {', 'max-record-size 1.5M', '}'), 2, 'max-record-size', '"1.5M"', 'is not a size', 'K, M, G or T')
    assertConfigError(conf('namespace test {', 'replication-factor -1', '}'), 2, 'replication-factor', '"-1"', 'whole number')
    assertConfigError(conf('namespace test {', 'allow-ttl-without-nsup maybe', '}'), 2, 'allow-ttl-without-nsup', '"maybe"', 'true, false, yes or no')
    assertConfigError(conf('network {', 'service {', 'address eth0', '}', '}'), 3, 'address', '"eth0"', 'IP address')
    assertConfigError(conf('network {', 'service {', 'access-address bad_host!', '}', '}'), 3, 'access-address', 'host name')
    assertConfigError(conf('service {', 'node-id 0', '}'), 2, 'node-id', '"0"', 'hex digits')
    assertConfigError(conf('service {', 'node-id 12345678901234567', '}'), 2, 'node-id')
    assertConfigError(conf('logging {', 'console {', 'context any verbose', '}', '}'), 3, 'context', '"verbose"', 'critical, warning, info, debug, detail')
    assertConfigError(conf('logging {', 'console {', 'context any', '}', '}'), 3, 'context', 'context NAME LEVEL')
    assertConfigError(conf('namespace test {', 'conflict-resolution-policy newest', '}'), 2, 'conflict-resolution-policy', '"newest"', 'generation, last-update-time')
    assertConfigError(conf('namespace test {', 'transaction-pending-limit -1', '}'), 2, 'transaction-pending-limit', '"-1"', 'whole number')
  })

  it('unknown key, listing the allowed ones', () => {
    const text = conf('service {', '}', 'namespace test {', '\treplication-factor 1', '', '\treplcation-factor 2', '}')
    const error = assertConfigError(text, 6, 'replcation-factor', 'unknown key "replcation-factor" in namespace test')
    assert.ok(
      error.message.endsWith(
        '(allowed: replication-factor, default-ttl, max-ttl, nsup-period, evict-hist-buckets, tomb-raider-eligible-age, allow-ttl-without-nsup, max-record-size, default-read-touch-ttl-pct, transaction-pending-limit, rack-id, conflict-resolution-policy, conflict-resolve-writes, storage-engine)',
      ),
      error.message,
    )
    assertConfigError(conf('namespace test {', 'storage-engine memory {', 'flush-size 4G', 'filesizes 4G', '}', '}'), 4, 'filesizes', 'namespace test storage-engine memory', 'data-size')
    assertConfigError(conf('network {', 'heartbeat {', 'protocol v3', '}', '}'), 3, 'protocol', 'network heartbeat', 'mesh-seed-address-port')
    assertConfigError(conf('network {', 'service {', '}', 'heartbeats {', '}', '}'), 4, 'heartbeats', 'unknown key', 'heartbeat, fabric, http, info, admin')
  })

  it('unknown top-level context', () => {
    assertConfigError(conf(...NAMESPACE, 'services {', '}'), 3, 'services', 'unknown context "services"', 'mod-lua, xdr, security')
    assertConfigError(conf('cluster-name x', ...NAMESPACE), 1, 'cluster-name', 'unknown context')
  })

  it('a block name used as a key, and a key used as a block', () => {
    assertConfigError(conf(...NAMESPACE, 'service'), 3, 'service', 'opens a block')
    assertConfigError(conf('network {', 'service {', 'port {', '}', '}', '}'), 3, 'port', 'takes a value, not a block')
  })

  it('missing "}"', () => {
    const text = conf('service {', '}', 'namespace test {', 'storage-engine memory {', 'data-size 1G', '}', '', '')
    const error = assertConfigError(text, 8, 'namespace')
    assert.equal(error.message, 'aerospike.conf:8: missing "}" to close "namespace test" opened on line 3')
  })

  it('"}" without an open block', () => {
    assertConfigError(conf(...NAMESPACE, '}'), 3, '}', 'without an open block')
  })

  it('"{" without a block name', () => {
    assertConfigError(conf(...NAMESPACE, '{', '}'), 3, '{', 'block name')
  })

  it('key without a value', () => {
    assertConfigError(conf('service {', '\tproto-fd-max', '}', ...NAMESPACE), 2, 'proto-fd-max', 'service: proto-fd-max needs a value')
    assertConfigError(conf('network {', 'fabric {', 'port', '}', '}'), 3, 'port', 'needs a value')
  })

  it('too many values, and block arguments', () => {
    assertConfigError(conf('network {', 'service {', 'port 3000 3001', '}', '}'), 3, 'port', 'takes one value', '"3000 3001"')
    assertConfigError(conf('namespace {', '}'), 1, 'namespace', 'namespace NAME {')
    assertConfigError(conf('namespace a b {', '}'), 1, 'namespace', '"a b"')
    assertConfigError(conf('service main {', '}'), 1, 'service', 'takes no argument')
    assertConfigError(conf('logging {', 'file {', '}', '}'), 2, 'file', 'file PATH {')
  })

  it('out-of-range values', () => {
    const network = (line: string) => conf(...NAMESPACE, 'network {', 'service {', line, '}', '}')
    assertConfigError(network('port 0'), 5, 'port', '"0" is out of range (allowed: 1 to 65535)')
    assertConfigError(network('port 65536'), 5, 'port', '1 to 65535')
    assertConfigError(network('access-port 70000'), 5, 'access-port', '1 to 65535')
    const ns = (...lines: string[]) => conf('namespace test {', ...lines, '}')
    assertConfigError(ns('replication-factor 0'), 2, 'replication-factor', '1 to 256')
    assertConfigError(ns('replication-factor 257'), 2, 'replication-factor', '1 to 256')
    assertConfigError(ns('max-record-size 9M'), 2, 'max-record-size', '"9M" is out of range (allowed: 0 to 8M)')
    assertConfigError(ns('max-ttl 3651d'), 2, 'max-ttl', '0 to 3650d')
    const storage = (line: string) => ns('storage-engine memory {', line, '}')
    assertConfigError(storage('stop-writes-used-pct 101'), 3, 'stop-writes-used-pct', '0 to 100')
    assertConfigError(storage('evict-used-pct 200'), 3, 'evict-used-pct', '0 to 100')
    assertConfigError(storage('defrag-lwm-pct 101'), 3, 'defrag-lwm-pct', '0 to 100')
    assertConfigError(storage('data-size 0'), 3, 'data-size', '1 or more')
    assertConfigError(storage('write-block-size 16M'), 3, 'write-block-size', '1K to 8M')
    assertConfigError(storage('write-block-size 3K'), 3, 'write-block-size', 'power of 2')
    assertConfigError(conf('service {', 'proto-fd-max 0', '}'), 2, 'proto-fd-max', '1 or more')
    assertConfigError(conf('service {', 'migrate-threads 101', '}'), 2, 'migrate-threads', '0 to 100')
    assertConfigError(conf('service {', 'migrate-max-num-incoming 257', '}'), 2, 'migrate-max-num-incoming', '0 to 256')
    assertConfigError(conf('service {', 'min-cluster-size -1', '}'), 2, 'min-cluster-size', 'not a whole number')
  })

  it('a key set twice in one block', () => {
    assertConfigError(conf('namespace test {', 'max-ttl 1d', 'max-ttl 2d', '}'), 3, 'max-ttl', 'more than once (first on line 2)')
    assertConfigError(
      conf('namespace test {', 'storage-engine memory', 'storage-engine memory {', '}', '}'),
      3,
      'storage-engine',
      'first on line 2',
    )
    assertConfigError(conf('service {', '}', 'service {', '}', ...NAMESPACE), 3, 'service', 'first on line 1')
  })

  it('duplicate namespace names', () => {
    const text = conf('namespace test {', '}', 'namespace other {', '}', 'namespace test {', '}')
    assertConfigError(text, 5, 'namespace', 'namespace "test" is defined twice (first on line 1)')
  })

  it('zero namespaces', () => {
    const error = assertConfigError(conf('service {', '}'), undefined, 'namespace', 'at least one')
    assert.equal(error.message, 'aerospike.conf: no namespace configured: at least one "namespace NAME { ... }" block is required')
    assertConfigError('', undefined, 'namespace', 'at least one')
  })

  it('namespace names longer than 31 bytes', () => {
    assertConfigError(conf(...NAMESPACE, `namespace ${'n'.repeat(32)} {`, '}'), 3, 'namespace', 'is 32 bytes long (allowed: at most 31)')
    // 16 characters but 32 bytes in UTF-8.
    assertConfigError(conf(`namespace ${'é'.repeat(16)} {`, '}'), 1, 'namespace', '32 bytes')
  })

  it('default-ttl greater than max-ttl', () => {
    const text = conf('namespace test {', 'max-ttl 30d', 'default-ttl 31d', '}')
    const error = assertConfigError(text, 3, 'default-ttl', 'max-ttl 30d', 'Aerospike refuses')
    assert.match(error.message, /^aerospike\.conf:3: namespace test: default-ttl 31d is greater than max-ttl 30d/)
  })

  it('default-ttl without nsup', () => {
    const text = conf('namespace test {', 'nsup-period 0', 'default-ttl 1d', '}')
    assertConfigError(text, 3, 'default-ttl', 'nsup-period 0', 'allow-ttl-without-nsup', 'Aerospike refuses')
  })

  it('storage-engine device needs files and a filesize; unknown engines are named', () => {
    assertConfigError(conf('namespace test {', '  storage-engine device {', '    filesize 4G', '  }', '}'), 2, 'storage-engine', 'needs at least one "file PATH"')
    assertConfigError(conf('namespace test {', '  storage-engine device {', '    file /opt/aerospike/test.dat', '  }', '}'), 3, 'filesize', 'needs "filesize SIZE"')
    assertConfigError(conf('namespace test {', 'storage-engine device', '}'), 2, 'storage-engine', 'needs a block with its files')
    assertConfigError(conf('namespace test {', 'storage-engine disk', '}'), 2, 'storage-engine', '"disk" is not a storage engine (allowed: memory, device)')
  })
})

describe('loadConfigFile', () => {
  it('reads a file and records its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aerolite-config-'))
    try {
      const path = join(dir, 'aerospike.conf')
      writeFileSync(path, conf('namespace bar {', 'replication-factor 1', '}'))
      const config = loadConfigFile(path, realDisk)
      assert.equal(config.sourceFile, path)
      assert.deepEqual(config.namespaces, [{ ...defaultNamespaceConfig('bar'), replicationFactor: 1 }])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('errors in a file carry its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aerolite-config-'))
    try {
      const path = join(dir, 'aerospike.conf')
      writeFileSync(path, conf('namespace bar {', 'replication-factor 0', '}'))
      assert.throws(() => loadConfigFile(path, realDisk), (error: unknown) => {
        assert.ok(error instanceof ConfigError)
        assert.equal(error.file, path)
        assert.ok(error.message.startsWith(`${path}:2: namespace bar: replication-factor "0"`), error.message)
        return true
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a missing file throws a ConfigError naming the path and the OS reason', () => {
    const path = join(tmpdir(), 'aerolite-no-such-dir', 'aerospike.conf')
    assert.throws(() => loadConfigFile(path, realDisk), (error: unknown) => {
      assert.ok(error instanceof ConfigError)
      assert.equal(error.code, 'ERR_CONFIG')
      assert.equal(error.file, path)
      assert.equal(error.line, undefined)
      assert.equal(error.message, `${path}: cannot read config file: ENOENT: no such file or directory`)
      return true
    })
  })

  it('a directory is not a config file', () => {
    assert.throws(() => loadConfigFile(tmpdir(), realDisk), { code: 'ERR_CONFIG', message: new RegExp(`^${tmpdir()}: cannot read config file: EISDIR`) })
  })
})
