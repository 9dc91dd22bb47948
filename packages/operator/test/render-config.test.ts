// The rendered aerospike.conf, read back by the server's own parser: what a node would run.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseConfig, type ServerConfig } from '@aerolite/server/config'
import { realEnv } from '@aerolite/server'
import { desiredRacks, renderConfig, renderRackConfig, type AeroliteClusterSpec, type DesiredRack } from '../src/index.ts'
import { baseSpec } from './world.ts'

const GiB = 1024 ** 3

function rack(spec: AeroliteClusterSpec, id: number): DesiredRack {
  const found = desiredRacks(spec).find((candidate) => candidate.id === id)
  assert.ok(found, `no rack ${id}`)
  return found
}

function rendered(spec: AeroliteClusterSpec, rackId: number): ServerConfig {
  const text = renderConfig({ clusterName: 'orders', etcdEndpoints: spec.etcd.endpoints, rack: rack(spec, rackId) })
  return parseConfig(text, 'aerolite.conf', realEnv.disk)
}

const spec = baseSpec({
  etcd: { endpoints: ['etcd-0.etcd:2379', '10.0.0.7:2379'] },
  racks: [
    { id: 1, zone: 'a' },
    {
      id: 7,
      zone: 'b',
      storage: { volumes: [{ name: 'data', path: '/data', size: '50Gi' }] },
      config: {
        service: { 'proto-fd-max': 20000 },
        network: { http: { port: 9200 } },
        namespaces: [{ name: 'orders', storage: { type: 'device', files: ['/data/a.dat', '/data/b.dat'], fileSize: '8G', compression: 'zstd' }, extra: { 'default-ttl': '1d' } }],
      },
    },
  ],
  storage: { volumes: [{ name: 'data', path: '/var/lib/aerolite', size: '10Gi' }] },
  config: {
    service: { 'proto-fd-max': 10000, 'migrate-threads': 2 },
    network: { heartbeat: { interval: 250, timeout: 8 }, service: { port: 3100 } },
    namespaces: [
      { name: 'orders', replicationFactor: 2, storage: { type: 'device', files: ['/var/lib/aerolite/orders.dat'], fileSize: '4G', compression: 'lz4', extra: { 'flush-max-ms': 500 } }, extra: { 'default-ttl': '30d', 'nsup-period': 60 } },
      { name: 'cache', replicationFactor: 1, storage: { type: 'memory', dataSize: '2G' } },
    ],
  },
})

test('the cluster config with the rack id, etcd, the container addresses and the default ports, as the server reads it', () => {
  const config = rendered(spec, 1)
  assert.equal(config.service.clusterName, 'orders')
  assert.equal(config.service.protoFdMax, 10000)
  assert.equal(config.service.migrateThreads, 2)
  assert.deepEqual(config.network.service, { address: '0.0.0.0', port: 3100 })
  assert.deepEqual(config.network.fabric, { address: '0.0.0.0', port: 3001 })
  assert.deepEqual(config.network.http, { address: '0.0.0.0', port: 9145 })
  assert.deepEqual(config.network.heartbeat, {
    mode: 'etcd',
    etcdEndpoints: [{ host: 'etcd-0.etcd', port: 2379 }, { host: '10.0.0.7', port: 2379 }],
    intervalMs: 250,
    timeoutCount: 8,
  })
  const [orders, cache] = config.namespaces
  assert.equal(orders?.name, 'orders')
  assert.equal(orders?.rackId, 1)
  assert.equal(orders?.replicationFactor, 2)
  assert.equal(orders?.defaultTtlSeconds, 30 * 86400)
  assert.equal(orders?.nsupPeriodSeconds, 60)
  assert.equal(orders?.storage.engine, 'device')
  assert.deepEqual(orders?.storage.files, ['/var/lib/aerolite/orders.dat'])
  assert.equal(orders?.storage.fileSizeBytes, 4 * GiB)
  assert.equal(orders?.storage.compression, 'lz4')
  assert.equal(orders?.storage.flushMaxMs, 500)
  assert.equal(cache?.rackId, 1)
  assert.equal(cache?.replicationFactor, 1)
  assert.equal(cache?.storage.engine, 'memory')
  assert.equal(cache?.storage.dataSizeBytes, 2 * GiB)
})

test("a rack's overrides: merged keys, replaced storage, its own rack id", () => {
  const config = rendered(spec, 7)
  assert.equal(config.service.protoFdMax, 20000)
  assert.equal(config.service.migrateThreads, 2)
  assert.equal(config.network.http.port, 9200)
  assert.equal(config.network.heartbeat.intervalMs, 250)
  const [orders, cache] = config.namespaces
  assert.equal(orders?.rackId, 7)
  assert.equal(cache?.rackId, 7)
  assert.equal(orders?.defaultTtlSeconds, 86400)
  assert.equal(orders?.nsupPeriodSeconds, 60)
  assert.deepEqual(orders?.storage.files, ['/data/a.dat', '/data/b.dat'])
  assert.equal(orders?.storage.fileSizeBytes, 8 * GiB)
  assert.equal(orders?.storage.compression, 'zstd')
  // The storage block is replaced, not merged: the cluster's flush-max-ms is gone.
  assert.equal(orders?.storage.flushMaxMs, 1000)
})

test('the same spec renders the same text whatever the order of its maps', () => {
  const reordered = structuredClone(spec)
  reordered.config.service = { 'migrate-threads': 2, 'proto-fd-max': 10000 }
  reordered.config.network = { service: { port: 3100 }, heartbeat: { timeout: 8, interval: 250 } }
  const input = (from: AeroliteClusterSpec) => ({ clusterName: 'orders', etcdEndpoints: from.etcd.endpoints, rack: rack(from, 1) })
  assert.equal(renderConfig(input(reordered)), renderConfig(input(spec)))
  assert.equal(renderRackConfig(input(reordered)).configHash, renderRackConfig(input(spec)).configHash)
})

test('the config hash: the same for changes set-config makes, another for changes that need a restart', () => {
  const hash = (change: (copy: AeroliteClusterSpec) => void): string => {
    const copy = structuredClone(spec)
    change(copy)
    return renderRackConfig({ clusterName: 'orders', etcdEndpoints: copy.etcd.endpoints, rack: rack(copy, 1) }).configHash
  }
  const base = hash(() => {})
  assert.match(base, /^[0-9a-f]{16}$/)
  // set-config changes these at run time.
  assert.equal(hash((copy) => { copy.config.namespaces[0]!.extra!['default-ttl'] = '1h' }), base)
  assert.equal(hash((copy) => { copy.config.service!['proto-fd-max'] = 5000 }), base)
  assert.equal(hash((copy) => { copy.config.namespaces[0]!.storage.extra = { 'flush-max-ms': 2000 } }), base)
  // Written differently, read the same: no restart.
  assert.equal(hash((copy) => { copy.config.namespaces[1]!.storage.dataSize = '2048M' }), base)
  // These need a restart.
  assert.notEqual(hash((copy) => { copy.config.namespaces[1]!.storage.dataSize = '3G' }), base)
  assert.notEqual(hash((copy) => { copy.config.namespaces[0]!.storage.compression = 'zstd' }), base)
  assert.notEqual(hash((copy) => { copy.config.network!.heartbeat!['interval'] = 300 }), base)
  assert.notEqual(hash((copy) => { copy.etcd.endpoints = ['etcd-0.etcd:2379'] }), base)
  assert.notEqual(hash((copy) => { copy.config.namespaces[0]!.replicationFactor = 3 }), base)
  assert.notEqual(hash((copy) => { copy.config.namespaces[0]!.extra!['tomb-raider-eligible-age'] = 3600 }), base)
})
