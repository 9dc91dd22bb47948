// Specs the operator refuses: rules the CRD schema cannot state, and configs a node would refuse
// (found by the server's own parser). A refused spec changes nothing and says why in Degraded.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { desiredRacks, validateSpec, type AeroliteClusterSpec } from '../src/index.ts'
import { baseSpec, condition, kinds, World } from './world.ts'

const cluster = (spec: AeroliteClusterSpec) => ({ metadata: { name: 'db', namespace: 'prod', generation: 1 }, spec })
const messages = (spec: AeroliteClusterSpec): string[] => validateSpec(cluster(spec)).map((problem) => problem.message)

test('the base spec is valid', () => {
  assert.deepEqual(messages(baseSpec()), [])
})

test('config words that would change the file structure, and keys the operator writes, are refused', () => {
  const spec = baseSpec({ config: {
    service: { 'cluster-name': 'a }\nnamespace evil {', 'Bad_Key': 1 },
    network: { heartbeat: { mode: 'mesh' }, service: { address: '10.0.0.1', port: 3100 } },
    namespaces: [{ name: 'test', replicationFactor: 2, storage: { type: 'memory', dataSize: '1G', extra: { file: '/x' } }, extra: { 'rack-id': 3, 'default-ttl': '1 d' } }],
  } })
  assert.deepEqual(messages(spec), [
    'spec.config.service: cluster-name "a }\nnamespace evil {" is not one word of aerospike.conf',
    'spec.config.service: "Bad_Key" is not an aerospike.conf key',
    'spec.config.network.service: address is set by the operator',
    'spec.config.network.heartbeat: mode is set by the operator',
    'spec.config namespace test: rack-id is set by the operator',
    'spec.config namespace test: default-ttl "1 d" is not one word of aerospike.conf',
    'spec.config namespace test storage.extra: file is set by the operator',
  ])
})

test('racks: sizes that do not add up, an override of an unknown namespace, files on no volume', () => {
  assert.deepEqual(messages(baseSpec({ size: 3, racks: [{ id: 1, size: 2 }, { id: 2, size: 2 }] })), ["the racks' sizes add up to 4, more than spec.size 3"])
  assert.deepEqual(messages(baseSpec({ size: 5, racks: [{ id: 1, size: 2 }, { id: 2, size: 2 }] })), ["the racks' sizes add up to 4, not spec.size 5"])
  assert.deepEqual(messages(baseSpec({ racks: [{ id: 1, config: { namespaces: [{ name: 'other', extra: { 'default-ttl': 0 } }] } }] })), ['rack 1 config: namespace other is not in spec.config'])
  assert.deepEqual(messages(baseSpec({ racks: [{ id: 1, storage: { volumes: [{ name: 'data', path: '/data', size: '1Gi' }] } }] })), [
    'rack 1: file /var/lib/aerolite/test.dat of namespace test is on no storage volume (it would be lost with its pod)',
  ])
})

test('racks without a size share what the sized ones leave, the first ones taking the remainder', () => {
  const racks = desiredRacks(baseSpec({ size: 8, racks: [{ id: 1 }, { id: 2, size: 1 }, { id: 3 }, { id: 4 }] }))
  assert.deepEqual(racks.map((rack) => [rack.id, rack.replicas]), [[1, 3], [2, 1], [3, 2], [4, 2]])
})

test('storage, etcd, maxUnavailable, names', () => {
  assert.deepEqual(messages(baseSpec({ storage: { volumes: [{ name: 'Data', path: 'var', size: '10 GB' }] }, config: {
    namespaces: [{ name: 'test', replicationFactor: 2, storage: { type: 'memory', dataSize: '1G' } }],
  } })), [
    'spec.storage: volume name "Data" is not a DNS label',
    'spec.storage: volume Data path "var" is not absolute',
    'spec.storage: volume Data size "10 GB" is not a quantity (e.g. 50Gi)',
  ])
  assert.deepEqual(messages(baseSpec({ etcd: { endpoints: ['etcd'] } })), ['spec.etcd.endpoints: "etcd" is not HOST:PORT'])
  assert.deepEqual(messages(baseSpec({ maxUnavailable: '150%' })), ['spec.maxUnavailable "150%" is not a count or a percentage from 1% to 100%'])
  assert.deepEqual(messages(baseSpec({ maxUnavailable: 0 })), ['spec.maxUnavailable 0 is not a count of at least 1'])
  assert.deepEqual(validateSpec({ metadata: { name: 'x'.repeat(60), namespace: 'prod', generation: 1 }, spec: baseSpec() }).map((problem) => problem.message), [
    `StatefulSet name ${'x'.repeat(60)}-0 is longer than 52 characters: shorten the resource's name`,
  ])
})

test('a config the server would refuse is refused before any node sees it, with the parser\'s reason', () => {
  const world = new World(baseSpec({ config: {
    namespaces: [{ name: 'test', replicationFactor: 2, storage: { type: 'memory', dataSize: '1G' }, extra: { 'default-ttl': '10d', 'max-ttl': '1d' } }],
  } }))
  const refused = world.step()
  assert.deepEqual(kinds(refused), [])
  assert.equal(refused.status.phase, 'Error')
  const degraded = condition(refused, 'Degraded')
  assert.equal(degraded.reason, 'InvalidSpec')
  assert.match(degraded.message, /^rack 0: a node would refuse the rendered config: namespace test: default-ttl 10d is greater than max-ttl 1d/)
  assert.equal(refused.events[0]?.type, 'Warning')

  const unknownKey = new World(baseSpec({ config: { service: { 'no-such-key': 1 }, namespaces: baseSpec().config.namespaces } })).step()
  assert.match(condition(unknownKey, 'Degraded').message, /no-such-key/)
})
