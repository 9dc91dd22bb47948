// Expression indexes run the full expression evaluator: arithmetic on bins, conditions, the digest
// modulo, list values; they follow writes and deletes; and sindex-create refuses, as Aerospike does,
// expressions that read other metadata or the key, read nothing of the record, or have the wrong type.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { FieldType, MsgpackWriter, parseInfoCommand } from '@aerolite/protocol'
import { ExpOp, ExpType } from '../../src/ops/exp/opcodes.ts'
import { parseDefinition } from '../../src/sindex/definition.ts'
import { indexesOf } from '../../src/sindex/namespace-indexes.ts'
import { makeNamespace } from '../commands/harness.ts'
import { createIndex, intRange, putRecord, query, removeRecord, strEqual } from './query-harness.ts'

/** An expression node: an op with arguments, a bin name (plain msgpack string), a literal. */
type Node = Node[] | number | { name: string } | { text: string }

function write(w: MsgpackWriter, node: Node): void {
  if (Array.isArray(node)) {
    w.arrayHeader(node.length)
    for (const n of node) write(w, n)
  } else if (typeof node === 'number') w.int(node)
  else if ('name' in node) w.plainString(node.name)
  else w.string(node.text)
}

function exp(node: Node): Buffer {
  const w = new MsgpackWriter()
  write(w, node)
  return w.toBuffer()
}

const bin = (type: number, name: string): Node => [ExpOp.BIN, type, { name }]
const b64 = (bytes: Buffer): string => bytes.toString('base64')

async function byExpression(ns: ReturnType<typeof makeNamespace>, expression: Buffer, range: ReturnType<typeof intRange>): Promise<string[]> {
  return (await query(ns, { set: 'demo', range, extraFields: [{ type: FieldType.INDEX_EXPRESSION, data: expression }] })).keys
}

test('an index on arithmetic over two bins follows writes and deletes', async () => {
  const ns = makeNamespace()
  for (let i = 0; i < 10; i++) putRecord(ns, `r${i}`, { a: i, b: 10 * i })
  putRecord(ns, 'no-b', { a: 3 })
  const sum = exp([ExpOp.ADD, bin(ExpType.INT, 'a'), bin(ExpType.INT, 'b')])
  createIndex(ns, `set=demo;indexname=sum;exp=${b64(sum)};type=NUMERIC`)
  assert.deepEqual(await byExpression(ns, sum, intRange('', 22, 44)), ['r2', 'r3', 'r4'])
  putRecord(ns, 'r2', { a: 100, b: 0 })
  removeRecord(ns, 'r3')
  putRecord(ns, 'no-b', { a: 3, b: 30 })
  assert.deepEqual(await byExpression(ns, sum, intRange('', 22, 44)), ['no-b', 'r4'])
  assert.deepEqual(await byExpression(ns, sum, intRange('', 100, 100)), ['r2'])
})

test('conditions, the digest modulo and list values', async () => {
  const ns = makeNamespace()
  for (let i = 0; i < 30; i++) putRecord(ns, `r${i}`, { n: i, l: [i, i + 100] })
  const size = exp([ExpOp.COND, [ExpOp.GE, bin(ExpType.INT, 'n'), 20], { text: 'big' }, { text: 'small' }])
  createIndex(ns, `set=demo;indexname=size;exp=${b64(size)};type=STRING`)
  const big = await query(ns, { set: 'demo', range: strEqual('', 'big'), extraFields: [{ type: FieldType.INDEX_EXPRESSION, data: size }] })
  assert.equal(big.keys.length, 10)
  const modulo = exp([ExpOp.DIGEST_MODULO, 3])
  createIndex(ns, `set=demo;indexname=mod;exp=${b64(modulo)};type=NUMERIC`)
  const parts = await Promise.all([0, 1, 2].map((m) => byExpression(ns, modulo, intRange('', m, m))))
  assert.equal(parts.flat().length, 30)
  assert.ok(parts.every((p) => p.length > 0))
  const list = exp(bin(ExpType.LIST, 'l'))
  createIndex(ns, `set=demo;indexname=list;indextype=list;exp=${b64(list)};type=NUMERIC`)
  const found = await query(ns, { set: 'demo', range: intRange('', 105, 106), collection: 1, extraFields: [{ type: FieldType.INDEX_EXPRESSION, data: list }] })
  assert.deepEqual(found.keys, ['r5', 'r6'])
})

test('sindex-create refuses expressions Aerospike refuses', () => {
  const problem = (params: string): string => {
    const def = parseDefinition(parseInfoCommand(`sindex-create:namespace=test;set=demo;indexname=x;${params}`))
    return typeof def === 'string' ? def : 'ok'
  }
  assert.equal(problem(`exp=${b64(exp(bin(ExpType.INT, 'a')))};type=numeric`), 'ok')
  assert.equal(problem(`exp=${b64(exp([ExpOp.TTL]))};type=numeric`), "ERROR:4:bad 'exp'")
  assert.equal(problem(`exp=${b64(exp([ExpOp.ADD, [ExpOp.TTL], bin(ExpType.INT, 'a')]))};type=numeric`), "ERROR:4:bad 'exp'")
  assert.equal(problem(`exp=${b64(exp([ExpOp.KEY, ExpType.INT]))};type=numeric`), "ERROR:4:bad 'exp'")
  assert.equal(problem(`exp=${b64(exp([ExpOp.ADD, 1, 2]))};type=numeric`), "ERROR:4:bad 'exp'")
  assert.equal(problem(`exp=${b64(Buffer.from([0x93, 0x51]))};type=numeric`), "ERROR:4:bad 'exp'")
  assert.equal(problem(`exp=${b64(exp(bin(ExpType.STR, 's')))};type=numeric`),
    "ERROR:4:bad 'exp' - expression type 'string' does not match expected type 'numeric'")
  assert.equal(problem(`indextype=mapkeys;exp=${b64(exp(bin(ExpType.LIST, 'l')))};type=string`),
    "ERROR:4:bad 'exp' - expression type 'list' does not match expected type 'map'")
})

test('random expression bytes are refused or indexed, never a crash', () => {
  const ns = makeNamespace()
  for (let i = 0; i < 5; i++) putRecord(ns, `r${i}`, { a: i })
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 32 }), (bytes) => {
      const def = parseDefinition(parseInfoCommand(`sindex-create:namespace=test;set=demo;indexname=fuzz;exp=${b64(Buffer.from(bytes))};type=numeric`))
      if (typeof def === 'string') return
      assert.equal(indexesOf(ns).create(def).ok, true)
      putRecord(ns, 'r0', { a: 7 })
      indexesOf(ns).delete('fuzz')
    }),
    { numRuns: 300, interruptAfterTimeLimit: 2000 },
  )
})
