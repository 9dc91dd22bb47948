// Filters on the commands that carry them, run through dispatchMessage without sockets.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  FieldType, Info1, Info2, Info3, OpType, PROTO_HEADER_BYTES, ParticleType, ResultCode, computeDigest, decodeMessage, decodeMessageAt,
  encodeMessage, emptyHeader, type Field, type Message, type MessageHeader, type OutOp,
} from '@aerolite/protocol'
import { dispatchMessage } from '../../../src/commands/dispatch.ts'
import { whenSettled } from '../../../src/commands/record-result.ts'
import type { Namespace } from '../../../src/namespace/namespace.ts'
import { commandsOf, makeNamespace } from '../../commands/harness.ts'
import { E, T, bin, intBin, pack, type Tree } from './exp-fixtures.ts'

function fields(key: string, filter?: Tree | Buffer): Field[] {
  const out: Field[] = [
    { type: FieldType.NAMESPACE, data: Buffer.from('test') },
    { type: FieldType.SET, data: Buffer.from('demo') },
    { type: FieldType.DIGEST, data: computeDigest('demo', ParticleType.STRING, Buffer.from(key)) },
  ]
  if (filter !== undefined) out.push({ type: FieldType.FILTER, data: Buffer.isBuffer(filter) ? filter : pack(filter) })
  return out
}

function send(ns: Namespace, body: Buffer) {
  return dispatchMessage(decodeMessage(body), commandsOf(ns))
}

function command(ns: Namespace, header: Partial<MessageHeader>, key: string, filter?: Tree | Buffer, ops: OutOp[] = []): Message {
  const result = send(ns, encodeMessage({ ...emptyHeader(), ...header }, fields(key, filter), ops))
  if (!('reply' in result)) throw new Error('expected a single reply')
  return decodeMessage(result.reply.subarray(PROTO_HEADER_BYTES))
}

const intOp = (type: number, name: string, value: number): OutOp => ({ type, particleType: ParticleType.INTEGER, name, value: intBin('', value).value })
const READ = { info1: Info1.READ | Info1.GET_ALL }
const WRITE = { info2: Info2.WRITE }
const DELETE = { info2: Info2.WRITE | Info2.DELETE }

const is42: Tree = [E.EQ, bin(T.INT, 'a'), 42]
const is7: Tree = [E.EQ, bin(T.INT, 'a'), 7]

function fresh(): Namespace {
  const ns = makeNamespace()
  assert.equal(command(ns, WRITE, 'k', undefined, [intOp(OpType.WRITE, 'a', 42)]).resultCode, ResultCode.OK)
  return ns
}

test('reads: a matching filter reads, a failing one is FILTERED_OUT', () => {
  const ns = fresh()
  const hit = command(ns, READ, 'k', is42)
  assert.equal(hit.resultCode, ResultCode.OK)
  assert.equal(hit.ops.length, 1)
  assert.equal(command(ns, READ, 'k', is7).resultCode, ResultCode.FILTERED_OUT)
  assert.equal(command(ns, { info1: Info1.READ | Info1.NOBINDATA }, 'k', is7).resultCode, ResultCode.FILTERED_OUT)
  // An unknown result (a missing bin) does not match.
  assert.equal(command(ns, READ, 'k', [E.EQ, bin(T.INT, 'missing'), 1]).resultCode, ResultCode.FILTERED_OUT)
})

test('writes and operates see the record before their ops; a filtered write changes nothing', () => {
  const ns = fresh()
  assert.equal(command(ns, WRITE, 'k', is7, [intOp(OpType.WRITE, 'a', 1)]).resultCode, ResultCode.FILTERED_OUT)
  assert.equal(command(ns, WRITE, 'k', is42, [intOp(OpType.INCR, 'a', 1)]).resultCode, ResultCode.OK)
  // Now a = 43: the old condition no longer holds.
  assert.equal(command(ns, WRITE, 'k', is42, [intOp(OpType.INCR, 'a', 1)]).resultCode, ResultCode.FILTERED_OUT)
  const read = command(ns, READ, 'k')
  assert.equal(read.ops[0]!.value.readBigInt64BE(0), 43n)
  assert.equal(read.generation, 2)
})

test('deletes: FILTERED_OUT keeps the record', () => {
  const ns = fresh()
  assert.equal(command(ns, DELETE, 'k', is7).resultCode, ResultCode.FILTERED_OUT)
  assert.equal(command(ns, READ, 'k').resultCode, ResultCode.OK)
  assert.equal(command(ns, DELETE, 'k', is42).resultCode, ResultCode.OK)
  assert.equal(command(ns, READ, 'k').resultCode, ResultCode.RECORD_NOT_FOUND)
})

test('a missing record is not filtered: reads answer 2 and writes create it', () => {
  const ns = makeNamespace()
  assert.equal(command(ns, READ, 'none', is7).resultCode, ResultCode.RECORD_NOT_FOUND)
  assert.equal(command(ns, DELETE, 'none', is7).resultCode, ResultCode.RECORD_NOT_FOUND)
  assert.equal(command(ns, WRITE, 'none', is7, [intOp(OpType.WRITE, 'a', 1)]).resultCode, ResultCode.OK)
})

test('a malformed or non-boolean filter is a PARAMETER_ERROR', () => {
  const ns = fresh()
  for (const filter of [Buffer.alloc(0), Buffer.from([0x91, 0x7f]), pack([E.ADD, 1, 2]), pack(bin(T.INT, 'a')), pack([E.EQ, 1, 'x'])]) {
    assert.equal(command(ns, READ, 'k', filter).resultCode, ResultCode.PARAMETER_ERROR, filter.toString('hex'))
    assert.equal(command(ns, WRITE, 'k', filter, [intOp(OpType.WRITE, 'a', 1)]).resultCode, ResultCode.PARAMETER_ERROR)
    assert.equal(command(ns, DELETE, 'k', filter).resultCode, ResultCode.PARAMETER_ERROR)
  }
  assert.equal(command(ns, READ, 'k').ops[0]!.value.readBigInt64BE(0), 42n)
})

test('expression ops in an operate read and write through the working record', () => {
  const ns = fresh()
  const expOp = (type: number, name: string, exp: Tree, flags = 0): OutOp => ({ type, particleType: ParticleType.BLOB, name, value: pack([exp, flags]) })
  const double: Tree = [E.ADD, bin(T.INT, 'a'), bin(T.INT, 'a')]
  const reply = command(ns, { info1: Info1.READ, info2: Info2.WRITE | Info2.RESPOND_ALL_OPS }, 'k', undefined, [
    expOp(OpType.EXP_MODIFY, 'a', double),
    expOp(OpType.EXP_READ, 'tmp', double),
    { type: OpType.READ, particleType: 0, name: 'a', value: Buffer.alloc(0) },
  ])
  assert.equal(reply.resultCode, ResultCode.OK)
  assert.deepEqual(reply.ops.map((o) => [o.name.toString(), o.particleType]), [['a', 0], ['tmp', 1], ['a', 1]])
  assert.equal(reply.ops[1]!.value.readBigInt64BE(0), 168n)
  assert.equal(reply.ops[2]!.value.readBigInt64BE(0), 84n)
  // A read command may carry EXP_READ, not EXP_MODIFY.
  assert.equal(command(ns, { info1: Info1.READ }, 'k', undefined, [expOp(OpType.EXP_READ, 'x', double)]).resultCode, ResultCode.OK)
  assert.equal(command(ns, { info1: Info1.READ }, 'k', undefined, [expOp(OpType.EXP_MODIFY, 'a', double)]).resultCode, ResultCode.PARAMETER_ERROR)
  // A failing op fails the whole operate.
  const failed = command(ns, { info1: Info1.READ, info2: Info2.WRITE }, 'k', undefined, [
    expOp(OpType.EXP_MODIFY, 'a', 1), expOp(OpType.EXP_MODIFY, 'b', [E.ADD, bin(T.INT, 'nope'), 1]),
  ])
  assert.equal(failed.resultCode, ResultCode.OP_NOT_APPLICABLE)
  assert.equal(command(ns, READ, 'k').ops[0]!.value.readBigInt64BE(0), 84n)
})

async function scan(ns: Namespace, filter?: Tree | Buffer): Promise<Message[]> {
  const f: Field[] = [{ type: FieldType.NAMESPACE, data: Buffer.from('test') }, { type: FieldType.SET, data: Buffer.from('demo') }]
  if (filter !== undefined) f.push({ type: FieldType.FILTER, data: Buffer.isBuffer(filter) ? filter : pack(filter) })
  const result = send(ns, encodeMessage({ ...emptyHeader(), info1: Info1.READ | Info1.GET_ALL, info3: Info3.PARTITION_DONE }, f))
  const frames: Buffer[] = []
  if ('stream' in result) for await (const frame of result.stream({ aborted: () => false })) frames.push(frame)
  else frames.push((await whenSettled(result)).reply)
  const messages: Message[] = []
  for (const frame of frames) {
    const body = frame.subarray(PROTO_HEADER_BYTES)
    for (let at = 0; at < body.length;) {
      const { message, end } = decodeMessageAt(body, at)
      messages.push(message)
      at = end
    }
  }
  return messages
}

test('scans skip the records a filter does not match', async () => {
  const ns = makeNamespace()
  for (let i = 0; i < 20; i++) command(ns, WRITE, `k${i}`, undefined, [intOp(OpType.WRITE, 'a', i)])
  const records = (messages: Message[]) => messages.filter((m) => (m.info3 & Info3.LAST) === 0)
  assert.equal(records(await scan(ns)).length, 20)
  const even = records(await scan(ns, [E.EQ, [E.MOD, bin(T.INT, 'a'), 2], 0]))
  assert.equal(even.length, 10)
  for (const m of even) assert.equal(m.ops[0]!.value.readBigInt64BE(0) % 2n, 0n)
  assert.equal(records(await scan(ns, [E.EQ, [E.SET_NAME], 'demo'])).length, 20)
  const bad = await scan(ns, pack([E.ADD, 1]))
  assert.equal(bad.length, 1)
  assert.equal(bad[0]!.resultCode, ResultCode.PARAMETER_ERROR)
  assert.equal(bad[0]!.info3 & Info3.LAST, Info3.LAST)
})
