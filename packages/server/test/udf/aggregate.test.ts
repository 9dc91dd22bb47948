// Stream UDFs (aggregation) on the wire, without sockets: what the node sends for each stage kind,
// batches whose results the client reduces, the FAILURE message of a failing stream, the sandbox
// stopping a stream that loops or allocates without bound, and malformed requests.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import {
  FieldType, Info1, Info3, ParticleType, ResultCode, decodeMessage, decodeParticle, emptyHeader, encodeMessage, packValue,
  type Field, type Message, type Value,
} from '@aerolite/protocol'
import { limits } from '../../src/limits.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { makeNamespace, testUdfRuntime as udfRuntime } from '../commands/harness.ts'
import { createIndex, encodeRange, intRange, putRecord, runStream, type RangeSpec } from '../sindex/query-harness.ts'

const MODULE_SOURCE = readFileSync(new URL('./modules/aggr_test.lua', import.meta.url))

before(async () => {
  await udfRuntime.ready
  assert.equal(udfRuntime.put('aggr_test.lua', MODULE_SOURCE.toString('base64'), MODULE_SOURCE), undefined)
})

interface AggregationSpec {
  module?: string
  fn: string
  args?: Value[]
  argList?: Buffer
  set?: string
  range?: RangeSpec
  extraFields?: Field[]
  info1?: number
}

/** An aggregation as the C client sends it: no partition list, UDF_OP 1 and the call. */
function aggregationMessage(spec: AggregationSpec): Message {
  const fields: Field[] = [{ type: FieldType.NAMESPACE, data: Buffer.from('test') }]
  if (spec.set !== undefined) fields.push({ type: FieldType.SET, data: Buffer.from(spec.set) })
  if (spec.range !== undefined) fields.push({ type: FieldType.INDEX_RANGE, data: encodeRange(spec.range) })
  fields.push(
    { type: FieldType.UDF_OP, data: Buffer.of(1) },
    { type: FieldType.UDF_PACKAGE_NAME, data: Buffer.from(spec.module ?? 'aggr_test') },
    { type: FieldType.UDF_FUNCTION, data: Buffer.from(spec.fn) },
    { type: FieldType.UDF_ARGLIST, data: spec.argList ?? packValue(spec.args ?? []) },
    ...(spec.extraFields ?? []),
  )
  return decodeMessage(encodeMessage({ ...emptyHeader(), info1: spec.info1 ?? Info1.READ }, fields, []))
}

interface Outcome {
  values: unknown[]
  failure: string | undefined
  resultCode: number
  messages: Message[]
}

async function aggregate(ns: Namespace, spec: AggregationSpec): Promise<Outcome> {
  const messages = await runStream(ns, aggregationMessage(spec))
  const last = messages[messages.length - 1]!
  const values: unknown[] = []
  let failure: string | undefined
  for (const m of messages.slice(0, -1)) {
    assert.equal(m.fields.length, 0)
    assert.equal(m.ops.length, 1)
    const op = m.ops[0]!
    const name = op.name.toString()
    if (name === 'FAILURE') failure = op.value.toString()
    else {
      assert.equal(name, 'SUCCESS')
      values.push(op.particleType === ParticleType.NULL ? null : decodeParticle(op.particleType, op.value))
    }
  }
  return { values, failure, resultCode: last.resultCode, messages }
}

function fill(ns: Namespace, count: number, set = 'demo'): void {
  for (let i = 0; i < count; i++) putRecord(ns, `k${i}`, { n: i, tag: `t${i % 3}` }, set)
}

const sum = (values: unknown[]): number => values.reduce<number>((a, v) => a + (v as number), 0)

test('map and reduce: one partial result per batch, which the client adds up', async () => {
  const ns = makeNamespace()
  const total = limits.maxStreamUdfRecordsPerCall * 2 + 17
  fill(ns, total)
  const counted = await aggregate(ns, { fn: 'count' })
  assert.equal(counted.resultCode, ResultCode.OK)
  assert.equal(counted.failure, undefined)
  assert.equal(sum(counted.values), total)
  assert.ok(counted.values.length >= 3, 'more records than one call takes make several batches')
  const summed = await aggregate(ns, { fn: 'sum_bin', args: ['n'] })
  assert.equal(sum(summed.values), (total * (total - 1)) / 2)
})

test('filter and map stream every value; aggregate and groupby build per-batch maps', async () => {
  const ns = makeNamespace()
  fill(ns, 40)
  const evens = await aggregate(ns, { fn: 'evens', args: ['n'] })
  assert.deepEqual((evens.values as number[]).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i * 2))
  const stats = await aggregate(ns, { fn: 'stats', args: ['n'] })
  const merged = (stats.values as Array<Map<string, number>>).reduce((acc, m) => ({ count: acc.count + m.get('count')!, sum: acc.sum + m.get('sum')! }), { count: 0, sum: 0 })
  assert.deepEqual(merged, { count: 40, sum: 780 })
  const groups = await aggregate(ns, { fn: 'by_parity', args: ['n'] })
  const even: number[] = []
  const odd: number[] = []
  for (const m of groups.values as Array<Map<string, number[]>>) {
    even.push(...(m.get('even') ?? []))
    odd.push(...(m.get('odd') ?? []))
  }
  assert.equal(even.length, 20)
  assert.equal(odd.length, 20)
  assert.ok(even.every((v) => v % 2 === 0) && odd.every((v) => v % 2 === 1))
})

test('the node runs the stages up to the first reduce; the rest is the client\'s', async () => {
  const ns = makeNamespace()
  fill(ns, 30)
  const out = await aggregate(ns, { fn: 'max_after_reduce', args: ['n'] })
  // The map after the reduce (x10) is not applied here.
  assert.equal(Math.max(...(out.values as number[])), 29)
})

test('stream records are read-only, with their metadata; a stream without stages sends nil per record', async () => {
  const ns = makeNamespace()
  fill(ns, 5)
  const meta = await aggregate(ns, { fn: 'meta', set: 'demo' })
  assert.equal(meta.values.length, 5)
  for (const m of meta.values as Array<Map<string, unknown>>) {
    assert.equal(m.get('gen'), 1)
    assert.equal(m.get('set'), 'demo')
    assert.equal(m.get('bins'), 2)
    assert.equal(m.get('exists'), true)
  }
  const updated = await aggregate(ns, { fn: 'try_update' })
  assert.equal(sum(updated.values), 5, 'aerospike:update answers 1 in a stream')
  const records = await aggregate(ns, { fn: 'records' })
  assert.deepEqual(records.values, [null, null, null, null, null])
  const answer = await runStream(ns, decodeMessage(encodeMessage({ ...emptyHeader(), info1: Info1.READ | Info1.GET_ALL }, [
    { type: FieldType.NAMESPACE, data: Buffer.from('test') }, { type: FieldType.SET, data: Buffer.from('demo') },
  ], [])))
  assert.ok(answer.filter((m) => m.ops.some((op) => op.name.toString() === 'x')).length === 0, 'no record was changed')
})

test('a secondary-index query feeds only its matches; an unknown set is NOT_FOUND, not the last message', async () => {
  const ns = makeNamespace()
  fill(ns, 50)
  createIndex(ns, 'set=demo;indexname=aggr_n;bin=n;type=NUMERIC')
  const out = await aggregate(ns, { fn: 'sum_bin', args: ['n'], set: 'demo', range: intRange('n', 10, 19) })
  assert.equal(sum(out.values), 145)
  const missing = await aggregate(ns, { fn: 'count', set: 'nope' })
  assert.equal(missing.messages.length, 1)
  assert.equal(missing.resultCode, ResultCode.RECORD_NOT_FOUND)
  assert.equal(missing.messages[0]!.info3 & Info3.LAST, 0)
  const noIndex = await aggregate(ns, { fn: 'count', set: 'demo', range: intRange('other', 1, 2) })
  assert.equal(noIndex.resultCode, ResultCode.INDEX_NOT_FOUND)
})

test('records per second paces an aggregation', async () => {
  const ns = makeNamespace()
  fill(ns, 12)
  const rps = Buffer.alloc(4)
  rps.writeUInt32BE(40)
  const startedMs = Date.now()
  const out = await aggregate(ns, { fn: 'count', extraFields: [{ type: FieldType.RECORDS_PER_SECOND, data: rps }] })
  assert.equal(sum(out.values), 12)
  assert.ok(Date.now() - startedMs >= 200, '12 records at 40 a second take about 300 ms')
})

test('an error in the stream function sends Aerospike\'s FAILURE message and ends with result 1', async () => {
  const ns = makeNamespace()
  fill(ns, 10)
  const cases: Array<[string, string | RegExp]> = [
    ['boom', /^UDF: Execution Error 2 : \/opt\/aerospike\/usr\/udf\/lua\/aggr_test\.lua:\d+: boom$/],
    ['boom_early', /^UDF: Execution Error 2 : \/opt\/aerospike\/usr\/udf\/lua\/aggr_test\.lua:\d+: no stream today$/],
    ['missing_function', 'UDF: Execution Error 2 : function not found'],
    ['no_stream', 'UDF: Execution Error 2 : the stream function did not return its stream'],
  ]
  for (const [fn, expected] of cases) {
    const out = await aggregate(ns, { fn })
    assert.equal(out.resultCode, ResultCode.SERVER_ERROR, fn)
    if (typeof expected === 'string') assert.equal(out.failure, expected)
    else assert.match(out.failure ?? '', expected)
  }
  const missingModule = await aggregate(ns, { module: 'no_such_module', fn: 'count' })
  assert.equal(missingModule.failure, 'UDF: Execution Error 1')
})

test('the sandbox stops a stream that loops forever or allocates without bound; the node goes on', async () => {
  const ns = makeNamespace()
  fill(ns, 3)
  const startedMs = Date.now()
  const looped = await aggregate(ns, { fn: 'forever' })
  assert.match(looped.failure ?? '', /^UDF: Execution Error 2 : .*UDF Execution Timeout$/)
  assert.ok(Date.now() - startedMs <= limits.maxUdfCallMs + 500)
  const hogged = await aggregate(ns, { fn: 'hog' })
  assert.match(hogged.failure ?? '', /^UDF: Execution Error 4 : not enough memory$/)
  assert.equal(sum((await aggregate(ns, { fn: 'count' })).values), 3)
})

test('logging goes to the node log at the matching level', async () => {
  const ns = makeNamespace()
  fill(ns, 1)
  const lines: string[] = []
  const level = (name: string) => (_: object, message: string) => lines.push(`${name}:${message}`)
  const saved = udfRuntime.log
  udfRuntime.logTo({ warn: level('warn'), info: level('info'), debug: level('debug'), trace: level('trace'), error: level('error') } as never)
  try {
    await aggregate(ns, { fn: 'logs' })
  } finally {
    udfRuntime.log = saved
  }
  assert.deepEqual(lines, ['info:info 1', 'warn:warn', 'debug:debug', 'trace:trace'])
})

test('malformed aggregations get Aerospike\'s result codes', async () => {
  const ns = makeNamespace()
  fill(ns, 3)
  const filter = { type: FieldType.FILTER, data: packValue([1, [81, 2, 'n'], 1] as Value) }
  assert.equal((await aggregate(ns, { fn: 'count', extraFields: [filter] })).resultCode, ResultCode.UNSUPPORTED_FEATURE)
  assert.equal((await aggregate(ns, { fn: 'count', info1: Info1.READ | Info1.SHORT_QUERY })).resultCode, ResultCode.PARAMETER_ERROR)
  assert.equal((await aggregate(ns, { fn: '' })).resultCode, ResultCode.PARAMETER_ERROR)
  assert.equal((await aggregate(ns, { fn: 'count', argList: Buffer.of(0x93, 1) })).resultCode, ResultCode.PARAMETER_ERROR)
  assert.equal((await aggregate(ns, { fn: 'count', argList: packValue('not a list') })).resultCode, ResultCode.PARAMETER_ERROR)
})

test('random argument lists never crash the node', async () => {
  const ns = makeNamespace()
  fill(ns, 4)
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 24 }), fc.constantFrom('count', 'sum_bin', 'evens', 'stats'), async (bytes, fn) => {
      const out = await aggregate(ns, { fn, argList: Buffer.from(bytes) })
      assert.ok(([ResultCode.OK, ResultCode.PARAMETER_ERROR, ResultCode.SERVER_ERROR] as number[]).includes(out.resultCode))
    }),
    { numRuns: 150, interruptAfterTimeLimit: 3000 },
  )
  assert.equal(sum((await aggregate(ns, { fn: 'count' })).values), 4)
})
