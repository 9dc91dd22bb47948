// Stream UDFs through the official client, which runs the final reduce with its own Lua:
// query.apply over a scan and over an index, query.foreach with a stream UDF, map / filter /
// aggregate / reduce / groupby, errors, and a stream that loops forever while the node keeps serving.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startClientNode, type ClientNode } from '../official-client.ts'

const Aerospike = createRequire(import.meta.url)('aerospike')
const MODULE_FILE = fileURLToPath(new URL('./modules/aggr_test.lua', import.meta.url))
const SET = 'aggr'
const RECORDS = 300

let node: ClientNode
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let client: any

before(async () => {
  node = await startClientNode({}, { modlua: { userPath: dirname(MODULE_FILE) } })
  client = node.client
  await (await client.udfRegister(MODULE_FILE)).wait(10)
  for (let i = 0; i < RECORDS; i++) await client.put(new Aerospike.Key('test', SET, i), { n: i })
  await (await client.createIntegerIndex({ ns: 'test', set: SET, bin: 'n', index: 'aggr_client_n' })).wait(10)
})

after(async () => {
  await node?.stop()
})

const query = (filters: unknown[] = []) => client.query('test', SET, { filters })

test('map / reduce over a scan and over an index query', async () => {
  assert.equal(await query().apply('aggr_test', 'count'), RECORDS)
  assert.equal(await query().apply('aggr_test', 'sum_bin', ['n']), (RECORDS * (RECORDS - 1)) / 2)
  assert.equal(await query([Aerospike.filter.range('n', 10, 19)]).apply('aggr_test', 'sum_bin', ['n']), 145)
  assert.equal(await query().apply('aggr_test', 'max_after_reduce', ['n']), (RECORDS - 1) * 10)
})

test('aggregate + reduce and groupby are reduced by the client', async () => {
  assert.deepEqual(await query().apply('aggr_test', 'stats', ['n']), { count: RECORDS, sum: (RECORDS * (RECORDS - 1)) / 2 })
  const groups = await query([Aerospike.filter.range('n', 0, 9)]).apply('aggr_test', 'by_parity', ['n'])
  assert.deepEqual([...groups.even].sort((a: number, b: number) => a - b), [0, 2, 4, 6, 8])
  assert.deepEqual([...groups.odd].sort((a: number, b: number) => a - b), [1, 3, 5, 7, 9])
})

test('query.foreach with a stream UDF streams each value', async () => {
  // Not from 0: the client takes a falsy value for the end of the stream.
  const q = query([Aerospike.filter.range('n', 1, 10)])
  q.setUdf('aggr_test', 'evens', ['n'])
  const values: number[] = []
  await new Promise<void>((resolve, reject) => {
    const stream = q.foreach()
    stream.on('data', (record: { bins: number }) => values.push(record.bins))
    stream.on('error', reject)
    stream.on('end', () => resolve())
  })
  assert.deepEqual(values.sort((a, b) => a - b), [2, 4, 6, 8, 10])
})

async function failure(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise
  } catch (err) {
    return err as { code: number; message: string }
  }
  assert.fail('the aggregation should have failed')
}

test('an error in the stream function fails the query with Aerospike\'s message', async () => {
  const err = await failure(query().apply('aggr_test', 'boom'))
  assert.match(err.message, /UDF: Execution Error 2 : .*aggr_test\.lua:\d+: boom/)
})

test('a stream UDF that loops forever is stopped; the node keeps serving', async () => {
  const startedMs = Date.now()
  const err = await failure(query().apply('aggr_test', 'forever'))
  assert.match(err.message, /UDF Execution Timeout/)
  assert.ok(Date.now() - startedMs < 5000)
  assert.equal((await client.get(new Aerospike.Key('test', SET, 7))).bins.n, 7)
  assert.equal(await query().apply('aggr_test', 'count'), RECORDS)
})
