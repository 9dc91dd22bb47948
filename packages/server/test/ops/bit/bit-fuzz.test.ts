// Random bit op payloads on random bins: the only failures are CommandErrors, a failed op leaves
// the record as it was, and a successful one keeps the bin a blob.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { MsgpackWriter, OpType, ParticleType, type Value } from '@aerolite/protocol'
import { CommandError } from '../../../src/command-error.ts'
import { bitModify, bitRead } from '../../../src/ops/bit/index.ts'
import type { OpContext } from '../../../src/ops/op-context.ts'
import type { Bin } from '../../../src/record/bins.ts'
import { OP_FAMILIES } from '../../../src/ops/families.ts'

const CODES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 50, 51, 52, 53, 54]

const arg: fc.Arbitrary<Value> = fc.oneof(
  fc.integer({ min: -40, max: 80 }),
  fc.constantFrom(0, 1, 2, 4, 7, 8, 15, 16, 63, 64, 65, -1, -8, 255, 2 ** 27, 2 ** 30, 2 ** 31, -(2 ** 31)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.boolean(),
  fc.uint8Array({ maxLength: 10 }).map((a) => Buffer.from(a)),
  fc.constant(null),
  fc.string({ maxLength: 3 }),
  fc.array(fc.integer(), { maxLength: 2 }),
)

const structuredPayload = fc.tuple(fc.oneof(fc.constantFrom(...CODES), fc.integer({ min: -2, max: 300 })), fc.array(arg, { maxLength: 6 }))
  .map(([code, args]) => {
    const writer = new MsgpackWriter()
    writer.arrayHeader(args.length + 1)
    writer.int(code)
    for (const a of args) writer.value(a)
    return writer.toBuffer()
  })

// Arguments of the right kinds for each op, with values around the edges of what is allowed.
type Kind = 'offset' | 'size' | 'int' | 'bytes' | 'flags' | 'bool'
const SHAPES: Record<number, Kind[]> = {
  0: ['size', 'flags', 'flags'], 1: ['offset', 'bytes', 'flags'], 2: ['offset', 'size', 'flags'],
  3: ['offset', 'size', 'bytes', 'flags'], 4: ['offset', 'size', 'bytes', 'flags'], 5: ['offset', 'size', 'bytes', 'flags'],
  6: ['offset', 'size', 'bytes', 'flags'], 7: ['offset', 'size', 'flags'], 8: ['offset', 'size', 'int', 'flags'],
  9: ['offset', 'size', 'int', 'flags'], 10: ['offset', 'size', 'int', 'flags', 'flags'], 11: ['offset', 'size', 'int', 'flags', 'flags'],
  12: ['offset', 'size', 'int', 'flags'], 50: ['offset', 'size'], 51: ['offset', 'size'], 52: ['offset', 'size', 'bool'],
  53: ['offset', 'size', 'bool'], 54: ['offset', 'size', 'flags'],
}
const KIND_ARBS: Record<Kind, fc.Arbitrary<Value>> = {
  offset: fc.integer({ min: -100, max: 100 }),
  size: fc.integer({ min: 0, max: 70 }),
  int: fc.oneof(fc.integer({ min: -300, max: 300 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n })),
  bytes: fc.uint8Array({ maxLength: 10 }).map((a) => Buffer.from(a)),
  flags: fc.integer({ min: 0, max: 16 }),
  bool: fc.boolean(),
}
const shapedPayload = fc.constantFrom(...CODES).chain((code) => fc.tuple(fc.constant(code), fc.tuple(...SHAPES[code]!.map((k) => KIND_ARBS[k])), fc.nat(6)))
  .map(([code, args, keep]) => {
    const kept = args.slice(0, Math.max(1, args.length - keep % 3))
    const writer = new MsgpackWriter()
    writer.arrayHeader(kept.length + 1)
    writer.int(code)
    for (const a of kept) writer.value(a)
    return writer.toBuffer()
  })

const payloadArb = fc.oneof(
  { weight: 4, arbitrary: shapedPayload },
  { weight: 2, arbitrary: structuredPayload },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)) },
  // A valid payload cut short or followed by junk.
  { weight: 1, arbitrary: fc.tuple(structuredPayload, fc.integer({ min: 0, max: 20 })).map(([p, n]) => p.subarray(0, n)) },
)

const binArb: fc.Arbitrary<Bin | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 12 }).map((a): Bin => ({ name: 'b', particleType: ParticleType.BLOB, value: Buffer.from(a) })),
  fc.constant<Bin>({ name: 'b', particleType: ParticleType.STRING, value: Buffer.from('str') }),
)

function context(bin: Bin | undefined): OpContext {
  return { bins: bin === undefined ? [] : [bin], record: undefined as never, readOnly: false, ops: OP_FAMILIES }
}

describe('bit ops on random payloads', () => {
  it('fail only with CommandError and leave the record unchanged', () => {
    fc.assert(fc.property(binArb, payloadArb, fc.boolean(), fc.boolean(), (bin, value, modify, blobTyped) => {
      const before = bin === undefined ? undefined : Buffer.from(bin.value)
      const ctx = context(bin)
      const op = { type: modify ? OpType.BIT_MODIFY : OpType.BIT_READ, particleType: blobTyped ? ParticleType.BLOB : ParticleType.STRING, flags: 0, name: Buffer.from('b'), value }
      try {
        const result = (modify ? bitModify : bitRead)(ctx, op, 'b')
        if (modify) {
          assert.equal(result, undefined)
          assert.ok(ctx.bins.length <= 1)
          if (ctx.bins.length === 1 && ctx.bins[0] !== bin) assert.equal(ctx.bins[0]!.particleType, ParticleType.BLOB)
        } else {
          assert.deepEqual(ctx.bins, bin === undefined ? [] : [bin])
        }
      } catch (err) {
        if (!(err instanceof CommandError)) throw err
        assert.deepEqual(ctx.bins, bin === undefined ? [] : [bin])
      }
      // The handlers never write into the bytes they were given.
      if (bin !== undefined) assert.deepEqual(bin.value, before)
    }), { numRuns: 3000, interruptAfterTimeLimit: 4000 })
  })
})
