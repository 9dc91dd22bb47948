// Random HLL op payloads on random bins: the only failures are CommandErrors, a failed op leaves
// the record as it was, and every HLL an op leaves in a bin or returns is well formed.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { MsgpackWriter, OpType, ParticleType, type Value } from '@aerolite/protocol'
import { CommandError } from '../../../src/command-error.ts'
import { applyHllOperation, hllModify, hllRead, isValidHll } from '../../../src/ops/hll/index.ts'
import type { OpContext } from '../../../src/ops/op-context.ts'
import type { Bin } from '../../../src/record/bins.ts'
import { Bytes, hllValue, payload } from '../bit/encode.ts'
import { OP_FAMILIES } from '../../../src/ops/families.ts'

const CODES = [0, 1, 2, 3, 4, 50, 51, 52, 53, 54, 55, 56]

/** A few well-formed HLLs of different shapes, some holding elements. */
const SKETCHES: Buffer[] = [[4, 0], [8, 0], [8, 4], [6, 12], [5, 4]].flatMap(([indexBits, minhashBits]) => {
  const empty = applyHllOperation(undefined, payload(0, indexBits!, minhashBits!), 'modify').bin!.value
  const full = applyHllOperation(undefined, payload(1, ['a', 'b', 7, 'c'], indexBits!, minhashBits!), 'modify').bin!.value
  return [empty, full]
})

const sketchArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SKETCHES) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SKETCHES), fc.nat(300), fc.nat(255)).map(([s, at, b]) => {
    const damaged = Buffer.from(s)
    damaged[at % damaged.length] = b
    return damaged
  }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)) },
)

const elementArb: fc.Arbitrary<Value> = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }))

type Kind = 'index' | 'minhash' | 'flags' | 'elements' | 'sketches'
const SHAPES: Record<number, Kind[]> = {
  0: ['index', 'minhash', 'flags'], 1: ['elements', 'index', 'minhash', 'flags'], 2: ['sketches', 'flags'], 3: [], 4: ['index'],
  50: [], 51: ['sketches'], 52: ['sketches'], 53: ['sketches'], 54: ['sketches'], 55: [], 56: ['elements'],
}

function writeKind(writer: MsgpackWriter, kind: Kind, value: unknown): void {
  if (kind === 'sketches') {
    const sketches = value as Buffer[]
    writer.arrayHeader(sketches.length)
    for (const s of sketches) writer.typedBytes(ParticleType.HLL, s)
  } else {
    writer.value(value as Value)
  }
}

const KIND_ARBS: Record<Kind, fc.Arbitrary<unknown>> = {
  index: fc.integer({ min: -2, max: 18 }),
  minhash: fc.integer({ min: -2, max: 55 }),
  flags: fc.integer({ min: 0, max: 16 }),
  elements: fc.array(elementArb, { maxLength: 5 }),
  sketches: fc.array(sketchArb, { maxLength: 4 }),
}

const shapedPayload = fc.constantFrom(...CODES).chain((code) => fc.tuple(fc.constant(code), fc.tuple(...SHAPES[code]!.map((k) => KIND_ARBS[k])), fc.nat(3)))
  .map(([code, args, drop]) => {
    const kinds = SHAPES[code]!
    const kept = Math.max(0, kinds.length - drop)
    const writer = new MsgpackWriter()
    writer.arrayHeader(kept + 1)
    writer.int(code)
    for (let i = 0; i < kept; i++) writeKind(writer, kinds[i]!, args[i])
    return writer.toBuffer()
  })

const payloadArb = fc.oneof(
  { weight: 5, arbitrary: shapedPayload },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.tuple(shapedPayload, fc.nat(30)).map(([p, n]) => p.subarray(0, n)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...CODES), fc.array(fc.oneof(elementArb, sketchArb.map((s) => new Bytes(s, ParticleType.HLL))), { maxLength: 4 }))
    .map(([code, args]) => payload(code, ...args.map((a) => (a instanceof Bytes ? a : [a]) as Bytes | Value[]))) },
)

const binArb: fc.Arbitrary<Bin | undefined> = fc.oneof(
  fc.constant(undefined),
  sketchArb.map((s): Bin => ({ name: 'h', particleType: ParticleType.HLL, value: s })),
  fc.constant<Bin>({ name: 'h', particleType: ParticleType.BLOB, value: Buffer.from([1, 2]) }),
)

describe('HLL ops on random payloads', () => {
  it('fail only with CommandError and leave the record unchanged', () => {
    fc.assert(fc.property(binArb, payloadArb, fc.boolean(), (bin, value, modify) => {
      const before = bin === undefined ? undefined : Buffer.from(bin.value)
      const ctx: OpContext = { bins: bin === undefined ? [] : [bin], record: undefined as never, readOnly: false, ops: OP_FAMILIES }
      const op = { type: modify ? OpType.HLL_MODIFY : OpType.HLL_READ, particleType: ParticleType.BLOB, flags: 0, name: Buffer.from('h'), value }
      try {
        const result = (modify ? hllModify : hllRead)(ctx, op, 'h')
        if (result?.particleType === ParticleType.HLL) assert.ok(isValidHll(result.value))
        const after = ctx.bins[0]
        if (after !== undefined && after !== bin) {
          assert.equal(after.particleType, ParticleType.HLL)
          assert.ok(isValidHll(after.value))
        }
      } catch (err) {
        if (!(err instanceof CommandError)) throw err
        assert.deepEqual(ctx.bins, bin === undefined ? [] : [bin])
      }
      if (bin !== undefined) assert.deepEqual(bin.value, before)
    }), { numRuns: 3000, interruptAfterTimeLimit: 4000 })
  })

  it('set_union then get_count answers what get_union_count does', () => {
    const valid = SKETCHES.filter(isValidHll)
    fc.assert(fc.property(fc.array(fc.constantFrom(...valid), { minLength: 1, maxLength: 4 }), (sketches) => {
      const all = applyHllOperation(undefined, payload(2, sketches.map(hllValue), 8), 'modify').bin!
      const count = applyHllOperation(all, payload(50), 'read').result!.value.readBigInt64BE(0)
      const viaRead = applyHllOperation({ particleType: ParticleType.HLL, value: sketches[0]! }, payload(52, sketches.map(hllValue)), 'read')
      assert.equal(viaRead.result!.value.readBigInt64BE(0), count)
    }), { numRuns: 200 })
  })
})
