// Bit and HLL ops inside whole commands: results in the reply, the record left untouched when any
// op fails, and modify ops refused in read commands.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Info1, Info2, OpType, ParticleType, ResultCode, type Message, type OutOp } from '@aerolite/protocol'
import { BitOpCode as B } from '../../../src/ops/bit/bit-payload.ts'
import { HllOpCode as H } from '../../../src/ops/hll/hll-payload.ts'
import { get, makeNamespace, put, run, write } from '../../commands/harness.ts'
import { blob, payload, type Arg } from './encode.ts'

const bitOp = (type: number, name: string, code: number, ...args: Arg[]): OutOp => ({ type, particleType: ParticleType.BLOB, name, value: payload(code, ...args) })

function bins(reply: Message): Record<string, Buffer> {
  return Object.fromEntries(reply.ops.map((op) => [op.name.toString(), op.value]))
}

describe('bit and HLL ops in commands', () => {
  it('an operate applies modify ops and answers read ops', () => {
    const ns = makeNamespace()
    put(ns, 'k', [write('b', ParticleType.BLOB, Buffer.from([0x01, 0x02]))])
    const reply = put(ns, 'k', [
      bitOp(OpType.BIT_MODIFY, 'b', B.RESIZE, 4),
      bitOp(OpType.BIT_MODIFY, 'b', B.SET_INT, 16, 16, 0xabcd),
      bitOp(OpType.BIT_READ, 'b', B.GET_INT, 16, 16),
      bitOp(OpType.HLL_MODIFY, 'h', H.ADD, ['x', 'y'], 8),
      bitOp(OpType.HLL_READ, 'h', H.COUNT),
    ], { info2: Info2.WRITE | Info2.RESPOND_ALL_OPS })
    assert.equal(reply.resultCode, ResultCode.OK)
    assert.deepEqual(reply.ops.map((op) => [op.name.toString(), op.particleType]), [
      ['b', ParticleType.NULL], ['b', ParticleType.NULL], ['b', ParticleType.INTEGER], ['h', ParticleType.INTEGER], ['h', ParticleType.INTEGER],
    ])
    assert.equal(reply.ops[2]!.value.readBigInt64BE(0), 0xabcdn)
    assert.equal(reply.ops[3]!.value.readBigInt64BE(0), 2n)
    assert.equal(reply.ops[4]!.value.readBigInt64BE(0), 2n)
    const stored = get(ns, 'k')
    assert.deepEqual(bins(stored).b, Buffer.from([0x01, 0x02, 0xab, 0xcd]))
    assert.equal(stored.ops.find((op) => op.name.toString() === 'h')!.particleType, ParticleType.HLL)
  })

  it('a failing op leaves the record as it was', () => {
    const ns = makeNamespace()
    put(ns, 'k', [write('b', ParticleType.BLOB, Buffer.from([0xff]))])
    const before = get(ns, 'k')
    const reply = put(ns, 'k', [
      bitOp(OpType.BIT_MODIFY, 'b', B.RESIZE, 3),
      bitOp(OpType.HLL_MODIFY, 'h', H.ADD, ['x'], 8),
      bitOp(OpType.BIT_MODIFY, 'b', B.ADD, 0, 8, 1, 0, 0),
    ])
    assert.equal(reply.resultCode, ResultCode.OP_NOT_APPLICABLE)
    const after = get(ns, 'k')
    assert.deepEqual(after.ops, before.ops)
    assert.equal(after.generation, before.generation)
  })

  it('wrong bin types and wrong payload types are bin type errors', () => {
    const ns = makeNamespace()
    put(ns, 'k', [write('s', ParticleType.STRING, Buffer.from('text'))])
    assert.equal(put(ns, 'k', [bitOp(OpType.BIT_MODIFY, 's', B.RESIZE, 3)]).resultCode, ResultCode.BIN_TYPE_ERROR)
    assert.equal(put(ns, 'k', [bitOp(OpType.HLL_MODIFY, 's', H.INIT, 8)]).resultCode, ResultCode.BIN_TYPE_ERROR)
    const stringPayload: OutOp = { type: OpType.BIT_MODIFY, particleType: ParticleType.STRING, name: 'b', value: payload(B.RESIZE, 3) }
    assert.equal(put(ns, 'k', [stringPayload]).resultCode, ResultCode.BIN_TYPE_ERROR)
  })

  it('a read command answers bit and HLL reads and refuses their modify ops', () => {
    const ns = makeNamespace()
    put(ns, 'k', [write('b', ParticleType.BLOB, Buffer.from([0xf0]))])
    const reply = run(ns, { info1: Info1.READ }, 'k', [bitOp(OpType.BIT_READ, 'b', B.COUNT, 0, 8), bitOp(OpType.HLL_READ, 'missing', H.COUNT)])
    assert.equal(reply.resultCode, ResultCode.OK)
    assert.deepEqual(reply.ops.map((op) => op.name.toString()), ['b'])
    assert.equal(reply.ops[0]!.value.readBigInt64BE(0), 4n)
    const refused = run(ns, { info1: Info1.READ }, 'k', [bitOp(OpType.BIT_MODIFY, 'b', B.NOT, 0, 8)])
    assert.equal(refused.resultCode, ResultCode.PARAMETER_ERROR)
  })

  it('a no-fail bit op on a new record creates nothing (as Aerospike: record not found)', () => {
    const ns = makeNamespace()
    const reply = put(ns, 'new', [bitOp(OpType.BIT_MODIFY, 'b', B.NOT, 0, 8, 4)])
    assert.equal(reply.resultCode, ResultCode.RECORD_NOT_FOUND)
    assert.equal(get(ns, 'new').resultCode, ResultCode.RECORD_NOT_FOUND)
    assert.equal(put(ns, 'new2', [bitOp(OpType.BIT_MODIFY, 'b', B.INSERT, 1, blob([7]))]).resultCode, ResultCode.OK)
    assert.deepEqual(bins(get(ns, 'new2')).b, Buffer.from([0, 7]))
  })
})
