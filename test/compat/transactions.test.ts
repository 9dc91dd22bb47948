// Multi-record transactions need strong-consistency namespaces; Aerolite has none, so a command
// inside a transaction is refused (16) and changes nothing.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Aerospike, freshKey, rejectsWithCode, startHarness, type Harness } from './helpers.ts'

let h: Harness
before(async () => {
  h = await startHarness()
})
after(async () => {
  await h?.stop()
})

test('a put and a get inside a transaction fail with 16 and the record is untouched', async () => {
  const key = freshKey('txn')
  await h.client.put(key, { v: 1 })
  const txn = new Aerospike.Transaction()
  await rejectsWithCode(h.client.put(key, { v: 2 }, undefined, { txn } as never), Aerospike.status.ERR_UNSUPPORTED_FEATURE, 'put in a transaction')
  await rejectsWithCode(h.client.get(key, { txn } as never), Aerospike.status.ERR_UNSUPPORTED_FEATURE, 'get in a transaction')
  assert.deepEqual((await h.client.get(key)).bins, { v: 1 })
})
