// Path operations through the official client against a started node: select and modify by path
// as CDT ops and as expressions, and failures that leave the record as it was.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { resultCode, startClientNode, type ClientNode } from '../../official-client.ts'

const Aerospike = createRequire(import.meta.url)('aerospike')
const { exp, operations: op } = Aerospike
const Context = Aerospike.cdt.Context
const PARAMETER_ERROR = 4
const BIN_TYPE_ERROR = 12
const SERVER_ERROR = 1

let node: ClientNode | undefined
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let client: any
let keyCount = 0

const RECORD = {
  // No whole numbers: the client would send them as integers, which float loop variables skip.
  floatMap: { a: 1.5, b: 3.5, c: 4.5 },
  mixed: [1, 'x', 3],
  doc: { book: [{ title: 'abc', price: 1.48 }, { title: 'def', price: 2.78 }] },
  n: 7,
}

before(async () => {
  node = await startClientNode()
  client = node.client
})

after(async () => {
  await node?.stop()
})

async function createRecord(): Promise<unknown> {
  const key = new Aerospike.Key('test', 'path', `path-${keyCount++}`)
  await client.put(key, RECORD)
  return key
}

const all = (): unknown => new Context().addAllChildren()
const VALUE = exp.pathSelectFlags.VALUE
const NO_FAIL = exp.pathSelectFlags.NO_FAIL

test('select by path as a CDT op and as an expression', async () => {
  const key = await createRecord()
  const prices = new Context().addMapKey('book').addAllChildren().addMapKey('price')
  assert.deepEqual((await client.operate(key, [op.selectByPath('doc', VALUE, prices)])).bins.doc, [1.48, 2.78])
  const selected = exp.selectByPath(exp.binMap('floatMap'), exp.type.LIST, exp.pathSelectFlags.MAP_KEY, all())
  assert.deepEqual((await client.operate(key, [exp.operations.read('keys', selected, 0)])).bins.keys, ['a', 'b', 'c'])
  const tree = await client.operate(key, [op.selectByPath('floatMap', exp.pathSelectFlags.MATCHING_TREE, new Context().addAllChildrenWithFilter(exp.gt(exp.loopVarFloat(exp.loopVarPart.VALUE), exp.float(2.0))))])
  assert.deepEqual(tree.bins.floatMap, { b: 3.5, c: 4.5 })
})

test('modify by path as a CDT op and as an expression', async () => {
  const key = await createRecord()
  const double = exp.mul(exp.loopVarFloat(exp.loopVarPart.VALUE), exp.float(2.0))
  await client.operate(key, [op.modifyByPath('floatMap', double, 0, all())])
  assert.deepEqual((await client.get(key)).bins.floatMap, { a: 3, b: 7, c: 9 })
  // The filter meets integers too, where it is unknown: NO_FAIL counts that as false.
  const isX = new Context().addAllChildrenWithFilter(exp.eq(exp.loopVarStr(exp.loopVarPart.VALUE), exp.str('x')))
  const drop = exp.modifyByPath(exp.binList('mixed'), exp.type.LIST, exp.removeResult(), exp.pathModifyFlags.NO_FAIL, isX)
  await client.operate(key, [exp.operations.write('mixed', drop, 0)])
  assert.deepEqual((await client.get(key)).bins.mixed, [1, 3])
})

test('failed path ops leave the record unchanged, even after an op that succeeded', async () => {
  const key = await createRecord()
  const before = (await client.get(key)).bins
  const increment = exp.add(exp.loopVarInt(exp.loopVarPart.VALUE), exp.int(1))
  const double = exp.mul(exp.loopVarFloat(exp.loopVarPart.VALUE), exp.float(2.0))
  assert.equal(await resultCode(client.operate(key, [op.modifyByPath('floatMap', double, 0, all()), op.modifyByPath('mixed', increment, 0, all())])), SERVER_ERROR)
  assert.equal(await resultCode(client.operate(key, [op.modifyByPath('floatMap', double, 0, all()), op.selectByPath('n', VALUE, all())])), BIN_TYPE_ERROR)
  const readsBin = new Context().addAllChildrenWithFilter(exp.eq(exp.binInt('n'), exp.int(7)))
  assert.equal(await resultCode(client.operate(key, [op.modifyByPath('floatMap', double, 0, all()), op.selectByPath('floatMap', VALUE, readsBin)])), PARAMETER_ERROR)
  assert.deepEqual((await client.get(key)).bins, before)
  // With NO_FAIL the elements the expression cannot handle stay as they are.
  await client.operate(key, [op.modifyByPath('mixed', increment, NO_FAIL, all())])
  assert.deepEqual((await client.get(key)).bins.mixed, [2, 'x', 4])
  assert.deepEqual((await client.operate(key, [op.selectByPath('floatMap', VALUE | NO_FAIL, readsBin)])).bins.floatMap, [])
})
