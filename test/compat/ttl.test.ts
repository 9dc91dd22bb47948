// TTLs with the official Node client: explicit, never-expire, namespace default, don't-update, limits,
// nsup-period 0, expiry, touch and read-touch-ttl-pct. The client reports ttl = void time - now
// (whole seconds), so a record written with ttl N reads back as N or N-1.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  Aerospike, assertTtlBetween, freshKey, infoValue, rejectsWithCode, sleep, startHarness, type Harness,
} from './helpers.ts'

const op = Aerospike.operations
const ttl = Aerospike.ttl
/** Read policies that override the namespace's read-touch-ttl-pct. */
const noTouch = () => new Aerospike.ReadPolicy({ readTouchTtlPercent: -1 })
const touchPct = (pct: number) => new Aerospike.ReadPolicy({ readTouchTtlPercent: pct })

/** Default namespace: default-ttl 0, nsup-period 120. */
let main: Harness
/** default-ttl 100. */
let withDefault: Harness
/** max-ttl 100 (a limit older Aerospike versions had; ttls above it answer 4). */
let withMaxTtl: Harness
/** nsup-period 0 and allow-ttl-without-nsup false: writes with a ttl answer 22. */
let noNsup: Harness
/** default-read-touch-ttl-pct 50. */
let readTouch: Harness

before(async () => {
  ;[main, withDefault, withMaxTtl, noNsup, readTouch] = await Promise.all([
    startHarness(),
    startHarness({ namespaceOverrides: { defaultTtlSeconds: 100 } }),
    startHarness({ namespaceOverrides: { maxTtlSeconds: 100 } }),
    startHarness({ namespaceOverrides: { nsupPeriodSeconds: 0, allowTtlWithoutNsup: false, defaultTtlSeconds: 0 } }),
    startHarness({ namespaceOverrides: { readTouchTtlPercent: 50 } }),
  ])
})

after(async () => {
  await Promise.all([main, withDefault, withMaxTtl, noNsup, readTouch].map((h) => h?.stop()))
})

test('put with ttl N reads back ttl N (or N-1) from get, existsWithMetadata and operate', async () => {
  const key = freshKey('ttl')
  await main.client.put(key, { a: 1 }, { ttl: 1000 })
  assertTtlBetween((await main.client.get(key)).ttl, 999, 1000, 'get')
  assertTtlBetween((await main.client.existsWithMetadata(key)).ttl, 999, 1000, 'existsWithMetadata')
  const result = await main.client.operate(key, [op.write('b', 2), op.read('b')], { ttl: 2000 })
  assertTtlBetween(result.ttl, 1999, 2000, 'operate reply')
  assertTtlBetween((await main.client.get(key)).ttl, 1999, 2000, 'get after operate')
})

test('ttl -1 (NEVER_EXPIRE) makes a record never expire, also when it had a ttl', async () => {
  const key = freshKey('never')
  await main.client.put(key, { a: 1 }, { ttl: 1000 })
  await main.client.put(key, { a: 2 }, { ttl: ttl.NEVER_EXPIRE })
  assert.equal((await main.client.get(key)).ttl, -1)
  // NEVER_EXPIRE is allowed even where ttls are not (nsup-period 0).
  const other = freshKey('never-nonsup')
  await noNsup.client.put(other, { a: 1 }, { ttl: -1 })
  assert.equal((await noNsup.client.get(other)).ttl, -1)
})

test('ttl 0 (NAMESPACE_DEFAULT) takes the namespace default-ttl', async () => {
  const key = freshKey('nsdefault')
  await withDefault.client.put(key, { a: 1 }, { ttl: ttl.NAMESPACE_DEFAULT })
  assertTtlBetween((await withDefault.client.get(key)).ttl, 99, 100)
  // A put without a ttl uses the client default, which is the namespace default.
  const plain = freshKey('nsdefault-plain')
  await withDefault.client.put(plain, { a: 1 })
  assertTtlBetween((await withDefault.client.get(plain)).ttl, 99, 100)
  // With default-ttl 0 the record never expires.
  const key0 = freshKey('nsdefault-0')
  await main.client.put(key0, { a: 1 }, { ttl: 0 })
  assert.equal((await main.client.get(key0)).ttl, -1)
})

test('a later write with ttl 0 resets the ttl to the namespace default', async () => {
  const key = freshKey('reset')
  await withDefault.client.put(key, { a: 1 }, { ttl: 5000 })
  await withDefault.client.put(key, { a: 2 }, { ttl: 0 })
  assertTtlBetween((await withDefault.client.get(key)).ttl, 99, 100)
})

test('ttl -2 (DONT_UPDATE) keeps the existing ttl; on a new record it means the namespace default', async () => {
  const key = freshKey('dontupdate')
  await main.client.put(key, { a: 1 }, { ttl: 1000 })
  await main.client.put(key, { a: 2 }, { ttl: ttl.DONT_UPDATE })
  const record = await main.client.get(key)
  assert.deepEqual(record.bins, { a: 2 })
  assert.equal(record.gen, 2)
  assertTtlBetween(record.ttl, 999, 1000)
  const neverKey = freshKey('dontupdate-never')
  await main.client.put(neverKey, { a: 1 }, { ttl: -1 })
  await main.client.put(neverKey, { a: 2 }, { ttl: -2 })
  assert.equal((await main.client.get(neverKey)).ttl, -1)
  const fresh = freshKey('dontupdate-new')
  await withDefault.client.put(fresh, { a: 1 }, { ttl: ttl.DONT_UPDATE })
  assertTtlBetween((await withDefault.client.get(fresh)).ttl, 99, 100)
})

test('ttls up to ten years are accepted; above ten years the write fails with 4', async () => {
  const key = freshKey('tenyears')
  const tenYears = 10 * 365 * 24 * 3600
  await main.client.put(key, { a: 1 }, { ttl: tenYears })
  assertTtlBetween((await main.client.get(key)).ttl, tenYears - 1, tenYears)
  await rejectsWithCode(main.client.put(key, { a: 2 }, { ttl: tenYears + 1 }), 4, 'ttl of ten years and a second')
  assert.deepEqual((await main.client.get(key)).bins, { a: 1 })
})

test('max-ttl: a ttl above it fails with 4 and changes nothing, for put and touch', async () => {
  const key = freshKey('maxttl')
  await withMaxTtl.client.put(key, { a: 1 }, { ttl: 100 })
  assertTtlBetween((await withMaxTtl.client.get(key)).ttl, 99, 100)
  await rejectsWithCode(withMaxTtl.client.put(key, { a: 2 }, { ttl: 101 }), 4, 'put with ttl 101 over max-ttl 100')
  await rejectsWithCode(withMaxTtl.client.operate(key, [op.touch(101)]), 4, 'touch with ttl 101 over max-ttl 100')
  const record = await withMaxTtl.client.get(key)
  assert.deepEqual(record.bins, { a: 1 })
  assert.equal(record.gen, 1)
  await rejectsWithCode(withMaxTtl.client.put(freshKey('maxttl-new'), { a: 1 }, { ttl: 3600 }), 4, 'new record with ttl over max-ttl')
})

test('nsup-period 0 without allow-ttl-without-nsup: a write with a ttl fails with 22; set-config can allow it', async () => {
  const key = freshKey('nonsup')
  await rejectsWithCode(noNsup.client.put(key, { a: 1 }, { ttl: 10 }), 22, 'ttl 10 with nsup-period 0')
  assert.equal(await noNsup.client.exists(key), false)
  // default-ttl 0 means no ttl, which is allowed.
  await noNsup.client.put(key, { a: 1 }, { ttl: 0 })
  assert.equal((await noNsup.client.get(key)).ttl, -1)
  await rejectsWithCode(noNsup.client.operate(key, [op.touch(10)]), 22, 'touch with ttl 10 with nsup-period 0')
  assert.equal(await infoValue(noNsup.client, 'set-config:context=namespace;id=test;allow-ttl-without-nsup=true'), 'ok')
  await noNsup.client.put(key, { a: 2 }, { ttl: 10 })
  assertTtlBetween((await noNsup.client.get(key)).ttl, 9, 10)
})

test('touch resets the ttl and bumps the generation without changing bins', async () => {
  const key = freshKey('touch')
  await main.client.put(key, { a: 1 }, { ttl: 100 })
  const touched = await main.client.operate(key, [op.touch(5000)])
  assert.equal(touched.gen, 2)
  assertTtlBetween(touched.ttl, 4999, 5000, 'touch reply')
  const record = await main.client.get(key)
  assert.deepEqual(record.bins, { a: 1 })
  assert.equal(record.gen, 2)
  assertTtlBetween(record.ttl, 4999, 5000, 'get after touch')
  await rejectsWithCode(main.client.operate(freshKey('touch-missing'), [op.touch(100)]), 2, 'touch of a missing record')
})

test('a read-touch leaves the generation unchanged (Aerospike does not count it as a write)', async () => {
  const key = freshKey('rt-gen')
  await main.client.put(key, { a: 1 }, { ttl: 100 })
  // 100% means any read is within the touch window.
  assert.equal((await main.client.get(key, touchPct(100))).gen, 1)
  await main.client.get(key, touchPct(100))
  assert.equal((await main.client.get(key, noTouch())).gen, 1)
  await main.client.put(key, { a: 2 }, { gen: 1 }, new Aerospike.WritePolicy({ gen: Aerospike.policy.gen.EQ }))
})

test('readTouchTtlPercent above 100 fails with 4 on a record with a ttl', async () => {
  const key = freshKey('rt-101')
  await main.client.put(key, { a: 1 }, { ttl: 100 })
  await rejectsWithCode(main.client.get(key, touchPct(101)), 4, 'get with readTouchTtlPercent 101')
})

// The tests below wait for the clock; they run concurrently so the file stays fast.
describe('waiting on the clock', { concurrency: true }, () => {
  test('a record with ttl 1 is gone after about two seconds (get 2, exists false, remove 2)', async () => {
    const key = freshKey('expire')
    const written = await main.client.operate(key, [op.write('a', 1), op.read('a')], { ttl: 1 })
    assert.equal(written.ttl, 1)
    await sleep(2100)
    await rejectsWithCode(main.client.get(key), 2, 'get after expiry')
    assert.equal(await main.client.exists(key), false)
    await rejectsWithCode(main.client.remove(key), 2, 'remove after expiry')
    // A write after expiry creates a fresh record.
    await main.client.put(key, { b: 2 })
    const record = await main.client.get(key)
    assert.deepEqual(record.bins, { b: 2 })
    assert.equal(record.gen, 1)
  })

  test('a record is still readable during the second of its void time (Aerospike expires when void time < now)', async () => {
    // Start right after a second boundary so the put and its void time are in known seconds.
    await sleep(1000 - (Date.now() % 1000) + 20)
    const key = freshKey('expire-edge')
    await main.client.put(key, { a: 1 }, { ttl: 1 })
    // Now inside the next second: void time == now. Aerospike still serves the record.
    await sleep(1000 - (Date.now() % 1000) + 100)
    const record = await main.client.get(key, noTouch())
    assert.deepEqual(record.bins, { a: 1 })
  })

  test('read-touch by policy: a read inside the window reports the old ttl and resets it for later reads', async () => {
    const key = freshKey('rt-policy')
    await main.client.put(key, { a: 1 }, { ttl: 10 })
    await sleep(2100)
    // 100% of the ttl: every read is inside the window and touches.
    const first = await main.client.get(key, touchPct(100))
    assertTtlBetween(first.ttl, 6, 8, 'the touching read reports the ttl before the touch')
    const later = await main.client.get(key, noTouch())
    assertTtlBetween(later.ttl, 9, 10, 'a later read sees the reset ttl')
    assert.deepEqual(later.bins, { a: 1 })
  })

  test('read-touch from the namespace default-read-touch-ttl-pct; readTouchTtlPercent -1 never touches', async () => {
    const key = freshKey('rt-ns')
    await readTouch.client.put(key, { a: 1 }, { ttl: 4 })
    // More than 50% of the ttl left: no touch.
    assertTtlBetween((await readTouch.client.get(key)).ttl, 3, 4, 'read outside the window')
    await sleep(2100)
    // -1 overrides the namespace setting: no touch, however often.
    assertTtlBetween((await readTouch.client.get(key, noTouch())).ttl, 1, 2, 'read with -1')
    assertTtlBetween((await readTouch.client.get(key, noTouch())).ttl, 1, 2, 'second read with -1')
    // The default policy (0) uses the namespace's 50%: inside the window now.
    assertTtlBetween((await readTouch.client.get(key)).ttl, 1, 2, 'touching read reports the old ttl')
    assertTtlBetween((await readTouch.client.get(key, noTouch())).ttl, 3, 4, 'read after the touch')
  })
})
