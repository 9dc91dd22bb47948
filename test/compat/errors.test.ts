// Error cases with the official Node client: bin names, unknown namespaces, record size limits,
// invalid GeoJSON, set-name mismatches, and that a failed write changes nothing.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  Aerospike, NS, freshKey, infoValue, parseKeyValues, rejectsWithCode, sendKeyPolicy, startHarness, uniqueName,
  type Harness,
} from './helpers.ts'
import { expectRecord } from './expect-record.ts'

const op = Aerospike.operations
/** AEROSPIKE_ERR_PARAM: the client refused the call before sending anything. */
const CLIENT_PARAM_ERROR = -2
const MAX_RECORD_SIZE = 4096

let h: Harness

before(async () => {
  h = await startHarness({ namespaceOverrides: { maxRecordSizeBytes: MAX_RECORD_SIZE } })
})

after(async () => {
  await h?.stop()
})

test('bin names of 15 bytes (also multi-byte UTF-8) are accepted', async () => {
  const key = freshKey('bin15')
  const bins = { abcdefghijklmno: 1, 'ééééééé1': 2 }
  assert.equal(Buffer.byteLength('ééééééé1'), 15)
  await h.client.put(key, bins)
  assert.deepEqual((await h.client.get(key)).bins, bins)
})

// Aerospike answers 21 (BIN_NAME) to a bin name of 16 bytes or more, but the Node client 6.7.1
// never sends one: put and operate fail locally with -2, select cuts the name to 15 bytes.
test('a bin name of 16 bytes is refused by the Node client before it reaches the server', async () => {
  const key = freshKey('bin16')
  await rejectsWithCode(h.client.put(key, { abcdefghijklmnop: 1 }), CLIENT_PARAM_ERROR, 'put with a 16-byte bin name')
  await rejectsWithCode(h.client.put(key, { 'éééééééé': 1 }), CLIENT_PARAM_ERROR, 'put with a 16-byte (8 character) bin name')
  await rejectsWithCode(h.client.operate(key, [op.write('abcdefghijklmnop', 1)]), CLIENT_PARAM_ERROR, 'operate write with a 16-byte bin name')
  await rejectsWithCode(h.client.operate(key, [op.read('abcdefghijklmnop')]), CLIENT_PARAM_ERROR, 'operate read with a 16-byte bin name')
  assert.equal(await h.client.exists(key), false)
  await h.client.put(key, { abcdefghijklmno: 15 })
  const selected = await h.client.select(key, ['abcdefghijklmnop'])
  assert.deepEqual(selected.bins, { abcdefghijklmno: 15 }, 'select truncates the name to its first 15 bytes')
})

// The client knows the namespaces from the partition map (`replicas`), so it answers 20 itself.
test('an unknown namespace fails with 20 (the client refuses it locally)', async () => {
  const key = new Aerospike.Key('no_such_ns', 'demo', 'k')
  await rejectsWithCode(h.client.put(key, { a: 1 }), 20, 'put to an unknown namespace')
  await rejectsWithCode(h.client.get(key), 20, 'get from an unknown namespace')
  await rejectsWithCode(h.client.remove(key), 20, 'remove from an unknown namespace')
  assert.equal(await infoValue(h.client, 'namespaces'), NS)
})

test('a record over max-record-size fails with 13 and leaves the stored record unchanged', async () => {
  const before = parseKeyValues(await infoValue(h.client, `namespace/${NS}`))
  const key = freshKey('toobig')
  await h.client.put(key, { s: 'x'.repeat(3000) })
  await rejectsWithCode(h.client.put(key, { s: 'y'.repeat(MAX_RECORD_SIZE + 1000) }), 13, 'put over max-record-size')
  await rejectsWithCode(h.client.append(key, { s: 'z'.repeat(2000) }), 13, 'append that grows the record over max-record-size')
  await rejectsWithCode(h.client.put(key, { b: Buffer.alloc(2000) }), 13, 'a new bin that grows the record over max-record-size')
  await expectRecord(h.client, key, { s: 'x'.repeat(3000) }, 1)
  const fresh = freshKey('toobig-new')
  await rejectsWithCode(h.client.put(fresh, { b: Buffer.alloc(MAX_RECORD_SIZE + 1) }), 13, 'new record over max-record-size')
  assert.equal(await h.client.exists(fresh), false)
  const after = parseKeyValues(await infoValue(h.client, `namespace/${NS}`))
  assert.equal(Number(after.fail_record_too_big) - Number(before.fail_record_too_big), 4)
})

test('invalid GeoJSON fails with 160 and no bin of the put is written', async () => {
  const key = freshKey('badgeo')
  await h.client.put(key, { a: 1 })
  await rejectsWithCode(h.client.put(key, { a: 2, g: new Aerospike.GeoJSON('{"type":"Nope","coordinates":[1,2]}') }), 160, 'unknown geometry type')
  await rejectsWithCode(h.client.put(key, { a: 2, g: new Aerospike.GeoJSON('{not json') }), 160, 'GeoJSON that does not parse')
  await expectRecord(h.client, key, { a: 1 }, 1)
})

test('a failed generation check, create-only or type error changes neither bins nor generation', async () => {
  const key = freshKey('unchanged')
  await h.client.put(key, { n: 1, s: 'a' })
  await rejectsWithCode(h.client.put(key, { n: 2 }, { gen: 9 }, new Aerospike.WritePolicy({ gen: Aerospike.policy.gen.EQ })), 3, 'generation mismatch')
  await rejectsWithCode(h.client.put(key, { n: 2 }, {}, new Aerospike.WritePolicy({ exists: Aerospike.policy.exists.CREATE })), 5, 'create-only')
  await rejectsWithCode(h.client.operate(key, [op.write('n', 2), op.incr('s', 1)]), 12, 'incr of a string bin')
  await expectRecord(h.client, key, { n: 1, s: 'a' }, 1)
})

test('a digest-only key with no set reads and removes a record that has a set (no set name = no check)', async () => {
  const key = freshKey('noset-read')
  const written = await h.client.put(key, { a: 1 })
  const setless = new Aerospike.Key(NS, null, undefined, written.digest)
  assert.deepEqual((await h.client.get(setless)).bins, { a: 1 })
  await h.client.remove(setless)
  assert.equal(await h.client.exists(key), false)
})

test('a digest-only key naming another set fails with 4 (set name mismatch) for get, put and remove', async () => {
  const key = freshKey('setmismatch')
  const written = await h.client.put(key, { a: 1 })
  const otherSet = new Aerospike.Key(NS, uniqueName('other'), undefined, written.digest)
  await rejectsWithCode(h.client.get(otherSet), 4, 'get with another set name')
  await rejectsWithCode(h.client.put(otherSet, { a: 2 }), 4, 'put with another set name')
  await rejectsWithCode(h.client.remove(otherSet), 4, 'remove with another set name')
  await expectRecord(h.client, key, { a: 1 }, 1)
})

test('a write through a digest-only key without a set to a record that has a set fails with 4', async () => {
  const key = freshKey('setless-write')
  const written = await h.client.put(key, { a: 1 })
  await rejectsWithCode(h.client.put(new Aerospike.Key(NS, null, undefined, written.digest), { a: 2 }), 4, 'set-less update of a record in a set')
  await expectRecord(h.client, key, { a: 1 }, 1)
})

// KEY_MISMATCH (19) needs a request whose KEY field differs from the stored key of the same digest.
// The Node client always computes the digest from the user key when it has one, so it cannot send
// such a request: a key with another user key simply addresses another record.
test('a key with a different user key addresses a different record (19 cannot be produced with this client)', async () => {
  const key = freshKey('keymismatch')
  const written = await h.client.put(key, { a: 1 }, {}, sendKeyPolicy())
  const other = new Aerospike.Key(NS, 'demo', `${String(key.key)}-other`, written.digest)
  await rejectsWithCode(h.client.get(other, new Aerospike.ReadPolicy({ key: Aerospike.policy.key.SEND })), 2, 'get with another user key')
  assert.notDeepEqual(other.digest, written.digest)
})
