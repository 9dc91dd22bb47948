// Write policies with the official Node client: exists policies, generation policies, durable delete.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Aerospike, freshKey, rejectsWithCode, startHarness, type Harness } from './helpers.ts'
import { expectRecord } from './expect-record.ts'

const exists = Aerospike.policy.exists
const gen = Aerospike.policy.gen
const op = Aerospike.operations

let h: Harness

before(async () => {
  h = await startHarness()
})

after(async () => {
  await h?.stop()
})

function writePolicy(props: Record<string, unknown>) {
  return new Aerospike.WritePolicy(props)
}

test('exists IGNORE (default) creates a missing record and merges into an existing one', async () => {
  const key = freshKey('ignore')
  await h.client.put(key, { a: 1 }, {}, writePolicy({ exists: exists.IGNORE }))
  await h.client.put(key, { b: 2 }, {}, writePolicy({ exists: exists.IGNORE }))
  await expectRecord(h.client, key, { a: 1, b: 2 }, 2)
})

test('exists UPDATE (update-only) fails with 2 on a missing record and merges into an existing one', async () => {
  const key = freshKey('update')
  await rejectsWithCode(h.client.put(key, { a: 1 }, {}, writePolicy({ exists: exists.UPDATE })), 2, 'update-only on a missing record')
  assert.equal(await h.client.exists(key), false)
  await h.client.put(key, { a: 1, b: 2 })
  await h.client.put(key, { b: 3 }, {}, writePolicy({ exists: exists.UPDATE }))
  await expectRecord(h.client, key, { a: 1, b: 3 }, 2)
})

test('exists REPLACE (replace-only) fails with 2 on a missing record and drops the bins it does not name', async () => {
  const key = freshKey('replace')
  await rejectsWithCode(h.client.put(key, { a: 1 }, {}, writePolicy({ exists: exists.REPLACE })), 2, 'replace-only on a missing record')
  assert.equal(await h.client.exists(key), false)
  await h.client.put(key, { a: 1, b: 2, c: 3 })
  await h.client.put(key, { b: 20 }, {}, writePolicy({ exists: exists.REPLACE }))
  await expectRecord(h.client, key, { b: 20 }, 2)
})

test('exists CREATE (create-only) fails with 5 on an existing record and leaves it unchanged', async () => {
  const key = freshKey('create')
  await h.client.put(key, { a: 1 }, {}, writePolicy({ exists: exists.CREATE }))
  await expectRecord(h.client, key, { a: 1 }, 1)
  await rejectsWithCode(h.client.put(key, { a: 2, b: 2 }, {}, writePolicy({ exists: exists.CREATE })), 5, 'create-only on an existing record')
  await expectRecord(h.client, key, { a: 1 }, 1)
})

test('exists CREATE_OR_REPLACE creates a missing record and replaces all bins of an existing one', async () => {
  const key = freshKey('cor')
  await h.client.put(key, { a: 1, b: 2 }, {}, writePolicy({ exists: exists.CREATE_OR_REPLACE }))
  await expectRecord(h.client, key, { a: 1, b: 2 }, 1)
  await h.client.put(key, { c: 3 }, {}, writePolicy({ exists: exists.CREATE_OR_REPLACE }))
  await expectRecord(h.client, key, { c: 3 }, 2)
})

test('exists CREATE applies to operate too: 5 on an existing record', async () => {
  const key = freshKey('create-op')
  await h.client.operate(key, [op.write('a', 1)], {}, new Aerospike.OperatePolicy({ exists: exists.CREATE }))
  await rejectsWithCode(h.client.operate(key, [op.incr('a', 1)], {}, new Aerospike.OperatePolicy({ exists: exists.CREATE })), 5, 'create-only operate on an existing record')
  await expectRecord(h.client, key, { a: 1 }, 1)
})

test('a replace policy with a bin delete (null bin) fails with 4 and changes nothing', async () => {
  const key = freshKey('replace-null')
  await h.client.put(key, { a: 1, b: 2 })
  await rejectsWithCode(h.client.put(key, { a: 5, b: null }, {}, writePolicy({ exists: exists.REPLACE })), 4, 'replace with a null bin')
  await rejectsWithCode(h.client.put(key, { a: 5, b: null }, {}, writePolicy({ exists: exists.CREATE_OR_REPLACE })), 4, 'create-or-replace with a null bin')
  await expectRecord(h.client, key, { a: 1, b: 2 }, 1)
})

test('a replace policy with a modify op (incr) fails with 4 and changes nothing', async () => {
  const key = freshKey('replace-incr')
  await h.client.put(key, { n: 10, s: 'x' })
  const policy = new Aerospike.OperatePolicy({ exists: exists.REPLACE })
  await rejectsWithCode(h.client.operate(key, [op.incr('n', 1)], {}, policy), 4, 'replace with incr')
  await expectRecord(h.client, key, { n: 10, s: 'x' }, 1)
})

test('generation EQ: a mismatch fails with 3 and changes nothing; a match writes and bumps the generation', async () => {
  const key = freshKey('gen-eq')
  await h.client.put(key, { a: 1 })
  await h.client.put(key, { a: 2 })
  await rejectsWithCode(h.client.put(key, { a: 99 }, { gen: 1 }, writePolicy({ gen: gen.EQ })), 3, 'gen EQ 1 on generation 2')
  await rejectsWithCode(h.client.put(key, { a: 99 }, { gen: 3 }, writePolicy({ gen: gen.EQ })), 3, 'gen EQ 3 on generation 2')
  await expectRecord(h.client, key, { a: 2 }, 2)
  await h.client.put(key, { a: 3 }, { gen: 2 }, writePolicy({ gen: gen.EQ }))
  await expectRecord(h.client, key, { a: 3 }, 3)
})

test('generation EQ applies to operate', async () => {
  const key = freshKey('gen-eq-op')
  await h.client.put(key, { n: 1 })
  const policy = new Aerospike.OperatePolicy({ gen: gen.EQ })
  await rejectsWithCode(h.client.operate(key, [op.incr('n', 1)], { gen: 5 }, policy), 3, 'operate with gen EQ 5 on generation 1')
  const result = await h.client.operate(key, [op.incr('n', 1), op.read('n')], { gen: 1 }, policy)
  assert.deepEqual(result.bins, { n: 2 })
  assert.equal(result.gen, 2)
})

test('generation EQ 0 on a missing record creates it (a new record has generation 0)', async () => {
  const key = freshKey('gen-eq-new')
  await rejectsWithCode(h.client.put(key, { a: 1 }, { gen: 1 }, writePolicy({ gen: gen.EQ })), 3, 'gen EQ 1 on a missing record')
  assert.equal(await h.client.exists(key), false)
  await h.client.put(key, { a: 1 }, { gen: 0 }, writePolicy({ gen: gen.EQ }))
  await expectRecord(h.client, key, { a: 1 }, 1)
})

test('generation GT: writes only when the given generation is greater than the record\'s', async () => {
  const key = freshKey('gen-gt')
  await h.client.put(key, { a: 1 })
  await h.client.put(key, { a: 2 })
  await rejectsWithCode(h.client.put(key, { a: 99 }, { gen: 2 }, writePolicy({ gen: gen.GT })), 3, 'gen GT 2 on generation 2')
  await rejectsWithCode(h.client.put(key, { a: 99 }, { gen: 1 }, writePolicy({ gen: gen.GT })), 3, 'gen GT 1 on generation 2')
  await expectRecord(h.client, key, { a: 2 }, 2)
  await h.client.put(key, { a: 3 }, { gen: 7 }, writePolicy({ gen: gen.GT }))
  // The record's own generation still advances by one, whatever the request carried.
  await expectRecord(h.client, key, { a: 3 }, 3)
})

test('generation IGNORE (default) writes whatever generation the request carries', async () => {
  const key = freshKey('gen-ignore')
  await h.client.put(key, { a: 1 })
  await h.client.put(key, { a: 2 }, { gen: 42 }, writePolicy({ gen: gen.IGNORE }))
  await expectRecord(h.client, key, { a: 2 }, 2)
})

test('the generation goes up by one for each put, operate and touch', async () => {
  const key = freshKey('gen-count')
  await h.client.put(key, { n: 0 })
  await h.client.put(key, { n: 1 })
  await h.client.incr(key, { n: 1 })
  await h.client.append(key, { s: 'x' })
  await h.client.operate(key, [op.touch(100)])
  await expectRecord(h.client, key, { n: 2, s: 'x' }, 5)
})

test('remove with generation EQ: a mismatch fails with 3 and keeps the record; a match removes it', async () => {
  const key = freshKey('gen-remove')
  await h.client.put(key, { a: 1 })
  await h.client.put(key, { a: 2 })
  await rejectsWithCode(h.client.remove(key, new Aerospike.RemovePolicy({ gen: gen.EQ, generation: 1 })), 3, 'remove with gen EQ 1 on generation 2')
  await expectRecord(h.client, key, { a: 2 }, 2)
  await h.client.remove(key, new Aerospike.RemovePolicy({ gen: gen.EQ, generation: 2 }))
  assert.equal(await h.client.exists(key), false)
})

test('durableDelete is accepted on remove and on a write that deletes', async () => {
  const key = freshKey('durable')
  await h.client.put(key, { a: 1 })
  await h.client.remove(key, new Aerospike.RemovePolicy({ durableDelete: true }))
  assert.equal(await h.client.exists(key), false)
  await h.client.put(key, { a: 1 })
  await h.client.operate(key, [op.delete()], {}, new Aerospike.OperatePolicy({ durableDelete: true }))
  assert.equal(await h.client.exists(key), false)
})
