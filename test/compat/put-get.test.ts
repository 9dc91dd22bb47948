// put / get / select / exists / remove with the official Node client: every particle type, key
// types, records with and without a set, stored keys, bin removal.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  Aerospike, NS, freshKey, infoValue, rejectsWithCode, sendKeyPolicy, startHarness, uniqueName, type Harness,
} from './helpers.ts'

let h: Harness

before(async () => {
  h = await startHarness()
})

after(async () => {
  await h?.stop()
})

test('integers round-trip: zero, negatives, the int64 extremes (BigInt) and the safe-integer edge', async () => {
  const key = freshKey('int')
  await h.client.put(key, {
    zero: 0,
    one: 1,
    neg: -1,
    negBig: -123456789012,
    safeMax: Number.MAX_SAFE_INTEGER,
    safeMin: Number.MIN_SAFE_INTEGER,
    beyondSafe: 2n ** 53n + 1n,
    max: 9223372036854775807n,
    min: -9223372036854775808n,
  })
  const record = await h.client.get(key)
  assert.deepEqual(record.bins, {
    zero: 0,
    one: 1,
    neg: -1,
    negBig: -123456789012,
    safeMax: Number.MAX_SAFE_INTEGER,
    safeMin: Number.MIN_SAFE_INTEGER,
    // Values outside the safe range come back as BigInt.
    beyondSafe: 9007199254740993n,
    max: 9223372036854775807n,
    min: -9223372036854775808n,
  })
})

test('doubles round-trip, and an integral Aerospike.Double is stored as a float', async () => {
  const key = freshKey('dbl')
  await h.client.put(key, {
    pi: 3.141592653589793,
    neg: -2.5,
    tiny: 5e-324,
    huge: 1.7976931348623157e308,
    whole: new Aerospike.Double(2),
    zero: new Aerospike.Double(0),
  })
  assert.deepEqual((await h.client.get(key)).bins, { pi: 3.141592653589793, neg: -2.5, tiny: 5e-324, huge: 1.7976931348623157e308, whole: 2, zero: 0 })
  // A float bin accepts a float increment; an integer bin would answer 12.
  await h.client.incr(key, { whole: new Aerospike.Double(0.5) })
  assert.equal((await h.client.get(key)).bins.whole, 2.5)
})

test('strings round-trip: ascii, unicode (multi-byte and astral), empty and long', async () => {
  const key = freshKey('str')
  const bins = { ascii: 'hello', uni: 'héllo wörld — 世界 🚀', empty: '', long: 'x'.repeat(100_000) }
  await h.client.put(key, bins)
  assert.deepEqual((await h.client.get(key)).bins, bins)
})

test('bytes round-trip: every byte value and an empty Buffer', async () => {
  const key = freshKey('bytes')
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
  await h.client.put(key, { all, empty: Buffer.alloc(0) })
  const bins = (await h.client.get(key)).bins
  assert.ok(Buffer.isBuffer(bins.all) && Buffer.isBuffer(bins.empty))
  assert.deepEqual(bins.all, all)
  assert.equal((bins.empty as Buffer).length, 0)
})

test('booleans round-trip', async () => {
  const key = freshKey('bool')
  await h.client.put(key, { t: true, f: false })
  assert.deepEqual((await h.client.get(key)).bins, { t: true, f: false })
})

test('lists and maps round-trip, nested and empty, with every scalar inside', async () => {
  const key = freshKey('cdt')
  const bins = {
    l: [1, -2, 'a', 2.5, true, false, null, Buffer.from([9, 8]), [1, [2, [3]]], { k: 'v' }, 9223372036854775807n],
    m: { a: 1, b: 'two', c: [1, 2], d: { e: { f: 'deep' } }, 'ü': 'unicode key', n: null },
    el: [],
    em: {},
  }
  await h.client.put(key, bins)
  assert.deepEqual((await h.client.get(key)).bins, bins)
})

test('GeoJSON round-trips (the Node client returns it as JSON text) and is stored as a GeoJSON particle', async () => {
  const key = freshKey('geo')
  const point = { type: 'Point', coordinates: [103.913, 1.308] }
  const polygon = { type: 'Polygon', coordinates: [[[-122.5, 37.0], [-121.0, 37.0], [-121.0, 38.08], [-122.5, 38.08], [-122.5, 37.0]]] }
  await h.client.put(key, { p: new Aerospike.GeoJSON(point), poly: new Aerospike.GeoJSON(polygon) })
  const bins = (await h.client.get(key)).bins
  assert.equal(typeof bins.p, 'string')
  assert.deepEqual(JSON.parse(bins.p as string), point)
  assert.deepEqual(JSON.parse(bins.poly as string), polygon)
  // Appending a string to a GeoJSON bin is a type mismatch (12), so the bin is not a plain string.
  await rejectsWithCode(h.client.append(key, { p: 'x' }), 12, 'append to a GeoJSON bin')
})

test('a fresh record has generation 1 and, in a namespace without default-ttl, ttl -1 (never expires)', async () => {
  const key = freshKey('meta')
  await h.client.put(key, { a: 1 })
  const record = await h.client.get(key)
  assert.equal(record.gen, 1)
  assert.equal(record.ttl, -1)
})

test('a second put merges bins and bumps the generation', async () => {
  const key = freshKey('merge')
  await h.client.put(key, { a: 1, b: 'x' })
  await h.client.put(key, { b: 'y', c: 3 })
  const record = await h.client.get(key)
  assert.deepEqual(record.bins, { a: 1, b: 'y', c: 3 })
  assert.equal(record.gen, 2)
})

test('select returns only the named bins and leaves out missing ones', async () => {
  const key = freshKey('select')
  await h.client.put(key, { a: 1, b: 'two', c: [3] })
  const record = await h.client.select(key, ['a', 'c', 'nope'])
  assert.deepEqual(record.bins, { a: 1, c: [3] })
  assert.equal(record.gen, 1)
  await rejectsWithCode(h.client.select(freshKey('select-missing'), ['a']), 2, 'select of a missing record')
})

test('exists and existsWithMetadata read the header only', async () => {
  const key = freshKey('exists')
  assert.equal(await h.client.exists(key), false)
  await h.client.put(key, { a: 1 })
  await h.client.put(key, { a: 2 })
  assert.equal(await h.client.exists(key), true)
  const header = await h.client.existsWithMetadata(key)
  assert.equal(header.bins, null)
  assert.equal(header.gen, 2)
  assert.equal(header.ttl, -1)
  const missing = await h.client.existsWithMetadata(freshKey('exists-missing'))
  assert.equal(missing.gen, null)
  assert.equal(missing.ttl, null)
})

test('get of a missing record fails with 2', async () => {
  await rejectsWithCode(h.client.get(freshKey('missing')), 2, 'get of a missing record')
})

test('records without a set (null set) are separate from records with a set and list no set', async () => {
  const name = uniqueName('noset')
  const noSet = new Aerospike.Key(NS, null, name)
  const inSet = new Aerospike.Key(NS, 'demo', name)
  await h.client.put(noSet, { where: 'no set' })
  await h.client.put(inSet, { where: 'demo' })
  assert.deepEqual((await h.client.get(noSet)).bins, { where: 'no set' })
  assert.deepEqual((await h.client.get(inSet)).bins, { where: 'demo' })
  assert.notDeepEqual(noSet.digest, inSet.digest)
  const sets = await infoValue(h.client, `sets/${NS}`)
  assert.doesNotMatch(sets, /(^|;)ns=test:set=:/, 'a record without a set must not create an empty-named set')
})

test('integer, string and bytes user keys address different records', async () => {
  const keys = [
    new Aerospike.Key(NS, 'keys', 0),
    new Aerospike.Key(NS, 'keys', -42),
    new Aerospike.Key(NS, 'keys', 2 ** 40),
    new Aerospike.Key(NS, 'keys', '0'),
    new Aerospike.Key(NS, 'keys', 'naïve ключ'),
    new Aerospike.Key(NS, 'keys', Buffer.from([0])),
    new Aerospike.Key(NS, 'keys', Buffer.from([0xde, 0xad, 0xbe, 0xef])),
  ]
  for (const [i, key] of keys.entries()) await h.client.put(key, { i }, {}, sendKeyPolicy())
  for (const [i, key] of keys.entries()) {
    const record = await h.client.get(key)
    assert.deepEqual(record.bins, { i }, `key ${String(key.key)}`)
  }
})

test('key policy SEND: a digest-only read finds the record; single-record replies carry no key (as Aerospike)', async () => {
  const key = freshKey('sendkey')
  const written = await h.client.put(key, { a: 1 }, {}, sendKeyPolicy())
  assert.ok(Buffer.isBuffer(written.digest))
  const byDigest = new Aerospike.Key(NS, 'demo', undefined, written.digest)
  const record = await h.client.get(byDigest)
  assert.deepEqual(record.bins, { a: 1 })
  // The server answers single-record reads with no fields, so the client cannot learn the key here.
  assert.equal(record.key.key, undefined)
  // With the user key, the client echoes the key it was given.
  assert.equal((await h.client.get(key)).key.key, key.key)
})

test('key policy SEND: a scan of the set returns the stored user key; DIGEST stores none', async () => {
  const set = uniqueName('scanset')
  await h.client.put(new Aerospike.Key(NS, set, 'sent'), { a: 1 }, {}, sendKeyPolicy())
  await h.client.put(new Aerospike.Key(NS, set, 'digest-only'), { a: 2 })
  const records = await h.client.scan(NS, set).results()
  const keys = records.map((r) => [r.bins.a, r.key.key]).sort((x, y) => Number(x[0]) - Number(y[0]))
  assert.deepEqual(keys, [[1, 'sent'], [2, undefined]])
})

test('remove deletes the record; a second remove fails with 2', async () => {
  const key = freshKey('remove')
  await h.client.put(key, { a: 1 })
  const removed = await h.client.remove(key)
  assert.equal(removed.key, key.key)
  await rejectsWithCode(h.client.get(key), 2, 'get after remove')
  assert.equal(await h.client.exists(key), false)
  await rejectsWithCode(h.client.remove(key), 2, 'remove of a missing record')
})

test('a record re-created after remove starts again at generation 1 with only the new bins', async () => {
  const key = freshKey('recreate')
  await h.client.put(key, { a: 1 })
  await h.client.put(key, { b: 2 })
  await h.client.remove(key)
  await h.client.put(key, { c: 3 })
  const record = await h.client.get(key)
  assert.deepEqual(record.bins, { c: 3 })
  assert.equal(record.gen, 1)
})

test('writing null removes a bin; removing the last bin removes the record', async () => {
  const key = freshKey('rmbin')
  await h.client.put(key, { a: 1, b: 2 })
  await h.client.put(key, { b: null })
  const record = await h.client.get(key)
  assert.deepEqual(record.bins, { a: 1 })
  assert.equal(record.gen, 2)
  // Removing a bin that does not exist changes no bins but is still a write.
  await h.client.put(key, { nope: null, a: 5 })
  assert.deepEqual((await h.client.get(key)).bins, { a: 5 })
  await h.client.put(key, { a: null })
  await rejectsWithCode(h.client.get(key), 2, 'get after the last bin was removed')
})

test('a put of only null bins on a missing record fails with 2 and creates nothing', async () => {
  const key = freshKey('nullput')
  await rejectsWithCode(h.client.put(key, { a: null }), 2, 'put {a: null} on a missing record')
  assert.equal(await h.client.exists(key), false)
})
