// operate() with the official Node client: incr, append/prepend, reads between writes, touch,
// delete, bin removal, atomicity of a failing operate, and results per op.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Aerospike, assertTtlBetween, freshKey, rejectsWithCode, startHarness, type Harness } from './helpers.ts'
import { expectRecord } from './expect-record.ts'

const op = Aerospike.operations
const Double = Aerospike.Double

let h: Harness

before(async () => {
  h = await startHarness()
})

after(async () => {
  await h?.stop()
})

test('incr adds to an integer bin, creates missing bins and missing records', async () => {
  const key = freshKey('incr')
  await h.client.incr(key, { n: 5 })
  await expectRecord(h.client, key, { n: 5 }, 1)
  await h.client.incr(key, { n: 10, m: -3 })
  await expectRecord(h.client, key, { n: 15, m: -3 }, 2)
  const result = await h.client.operate(key, [op.incr('n', -20), op.read('n')])
  assert.deepEqual(result.bins, { n: -5 })
  assert.equal(result.gen, 3)
})

test('incr wraps around at the int64 limits as a 64-bit add', async () => {
  const key = freshKey('incr-wrap')
  await h.client.put(key, { max: 9223372036854775807n, min: -9223372036854775808n })
  await h.client.incr(key, { max: 1, min: -1 })
  assert.deepEqual((await h.client.get(key)).bins, { max: -9223372036854775808n, min: 9223372036854775807n })
})

test('incr with Aerospike.Double adds to a float bin and creates a float bin', async () => {
  const key = freshKey('incr-float')
  await h.client.put(key, { f: 1.5 })
  const result = await h.client.operate(key, [op.incr('f', new Double(0.25)), op.incr('g', new Double(2)), op.read('f'), op.read('g')])
  assert.deepEqual(result.bins, { f: 1.75, g: 2 })
  // g was created as a float: a further float increment works.
  await h.client.incr(key, { g: new Double(0.5) })
  assert.deepEqual((await h.client.get(key)).bins, { f: 1.75, g: 2.5 })
})

test('incr of the other numeric type, or of a string bin, fails with 12 and changes nothing', async () => {
  const key = freshKey('incr-type')
  await h.client.put(key, { i: 1, f: 1.5, s: 'text', b: Buffer.from([1]) })
  await rejectsWithCode(h.client.incr(key, { i: new Double(0.5) }), 12, 'float incr of an integer bin')
  await rejectsWithCode(h.client.incr(key, { f: 1 }), 12, 'integer incr of a float bin')
  await rejectsWithCode(h.client.incr(key, { s: 1 }), 12, 'incr of a string bin')
  await rejectsWithCode(h.client.incr(key, { b: 1 }), 12, 'incr of a bytes bin')
  await expectRecord(h.client, key, { i: 1, f: 1.5, s: 'text', b: Buffer.from([1]) }, 1)
})

test('append and prepend strings, creating the bin when missing', async () => {
  const key = freshKey('append')
  await h.client.put(key, { s: 'mid' })
  await h.client.append(key, { s: '-end', t: 'new' })
  await h.client.prepend(key, { s: 'start-' })
  await expectRecord(h.client, key, { s: 'start-mid-end', t: 'new' }, 3)
  await h.client.append(key, { s: ' ünï 🚀' })
  assert.equal((await h.client.get(key)).bins.s, 'start-mid-end ünï 🚀')
})

test('append and prepend bytes', async () => {
  const key = freshKey('append-bytes')
  await h.client.put(key, { b: Buffer.from([2]) })
  await h.client.prepend(key, { b: Buffer.from([0, 1]) })
  await h.client.append(key, { b: Buffer.from([3]) })
  assert.deepEqual((await h.client.get(key)).bins.b, Buffer.from([0, 1, 2, 3]))
})

test('append or prepend of a mismatched type fails with 12 and changes nothing', async () => {
  const key = freshKey('append-type')
  await h.client.put(key, { s: 'text', b: Buffer.from([1]), i: 7 })
  await rejectsWithCode(h.client.append(key, { b: 'x' }), 12, 'append a string to bytes')
  await rejectsWithCode(h.client.prepend(key, { s: Buffer.from([1]) }), 12, 'prepend bytes to a string')
  await rejectsWithCode(h.client.append(key, { i: 'x' }), 12, 'append a string to an integer')
  await expectRecord(h.client, key, { s: 'text', b: Buffer.from([1]), i: 7 }, 1)
})

test('a read between writes sees the earlier ops, not the later ones', async () => {
  const key = freshKey('read-middle')
  await h.client.put(key, { n: 1, s: 'a' })
  const result = await h.client.operate(key, [
    op.incr('n', 10),
    op.read('n'),
    op.write('n', 100),
    op.append('s', 'b'),
    op.read('s'),
    op.write('s', 'zzz'),
  ])
  assert.deepEqual(result.bins, { n: 11, s: 'ab' })
  assert.equal(result.gen, 2)
  await expectRecord(h.client, key, { n: 100, s: 'zzz' }, 2)
})

test('a read of a bin the ops removed returns nothing for it', async () => {
  const key = freshKey('read-removed')
  await h.client.put(key, { a: 1, b: 2 })
  const result = await h.client.operate(key, [op.write('a', null), op.read('a'), op.read('b')])
  assert.deepEqual(result.bins, { b: 2 })
  await expectRecord(h.client, key, { b: 2 }, 2)
})

test('write of null (op.write) removes a bin; removing every bin removes the record', async () => {
  const key = freshKey('write-null')
  await h.client.put(key, { a: 1, b: 2 })
  await h.client.operate(key, [op.write('b', null)])
  await expectRecord(h.client, key, { a: 1 }, 2)
  await h.client.operate(key, [op.write('a', null)])
  await rejectsWithCode(h.client.get(key), 2, 'get after removing the last bin')
})

test('touch op keeps the bins, bumps the generation and sets the ttl', async () => {
  const key = freshKey('touch')
  await h.client.put(key, { a: 1 })
  const result = await h.client.operate(key, [op.touch(3000), op.read('a')])
  assert.deepEqual(result.bins, { a: 1 })
  assert.equal(result.gen, 2)
  assertTtlBetween(result.ttl, 2999, 3000)
  await expectRecord(h.client, key, { a: 1 }, 2)
})

test('touch op on a missing record fails with 2 and creates nothing', async () => {
  const key = freshKey('touch-missing')
  await rejectsWithCode(h.client.operate(key, [op.touch(100)]), 2, 'touch of a missing record')
  await rejectsWithCode(h.client.operate(key, [op.touch(100), op.write('a', 1)]), 2, 'touch + write on a missing record')
  assert.equal(await h.client.exists(key), false)
})

test('delete op removes the record', async () => {
  const key = freshKey('delete')
  await h.client.put(key, { a: 1, b: 2 })
  await h.client.operate(key, [op.delete()])
  await rejectsWithCode(h.client.get(key), 2, 'get after delete op')
})

test('delete op followed by writes leaves only the new bins', async () => {
  const key = freshKey('delete-write')
  await h.client.put(key, { a: 1, b: 2 })
  const result = await h.client.operate(key, [op.read('a'), op.delete(), op.write('c', 3), op.read('c')])
  assert.deepEqual(result.bins, { a: 1, c: 3 })
  await expectRecord(h.client, key, { c: 3 }, 2)
})

test('delete op on a missing record fails with 2', async () => {
  await rejectsWithCode(h.client.operate(freshKey('delete-missing'), [op.delete()]), 2, 'delete op on a missing record')
})

test('operate with only reads on a missing record fails with 2', async () => {
  await rejectsWithCode(h.client.operate(freshKey('reads-missing'), [op.read('a'), op.read('b')]), 2, 'read-only operate on a missing record')
})

test('a failing op leaves the whole record unchanged (earlier ops of the same operate are not applied)', async () => {
  const key = freshKey('atomic')
  await h.client.put(key, { n: 1, s: 'text' })
  await rejectsWithCode(h.client.operate(key, [op.incr('n', 1), op.write('x', 'new'), op.incr('s', 1)]), 12, 'operate whose last op fails')
  await expectRecord(h.client, key, { n: 1, s: 'text' }, 1)
  const fresh = freshKey('atomic-new')
  await rejectsWithCode(h.client.operate(fresh, [op.write('a', 1), op.append('a', 'x')]), 12, 'operate on a missing record whose second op fails')
  assert.equal(await h.client.exists(fresh), false)
})

test('a map op makes the client ask for a result per op (respond-all-ops); writes answer nil, reads their value', async () => {
  const key = freshKey('respond-all')
  await h.client.put(key, { a: 0, m: { x: 1 } })
  const result = await h.client.operate(key, [op.write('a', 1), Aerospike.maps.put('m', 'k', 7), op.read('a')])
  // Results, in order: a -> nil (write), m -> 2 (map size after put), a -> 1 (read); the last value per name wins.
  assert.deepEqual(result.bins, { a: 1, m: 2 })
  await expectRecord(h.client, key, { a: 1, m: { x: 1, k: 7 } }, 2)
})
