// Filter expressions and expression ops through the official client against a started node.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { resultCode, startClientNode, type ClientNode } from '../../official-client.ts'

const Aerospike = createRequire(import.meta.url)('aerospike')
const exp = Aerospike.exp
const FILTERED_OUT = 27

let node: ClientNode | undefined
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let client: any
let keyCount = 0

before(async () => {
  node = await startClientNode()
  client = node.client
})

after(async () => {
  await node?.stop()
})

async function createRecord(bins: Record<string, unknown>, meta: Record<string, unknown> | null = null): Promise<unknown> {
  const key = new Aerospike.Key('test', 'exp', `exp-${keyCount++}`)
  await client.put(key, bins, meta, { key: Aerospike.policy.key.SEND })
  return key
}

test('filters on get, put, operate and remove', async () => {
  const key = await createRecord({ intVal: 42, title: 'Star Wars', loc: new Aerospike.GeoJSON.Point(103.913, 1.308) }, { ttl: 1000 })
  const yes = { filterExpression: exp.eq(exp.binInt('intVal'), exp.int(42)) }
  const no = { filterExpression: exp.eq(exp.binInt('intVal'), exp.int(37)) }
  assert.equal((await client.get(key, yes)).bins.intVal, 42)
  assert.equal(await resultCode(client.get(key, no)), FILTERED_OUT)
  assert.equal(await resultCode(client.put(key, { intVal: 1 }, null, no)), FILTERED_OUT)
  assert.equal(await resultCode(client.operate(key, [Aerospike.operations.incr('intVal', 1)], null, no)), FILTERED_OUT)
  assert.equal(await resultCode(client.exists(key, no)), FILTERED_OUT)
  const checks = [
    exp.cmpRegex(Aerospike.regex.ICASE, '^sTaR', exp.binStr('title')),
    exp.cmpGeo(exp.binGeo('loc'), exp.geo(new Aerospike.GeoJSON.Circle(103.875, 1.297, 10000))),
    exp.gt(exp.ttl(), exp.int(900)),
    exp.gt(exp.voidTime(), exp.int(Date.now() * 1_000_000)),
    exp.gt(exp.recordSize(), exp.int(64)),
    exp.eq(exp.keyStr(), exp.str(key && (key as { key: string }).key)),
    exp.keyExist(),
    exp.eq(exp.setName(), exp.str('exp')),
    exp.let(exp.def('x', exp.binInt('intVal')), exp.and(exp.lt(exp.int(5), exp.var('x')), exp.lt(exp.var('x'), exp.int(50)))),
    exp.eq(exp.cond(exp.gt(exp.binInt('intVal'), exp.int(10)), exp.str('big'), exp.str('small')), exp.str('big')),
    exp.eq(exp.intAnd(exp.binInt('intVal'), exp.int(0xf)), exp.int(10)),
  ]
  for (const filterExpression of checks) assert.equal(await resultCode(client.get(key, { filterExpression })), 0, JSON.stringify(filterExpression))
  assert.equal(await resultCode(client.remove(key, no)), FILTERED_OUT)
  await client.remove(key, yes)
  assert.equal(await resultCode(client.get(key)), 2)
})

test('expression read and write ops', async () => {
  const key = await createRecord({ intVal: 2 })
  const result = await client.operate(key, [
    exp.operations.write('intVal', exp.add(exp.binInt('intVal'), exp.binInt('intVal')), exp.expWriteFlags.DEFAULT),
    exp.operations.read('ExpVar', exp.mul(exp.binInt('intVal'), exp.int(10)), exp.expReadFlags.DEFAULT),
    Aerospike.operations.read('intVal'),
  ])
  assert.equal(result.bins.intVal, 4)
  assert.equal(result.bins.ExpVar, 40)
  const created = exp.operations.write('intVal', exp.int(1), exp.expWriteFlags.CREATE_ONLY)
  assert.equal(await resultCode(client.operate(key, [created])), 6)
  const missing = exp.operations.read('x', exp.binInt('nope'), exp.expReadFlags.DEFAULT)
  assert.equal(await resultCode(client.operate(key, [missing])), 26)
})

test('an ill-typed filter is a parameter error', async () => {
  const key = await createRecord({ intVal: 1 })
  assert.equal(await resultCode(client.get(key, { filterExpression: exp.eq(exp.binInt('intVal'), exp.str('1')) })), 4)
  assert.equal(await resultCode(client.get(key, { filterExpression: exp.binInt('intVal') })), 4)
})

test('scans return only the records the filter matches', async () => {
  for (let i = 0; i < 10; i++) await client.put(new Aerospike.Key('test', 'expscan', `s${i}`), { n: i })
  const scan = client.scan('test', 'expscan')
  const records = await scan.results({ filterExpression: exp.ge(exp.binInt('n'), exp.int(7)) })
  assert.deepEqual(records.map((r: { bins: { n: number } }) => r.bins.n).sort(), [7, 8, 9])
})
