// Random path operations on random bins: they only ever fail with a CommandError, never touch the
// bin they were given, and a rewrite leaves a bin in stored form with its ordered lists sorted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Double, MsgpackExt, MsgpackWriter, ParticleType, packValue, type Value } from '@aerolite/protocol'
import { CommandError } from '../../../src/command-error.ts'
import { applyCdtOperation, type CdtBin } from '../../../src/ops/cdt/index.ts'
import { canonicalValue } from '../../../src/ops/cdt/canonical.ts'
import { decodeList, decodeMap } from '../../../src/ops/cdt/collection.ts'
import { Kind, readHead } from '../../../src/ops/cdt/element.ts'
import { compareElements } from '../../../src/ops/cdt/order.ts'
import { E, T, bin as binExp, pack, record, type Tree } from '../exp/exp-fixtures.ts'

const TIME_LIMIT_MS = 2000
const REC = record()
const ORDERED = new MsgpackExt(1, Buffer.alloc(0))

const scalar: fc.Arbitrary<Value> = fc.oneof(
  fc.integer({ min: -20, max: 20 }),
  fc.string({ maxLength: 2 }),
  fc.double({ min: -10, max: 10, noNaN: true }).map((x) => new Double(x)),
  fc.constant(null),
  fc.boolean(),
)
const key: fc.Arbitrary<Value> = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom('a', 'b', 'c', 'd'))
const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.array(scalar, { maxLength: 4 }).map((items) => [ORDERED, ...[...items].sort((a, b) => compareElements(packValue(a), packValue(b)))]),
    fc.array(fc.tuple(key, tie('v')), { maxLength: 4 }).map((kv) => new Map(kv)),
    fc.array(fc.tuple(key, tie('v')), { maxLength: 3 }).map((kv) => new Map<Value, Value>([[ORDERED, null], ...[...new Map(kv)].sort((a, b) => compareElements(packValue(a[0]), packValue(b[0])))])),
  ),
})).v

const bin: fc.Arbitrary<CdtBin> = fc.oneof(
  fc.array(value, { maxLength: 5 }).map((items): CdtBin => ({ particleType: ParticleType.LIST, value: packValue(items) })),
  fc.array(fc.tuple(key, value), { maxLength: 5 }).map((kv): CdtBin => ({ particleType: ParticleType.MAP, value: packValue(new Map(kv)) })),
)

/** A loop variable and a literal of its type. */
const typed: fc.Arbitrary<[Tree, Tree]> = fc.oneof(
  fc.tuple(fc.constantFrom(0, 1, 2), fc.integer({ min: -20, max: 20 })).map(([part, x]): [Tree, Tree] => [[E.LOOPVAR, T.INT, part], x]),
  fc.tuple(fc.constantFrom(0, 1), fc.string({ maxLength: 2 })).map(([part, x]): [Tree, Tree] => [[E.LOOPVAR, T.STR, part], x]),
  fc.double({ min: -10, max: 10, noNaN: true }).map((x): [Tree, Tree] => [[E.LOOPVAR, T.FLOAT, 1], new Double(x)]),
  fc.boolean().map((x): [Tree, Tree] => [[E.LOOPVAR, T.BOOL, 1], x]),
  fc.constant<[Tree, Tree]>([[E.LOOPVAR, T.NIL, 1], null]),
  fc.constant<[Tree, Tree]>([[E.LOOPVAR, T.LIST, 1], [E.QUOTE, [1]]]),
)
const filter: fc.Arbitrary<Tree> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(E.EQ, E.GT, E.LT), typed).map(([op, [v, s]]): Tree => [op, v, s]) },
  { weight: 1, arbitrary: fc.constant<Tree>([E.EQ, true, true]) },
  { weight: 1, arbitrary: fc.constant<Tree>([E.EQ, binExp(T.INT, 'x'), 1]) },
)
const modifyExp: fc.Arbitrary<Tree> = fc.oneof(
  scalar.map((s): Tree => s),
  fc.constant<Tree>([E.REMOVE_RESULT]),
  fc.constant<Tree>([E.ADD, [E.LOOPVAR, T.INT, 1], 1]),
  fc.constant<Tree>([E.LOOPVAR, T.LIST, 1]),
  fc.constant<Tree>([E.QUOTE, [1, 'x']]),
  fc.constant<Tree>([E.QUOTE, [new MsgpackExt(0xff, Buffer.of(1))]]),
  filter.map((cond): Tree => [E.COND, cond, [E.REMOVE_RESULT], [E.UNKNOWN]]),
)

/** One context step as raw msgpack (type, value). */
const step: fc.Arbitrary<Buffer[]> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Buffer[]>([packValue(0x04), packValue(true)]) },
  { weight: 2, arbitrary: filter.map((f) => [packValue(0x04), pack(f)]) },
  { weight: 1, arbitrary: filter.map((f) => [packValue(0x204), pack(f)]) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(0x10, 0x11, 0x20, 0x21, 0x00, 0x01), fc.integer({ min: -4, max: 4 })).map(([t, i]) => [packValue(t), packValue(i)]) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(0x22, 0x23, 0x13, 0x12, 0x02), key).map(([t, k]) => [packValue(t), packValue(k)]) },
  { weight: 1, arbitrary: fc.array(key, { maxLength: 3 }).map((keys) => [packValue(0x2a), packValue(keys)]) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 0x3ff }), value).map(([t, v]) => [packValue(t), packValue(v)]) },
)

function payload(steps: Buffer[][], flags: number, modify: Tree | undefined): Buffer {
  const w = new MsgpackWriter()
  w.arrayHeader(modify === undefined ? 3 : 4)
  w.int(0xfe)
  w.arrayHeader(steps.length * 2)
  for (const [type, arg] of steps) {
    w.raw(type!)
    w.raw(arg!)
  }
  w.int(flags)
  if (modify !== undefined) w.raw(pack(modify))
  return w.toBuffer()
}

const pathPayload: fc.Arbitrary<{ payload: Buffer; modify: boolean }> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.array(step, { minLength: 1, maxLength: 4 }), fc.constantFrom(0, 1, 2, 3, 0x10, 0x11, 0x12, 0x13, 5, 0xff)).map(([steps, flags]) => ({ payload: payload(steps, flags, undefined), modify: false })) },
  { weight: 3, arbitrary: fc.tuple(fc.array(step, { minLength: 1, maxLength: 4 }), fc.constantFrom(4, 0x14, 0x14), modifyExp).map(([steps, flags, m]) => ({ payload: payload(steps, flags, m), modify: true })) },
  { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 30 }), fc.boolean()).map(([bytes, modify]) => ({ payload: Buffer.concat([Buffer.of(0x94, 0xcc, 0xfe), bytes]), modify })) },
)

function assertSorted(buf: Buffer): void {
  const kind = readHead(buf, 0).kind
  if (kind === Kind.LIST) {
    const list = decodeList(buf)
    if (list.flags === 1) for (let i = 1; i < list.items.length; i++) assert.ok(compareElements(list.items[i - 1]!, list.items[i]!) <= 0, 'ordered list out of order')
    for (const item of list.items) assertSorted(item)
  } else if (kind === Kind.MAP) {
    const map = decodeMap(buf)
    for (let i = 1; i < map.keys.length; i++) assert.ok(compareElements(map.keys[i - 1]!, map.keys[i]!) < 0, 'map out of key order')
    for (const v of map.values) assertSorted(v)
  }
}

test('random path operations fail only with CommandErrors and never touch the bin they read', () => {
  fc.assert(
    fc.property(bin, pathPayload, fc.boolean(), (input, { payload: bytes, modify }, asModify) => {
      const before = Buffer.from(input.value)
      try {
        const out = applyCdtOperation(input, bytes, modify || asModify ? 'modify' : 'read', { record: REC.view, ops: REC.ops })
        if (out.bin !== undefined) {
          assert.deepEqual(canonicalValue(out.bin.value), out.bin.value)
          assertSorted(out.bin.value)
          assert.equal(out.bin.particleType, input.particleType)
        }
      } catch (err) {
        if (!(err instanceof CommandError)) throw err
      }
      assert.deepEqual(input.value, before)
    }),
    { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 5000 },
  )
})

test('random bytes in a path payload and non-collection bins fail only with CommandErrors', () => {
  const anyBin: fc.Arbitrary<CdtBin | undefined> = fc.oneof(
    fc.constant(undefined),
    fc.tuple(fc.constantFrom(ParticleType.LIST, ParticleType.MAP, ParticleType.INTEGER), fc.uint8Array({ maxLength: 12 })).map(([particleType, b]): CdtBin => ({ particleType, value: Buffer.from(b) })),
  )
  fc.assert(
    fc.property(anyBin, pathPayload, (input, { payload: bytes, modify }) => {
      try {
        applyCdtOperation(input, bytes, modify ? 'modify' : 'read', { record: REC.view, ops: REC.ops })
      } catch (err) {
        if (!(err instanceof CommandError)) throw err
      }
    }),
    { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 3000 },
  )
})
