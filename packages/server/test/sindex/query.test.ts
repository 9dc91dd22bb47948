// Secondary indexes end to end without sockets: definitions, maintenance on write / delete /
// truncate, every query kind, pagination with resume points, background jobs, and bad input.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { FieldType, GeoJson, Info3, ParticleType, ResultCode, decodeMessage, encodeMessage, parseInfoCommand } from '@aerolite/protocol'
import { jobsInfo, queryShow } from '../../src/commands/jobs.ts'
import type { NodeContext } from '../../src/info/context.ts'
import { parseDefinition } from '../../src/sindex/definition.ts'
import { indexesOf } from '../../src/sindex/namespace-indexes.ts'
import { expirePartition } from '../../src/namespace/nsup.ts'
import { makeNamespace } from '../commands/harness.ts'
import {
  backgroundHeader, createIndex, geoRange, getRecord, intRange, putRecord, query, queryMessage, removeRecord, runStream, strEqual,
} from './query-harness.ts'

const point = (lng: number, lat: number): GeoJson => new GeoJson(JSON.stringify({ type: 'Point', coordinates: [lng, lat] }))
const square = (lng: number, lat: number, size: number): object => ({
  type: 'Polygon', coordinates: [[[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]],
})

test('numeric index: equality and range, kept current on update and delete', async () => {
  const ns = makeNamespace()
  for (let i = 0; i < 20; i++) putRecord(ns, `k${i}`, { i, s: `v${i}` })
  createIndex(ns, 'set=demo;indexname=idx_i;bin=i;type=NUMERIC')
  assert.deepEqual((await query(ns, { set: 'demo', range: intRange('i', 5, 5) })).keys, ['k5'])
  assert.deepEqual((await query(ns, { set: 'demo', range: intRange('i', 3, 6) })).keys, ['k3', 'k4', 'k5', 'k6'])
  putRecord(ns, 'k5', { i: 100 })
  putRecord(ns, 'new', { i: 4 })
  removeRecord(ns, 'k3')
  assert.deepEqual((await query(ns, { set: 'demo', range: intRange('i', 3, 6) })).keys, ['k4', 'k6', 'new'])
  assert.deepEqual((await query(ns, { set: 'demo', range: intRange('i', 100, 100) })).keys, ['k5'])
  // A bin changed to another type leaves the index.
  putRecord(ns, 'k4', { i: 'four' })
  assert.deepEqual((await query(ns, { set: 'demo', range: intRange('i', 4, 4) })).keys, ['new'])
  assert.equal(indexesOf(ns).get('idx_i')!.entries.size, 19)
})

test('string index, set scoping, bin selection and no-bins replies', async () => {
  const ns = makeNamespace()
  putRecord(ns, 'a', { name: 'x', n: 1 })
  putRecord(ns, 'b', { name: 'x', n: 2 }, 'other')
  putRecord(ns, 'c', { name: 'y', n: 3 })
  createIndex(ns, 'set=demo;indexname=idx_name;bin=name;type=STRING')
  createIndex(ns, 'indexname=idx_all;bin=n;type=NUMERIC')
  assert.deepEqual((await query(ns, { set: 'demo', range: strEqual('name', 'x') })).keys, ['a'])
  assert.deepEqual((await query(ns, { range: intRange('n', 1, 3) })).keys, ['a', 'b', 'c'])
  assert.deepEqual((await query(ns, { set: 'other', range: intRange('n', 1, 3) })).keys, ['b'])
  const selected = await query(ns, { set: 'demo', range: strEqual('name', 'x'), bins: ['n', 'missing'] })
  assert.deepEqual(selected.records[0]!.ops.map((op) => op.name.toString()), ['n'])
  // Records without any selected bin are not sent, as Aerospike does.
  assert.deepEqual((await query(ns, { set: 'demo', range: strEqual('name', 'x'), bins: ['missing'] })).keys, [])
  const bare = await query(ns, { set: 'demo', range: strEqual('name', 'x'), noBins: true })
  assert.equal(bare.records[0]!.ops.length, 0)
  assert.equal(bare.records[0]!.info1 & 0x20, 0x20)
  // Every record message carries the index value (BVAL) for resuming.
  assert.ok(selected.records[0]!.fields.some((f) => f.type === FieldType.BVAL_ARRAY && f.data.length === 8))
})

test('list, map-key and map-value indexes, with a CDT context', async () => {
  const ns = makeNamespace()
  putRecord(ns, 'l', { li: [1, 5, 9], m: new Map<string, number>([['a', 1], ['b', 5]]) })
  putRecord(ns, 'n', { li: [500, 501], m: new Map<string, number>([['z', 500]]), nested: new Map([['deep', [7, 8]]]) })
  createIndex(ns, 'set=demo;indexname=idx_li;indextype=LIST;bin=li;type=NUMERIC')
  createIndex(ns, 'set=demo;indexname=idx_mk;indextype=MAPKEYS;bin=m;type=STRING')
  createIndex(ns, 'set=demo;indexname=idx_mv;indextype=MAPVALUES;bin=m;type=NUMERIC')
  const context = Buffer.from([0x92, 0x22, 0xa5, 0x03, ...Buffer.from('deep')]).toString('base64')
  createIndex(ns, `set=demo;indexname=idx_nested;context=${context};indextype=LIST;bin=nested;type=NUMERIC`)
  assert.deepEqual((await query(ns, { set: 'demo', collection: 1, range: intRange('li', 5, 5) })).keys, ['l'])
  assert.deepEqual((await query(ns, { set: 'demo', collection: 1, range: intRange('li', 0, 1000) })).keys, ['l', 'n'])
  assert.deepEqual((await query(ns, { set: 'demo', collection: 2, range: strEqual('m', 'z') })).keys, ['n'])
  assert.deepEqual((await query(ns, { set: 'demo', collection: 3, range: intRange('m', 5, 5) })).keys, ['l'])
  assert.deepEqual((await query(ns, { set: 'demo', collection: 1, context: [0x22, 'deep'], range: intRange('nested', 8, 8) })).keys, ['n'])
  // The same bin without the context, or with the wrong collection type, is another index.
  assert.equal((await query(ns, { set: 'demo', collection: 1, range: intRange('nested', 8, 8) })).resultCode, ResultCode.INDEX_NOT_FOUND)
  assert.equal((await query(ns, { set: 'demo', range: intRange('li', 5, 5) })).resultCode, ResultCode.INDEX_NOT_FOUND)
})

test('geo index: points within a polygon or circle, regions containing a point', async () => {
  const ns = makeNamespace()
  putRecord(ns, 'in', { g: point(103.913, 1.308) })
  putRecord(ns, 'out', { g: point(-122.1, 37.4) })
  putRecord(ns, 'region', { g: new GeoJson(JSON.stringify(square(102.9, 0.3, 2))) })
  putRecord(ns, 'circle', { g: new GeoJson(JSON.stringify({ type: 'AeroCircle', coordinates: [[-122.0, 37.5], 20000] })) })
  createIndex(ns, 'set=demo;indexname=idx_g;bin=g;type=GEO2DSPHERE')
  assert.deepEqual((await query(ns, { set: 'demo', range: geoRange('g', square(103, 1.3, 1)) })).keys, ['in'])
  assert.deepEqual((await query(ns, { set: 'demo', range: geoRange('g', { type: 'AeroCircle', coordinates: [[103.9, 1.3], 5000] }) })).keys, ['in'])
  assert.deepEqual((await query(ns, { set: 'demo', range: geoRange('g', { type: 'AeroCircle', coordinates: [[103.9, 1.3], 10] }) })).keys, [])
  assert.deepEqual((await query(ns, { set: 'demo', range: geoRange('g', { type: 'Point', coordinates: [103.5, 1.0] }) })).keys, ['region'])
  assert.deepEqual((await query(ns, { set: 'demo', range: geoRange('g', { type: 'Point', coordinates: [-122.1, 37.45] }) })).keys, ['circle'])
  // A region across the antimeridian, wider than the grid's fine cells, still finds both points.
  assert.deepEqual((await query(ns, { set: 'demo', range: geoRange('g', { type: 'Polygon', coordinates: [[[100, -10], [-120, -10], [-120, 45], [100, 45], [100, -10]]] }) })).keys, ['in', 'out'])
})

test('pagination: max records with digest and index-value resume points covers each record once', async () => {
  const ns = makeNamespace()
  for (let i = 0; i < 60; i++) putRecord(ns, `p${i}`, { v: i % 7, li: [i, i + 1] })
  createIndex(ns, 'set=demo;indexname=idx_v;bin=v;type=NUMERIC')
  createIndex(ns, 'set=demo;indexname=idx_pl;indextype=LIST;bin=li;type=NUMERIC')
  for (const spec of [{ range: intRange('v', 0, 6) }, { range: intRange('v', 3, 3) }]) {
    const seen: string[] = []
    const resume = new Map<number, { digest: Buffer; bval: bigint }>()
    const done = new Set<number>()
    for (let page = 0; page < 100; page++) {
      const pids = Buffer.alloc(2 * 4096)
      let n = 0
      for (let pid = 0; pid < 4096; pid++) if (!done.has(pid) && !resume.has(pid)) pids.writeUInt16LE(pid, 2 * n++)
      const partial = [...resume.values()]
      const result = await query(ns, { set: 'demo', ...spec, maxRecords: 7, pids: pids.subarray(0, 2 * n), digests: partial.map((r) => r.digest), bvals: partial.map((r) => r.bval) })
      for (const record of result.records) {
        const digest = record.fields.find((f) => f.type === FieldType.DIGEST)!.data
        const bval = record.fields.find((f) => f.type === FieldType.BVAL_ARRAY)!.data.readBigInt64LE(0)
        resume.set(((digest[0]! | (digest[1]! << 8)) & 0xfff), { digest: Buffer.from(digest), bval })
      }
      seen.push(...result.keys)
      if (result.records.length < 7) break
    }
    const all = (await query(ns, { set: 'demo', ...spec })).keys
    assert.deepEqual(seen.sort(), all)
    assert.equal(new Set(seen).size, seen.length)
  }
})

test('missing index is 201, malformed ranges are 4, in the LAST message', async () => {
  const ns = makeNamespace()
  putRecord(ns, 'a', { i: 1 })
  createIndex(ns, 'set=demo;indexname=idx_i;bin=i;type=NUMERIC')
  assert.equal((await query(ns, { set: 'demo', range: intRange('nope', 1, 1) })).resultCode, ResultCode.INDEX_NOT_FOUND)
  assert.equal((await query(ns, { set: 'demo', range: strEqual('i', 'x') })).resultCode, ResultCode.INDEX_NOT_FOUND)
  assert.equal((await query(ns, { set: 'demo', indexName: 'missing', range: intRange('i', 1, 1) })).resultCode, ResultCode.INDEX_NOT_FOUND)
  assert.deepEqual((await query(ns, { set: 'demo', indexName: 'idx_i', range: intRange('', 1, 1) })).keys, ['a'])
  assert.equal((await query(ns, { set: 'demo', range: intRange('i', 5, 1) })).resultCode, ResultCode.PARAMETER_ERROR)
  assert.equal((await query(ns, { set: 'demo', rangeField: Buffer.from([1, 1, 0x69, 1, 0, 0, 0, 4, 0, 0, 0, 1]) })).resultCode, ResultCode.PARAMETER_ERROR)
  assert.equal((await query(ns, { set: 'demo', range: { bin: 'i', particleType: 19, begin: Buffer.alloc(8), end: Buffer.alloc(8) } })).resultCode, ResultCode.PARAMETER_ERROR)
  assert.equal((await query(ns, { set: 'demo', range: geoRange('i', { type: 'Nope' }) })).resultCode, ResultCode.PARAMETER_ERROR)
  assert.equal((await query(ns, { set: 'demo', collection: 9, range: intRange('i', 1, 1) })).resultCode, ResultCode.PARAMETER_ERROR)
  // Unknown set: no records, no error.
  assert.deepEqual(await query(ns, { set: 'ghost', range: intRange('i', 1, 1) }).then((r) => [r.keys, r.resultCode]), [[], 0])
})

test('random INDEX_RANGE payloads and fields get a result code, never a crash', async () => {
  const ns = makeNamespace()
  putRecord(ns, 'a', { i: 1, s: 'x' })
  createIndex(ns, 'set=demo;indexname=idx_i;bin=i;type=NUMERIC')
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 40 }), fc.option(fc.uint8Array({ maxLength: 4 })), async (range, type) => {
    const extraFields = type === null ? [] : [{ type: FieldType.INDEX_TYPE, data: Buffer.from(type) }]
    const result = await query(ns, { set: 'demo', rangeField: Buffer.from(range), extraFields })
    assert.ok(result.resultCode === 0 || result.resultCode === ResultCode.PARAMETER_ERROR || result.resultCode === ResultCode.INDEX_NOT_FOUND)
  }), { numRuns: 150, interruptAfterTimeLimit: 1000 })
  assert.deepEqual(getRecord(ns, 'a').resultCode, 0)
})

test('sindex-create validation mirrors Aerospike', () => {
  const parse = (params: string): string | object => {
    const def = parseDefinition(parseInfoCommand(`sindex-create:${params}`))
    return typeof def === 'string' ? def.split(':').slice(0, 2).join(':') : 'ok'
  }
  assert.equal(parse('namespace=test;set=s;indexname=i;bin=b;type=NUMERIC'), 'ok')
  assert.equal(parse('namespace=test;set=s;indexname=i;bin=b;type=INTEGER'), 'ok')
  assert.equal(parse('ns=test;set=s;indexname=i;indexdata=b,string'), 'ok')
  assert.equal(parse('namespace=test;indexname=i;bin=b;type=FLOAT'), 'ERROR:4')
  assert.equal(parse('namespace=test;indexname=i;bin=b'), 'ERROR:4')
  assert.equal(parse('namespace=test;indexname=i;type=string'), 'ERROR:4')
  assert.equal(parse('namespace=test;bin=b;type=string'), 'ERROR:4')
  assert.equal(parse(`namespace=test;indexname=${'x'.repeat(64)};bin=b;type=string`), 'ERROR:4')
  assert.equal(parse('namespace=test;indexname=i;bin=b;type=string;indextype=weird'), 'ERROR:4')
  assert.equal(parse('namespace=test;indexname=i;bin=b;exp=kxECoWk=;type=numeric'), 'ERROR:4')
  assert.equal(parse('namespace=test;indexname=i;bin=b;type=geo2dsphere;indextype=mapkeys'), 'ERROR:4')
  // A context level with a create flag (addListIndexCreate) is not an index context.
  assert.equal(parse(`namespace=test;indexname=i;context=${Buffer.from([0x92, 0x50, 0x00]).toString('base64')};bin=b;type=numeric`), 'ERROR:4')
  assert.equal(parse('namespace=test;indexname=i;context=!!;bin=b;type=numeric'), 'ERROR:4')
})

test('create: same definition again is ok, a different one under the name is 200', () => {
  const ns = makeNamespace()
  createIndex(ns, 'set=demo;indexname=a;bin=x;type=NUMERIC')
  createIndex(ns, 'set=demo;indexname=a;bin=x;type=NUMERIC')
  assert.throws(() => createIndex(ns, 'set=demo;indexname=a;bin=y;type=NUMERIC'), /different definition/)
  // The same definition under another name renames the index.
  createIndex(ns, 'set=demo;indexname=b;bin=x;type=NUMERIC')
  assert.deepEqual(indexesOf(ns).all().map((i) => i.def.name), ['b'])
  assert.equal(indexesOf(ns).delete('b'), true)
  assert.equal(indexesOf(ns).delete('b'), false)
})

test('expression index on a bin read', async () => {
  const ns = makeNamespace()
  putRecord(ns, 'a', { s: 'value' })
  putRecord(ns, 'b', { s: 'other' })
  const exp = Buffer.from([0x93, 0x51, 0x03, 0xa1, 0x73]) // [BIN, STR, "s"]
  createIndex(ns, `set=demo;indexname=e;exp=${exp.toString('base64')};type=STRING`)
  const extraFields = [{ type: FieldType.INDEX_EXPRESSION, data: exp }]
  assert.deepEqual((await query(ns, { set: 'demo', range: strEqual('', 'value'), extraFields })).keys, ['a'])
})

test('indexes follow truncation and expiry', async () => {
  let now = Date.now()
  const ns = makeNamespace(() => {}, { nowMs: () => now })
  putRecord(ns, 'short', { i: 1 }, 'demo', { recordTtl: 10 })
  putRecord(ns, 'long', { i: 1 })
  createIndex(ns, 'set=demo;indexname=idx;bin=i;type=NUMERIC')
  now += 20_000
  // An expired record is never returned, and the sweep removes its entry.
  assert.deepEqual((await query(ns, { set: 'demo', range: intRange('i', 1, 1) })).keys, ['long'])
  for (let pid = 0; pid < 4096; pid++) expirePartition(ns, pid)
  assert.equal(indexesOf(ns).get('idx')!.entries.size, 1)
  ns.truncate(undefined, now + 1)
  await ns.truncation.whenDone()
  assert.equal(indexesOf(ns).get('idx')!.entries.size, 0)
})

test('a background job works on its own copy of the request: the bytes it arrived in may be reused (or freed) once it has started', async () => {
  const ns = makeNamespace()
  for (let i = 0; i < 10; i++) putRecord(ns, `r${i}`, { i })
  createIndex(ns, 'set=demo;indexname=idx;bin=i;type=NUMERIC')
  const op = { type: 2, particleType: ParticleType.INTEGER, name: 'tag', value: Buffer.from([0, 0, 0, 0, 0, 0, 0, 7]) }
  const request = queryMessage({ set: 'demo', range: intRange('i', 0, 4) }, { ...backgroundHeader, recordTtl: 3600 }, [op])
  // The request's bytes, as a socket read left them: a buffer of their own here, overwritten below.
  const body = Buffer.from(encodeMessage(request, request.fields, request.ops))
  const started = await runStream(ns, decodeMessage(body))
  assert.equal(started[0]!.resultCode, 0)
  body.fill(0xee)
  const ctx = { namespaces: new Map([['test', ns]]) } as unknown as NodeContext
  const show = (): string => queryShow(ctx, parseInfoCommand('query-show'))
  for (let i = 0; i < 200 && !show().includes('status=done'); i++) await new Promise((r) => setTimeout(r, 5))
  assert.match(show(), /status=done\(ok\):job-progress=100\.00:.*recs-succeeded=5:recs-failed=0/)
  const tags = [0, 1, 2, 3, 4].map((i) => getRecord(ns, `r${i}`).ops.find((o) => o.name.toString() === 'tag')?.value.readBigInt64BE())
  assert.deepEqual(tags, [7n, 7n, 7n, 7n, 7n])
})

test('background query applies write ops through the write road', async () => {
  const ns = makeNamespace()
  for (let i = 0; i < 10; i++) putRecord(ns, `r${i}`, { i })
  createIndex(ns, 'set=demo;indexname=idx;bin=i;type=NUMERIC')
  const op = { type: 2, particleType: ParticleType.INTEGER, name: 'tag', value: Buffer.from([0, 0, 0, 0, 0, 0, 0, 7]) }
  const started = await runStream(ns, queryMessage({ set: 'demo', range: intRange('i', 0, 4) }, { ...backgroundHeader, recordTtl: 3600 }, [op]))
  assert.equal(started.length, 1)
  assert.equal(started[0]!.info3 & Info3.LAST, Info3.LAST)
  assert.equal(started[0]!.resultCode, 0)
  const ctx = { namespaces: new Map([['test', ns]]) } as unknown as NodeContext
  const show = (): string => queryShow(ctx, parseInfoCommand('query-show'))
  for (let i = 0; i < 200 && !show().includes('status=done'); i++) await new Promise((r) => setTimeout(r, 5))
  assert.match(show(), /job-type=background-ops:ns=test:set=demo:sindex-name=idx:.*status=done\(ok\):job-progress=100\.00:.*recs-succeeded=5:recs-failed=0/)
  const trid = /trid=(\d+)/.exec(show())![1]!
  assert.match(queryShow(ctx, parseInfoCommand(`query-show:id=${trid}`)), /status=done/)
  assert.match(jobsInfo(ctx, parseInfoCommand(`jobs:module=query;cmd=get-job;trid=${trid}`)), /status=done/)
  assert.equal(queryShow(ctx, parseInfoCommand('query-show:id=12345')), 'ERROR:2:job not found')
  assert.equal(queryShow(ctx, parseInfoCommand('query-show:id=abc')), 'ERROR:4:bad id')
  const tagged = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((i) => getRecord(ns, `r${i}`).ops.some((o) => o.name.toString() === 'tag'))
  assert.deepEqual(tagged, [0, 1, 2, 3, 4])
  // Read ops are refused, and an unknown set ends quietly with NOT_FOUND.
  const read = await runStream(ns, queryMessage({ set: 'demo' }, backgroundHeader, [{ type: 1, particleType: 0, name: 'i', value: Buffer.alloc(0) }]))
  assert.equal(read[0]!.resultCode, ResultCode.PARAMETER_ERROR)
  const ghost = await runStream(ns, queryMessage({ set: 'ghost' }, backgroundHeader, [op]))
  assert.equal(ghost[0]!.resultCode, ResultCode.RECORD_NOT_FOUND)
})

test('property: an index query returns what a full scan filtered by hand returns', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.option(fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 4 }), { nil: undefined })), { maxLength: 40 }),
    fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 5 }),
    async (writes, lo, width) => {
      const ns = makeNamespace()
      createIndex(ns, 'set=demo;indexname=idx;indextype=LIST;bin=li;type=NUMERIC')
      const model = new Map<string, number[]>()
      for (const [k, list] of writes) {
        if (list === undefined) {
          removeRecord(ns, `k${k}`)
          model.delete(`k${k}`)
        } else {
          putRecord(ns, `k${k}`, { li: list })
          model.set(`k${k}`, list)
        }
      }
      const expected = [...model].filter(([, l]) => l.some((v) => v >= lo && v <= lo + width)).map(([k]) => k).sort()
      assert.deepEqual((await query(ns, { set: 'demo', collection: 1, range: intRange('li', lo, lo + width) })).keys, expected)
    },
  ), { numRuns: 25, interruptAfterTimeLimit: 1500 })
})

test('filter expressions narrow queries; background scans apply ops to a set', async () => {
  const ns = makeNamespace()
  for (let i = 0; i < 20; i++) putRecord(ns, `f${i}`, { i, even: i % 2 })
  putRecord(ns, 'elsewhere', { i: 1 }, 'other')
  createIndex(ns, 'set=demo;indexname=idx;bin=even;type=NUMERIC')
  const greaterThan10 = Buffer.from('930393510 2a1690a'.replace(/ /g, ''), 'hex') // [GT, [BIN, INT, "i"], 10]
  const filtered = await query(ns, { set: 'demo', range: intRange('even', 0, 0), extraFields: [{ type: FieldType.FILTER, data: greaterThan10 }] })
  assert.deepEqual(filtered.keys, ['f12', 'f14', 'f16', 'f18'])
  const malformed = await query(ns, { set: 'demo', range: intRange('even', 0, 0), extraFields: [{ type: FieldType.FILTER, data: Buffer.from([0x93, 0x03]) }] })
  assert.equal(malformed.resultCode, ResultCode.PARAMETER_ERROR)

  const op = { type: 2, particleType: ParticleType.INTEGER, name: 'scanned', value: Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]) }
  const started = await runStream(ns, queryMessage({ set: 'demo', extraFields: [{ type: FieldType.FILTER, data: greaterThan10 }] }, backgroundHeader, [op]))
  assert.equal(started[0]!.resultCode, 0)
  const ctx = { namespaces: new Map([['test', ns]]) } as unknown as NodeContext
  for (let i = 0; i < 200 && !queryShow(ctx, parseInfoCommand('query-show')).includes('status=done'); i++) await new Promise((r) => setTimeout(r, 5))
  assert.match(queryShow(ctx, parseInfoCommand('scan-show')), /job-type=background-ops:ns=test:set=demo:.*recs-filtered-meta=11:.*recs-succeeded=9/)
  const scanned = (key: string, set = 'demo'): boolean => getRecord(ns, key, set).ops.some((o) => o.name.toString() === 'scanned')
  assert.deepEqual([scanned('f11'), scanned('f10'), scanned('elsewhere', 'other')], [true, false, false])
})
