// Property tests: ordered lists stay sorted and maps stay key-sorted whatever ops run on them, and
// random payloads and bin values only ever fail with a CommandError.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ParticleType, packValue, type Value } from '@aerolite/protocol'
import { CommandError } from '../../../src/command-error.ts'
import { applyCdtOperation, type CdtBin } from '../../../src/ops/cdt/index.ts'
import { decodeList, decodeMap } from '../../../src/ops/cdt/collection.ts'
import { ListOp, MapOp } from '../../../src/ops/cdt/op-codes.ts'
import { compareElements } from '../../../src/ops/cdt/order.ts'
import { ctxOp, listBin, mapBin, op } from './cdt-helpers.ts'

const TIME_LIMIT_MS = 2000

const scalar: fc.Arbitrary<Value> = fc.oneof(fc.integer({ min: -50, max: 50 }), fc.string({ maxLength: 3 }), fc.constant(null), fc.boolean())
const value: fc.Arbitrary<Value> = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) })
const key: fc.Arbitrary<Value> = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.string({ maxLength: 2 }))
const index = fc.integer({ min: -6, max: 6 })
const count = fc.integer({ min: 0, max: 4 })
const returnType = fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 13, 0x10007)

const listOps: fc.Arbitrary<Buffer> = fc.oneof(
  fc.tuple(value, fc.constantFrom(0, 1, 4, 5)).map(([v, f]) => op(ListOp.APPEND, v, 1, f)),
  fc.tuple(fc.array(value, { maxLength: 4 }), fc.constantFrom(0, 1, 5, 13)).map(([vs, f]) => op(ListOp.APPEND_ITEMS, vs, 1, f)),
  fc.tuple(index, fc.integer({ min: -5, max: 5 })).map(([i, d]) => op(ListOp.INCREMENT, i, d)),
  fc.tuple(returnType, index, count).map(([r, i, c]) => op(ListOp.REMOVE_BY_INDEX_RANGE, r, i, c)),
  fc.tuple(returnType, index, count).map(([r, i, c]) => op(ListOp.REMOVE_BY_RANK_RANGE, r, i, c)),
  fc.tuple(returnType, value, value).map(([r, a, b]) => op(ListOp.REMOVE_BY_VALUE_INTERVAL, r, a, b)),
  fc.tuple(returnType, value, index, count).map(([r, v, i, c]) => op(ListOp.REMOVE_BY_VALUE_REL_RANK_RANGE, r, v, i, c)),
  fc.tuple(returnType, fc.array(value, { maxLength: 3 })).map(([r, vs]) => op(ListOp.REMOVE_ALL_BY_VALUE_LIST, r, vs)),
  fc.constantFrom(0, 1, 2, 3).map((f) => op(ListOp.SORT, f)),
  fc.tuple(index, count).map(([i, c]) => op(ListOp.TRIM, i, c)),
  fc.tuple(value).map(([v]) => ctxOp([0x10, 0], ListOp.APPEND, v)),
)

const mapOps: fc.Arbitrary<Buffer> = fc.oneof(
  fc.tuple(key, value, fc.constantFrom(0, 1, 2, 4, 5, 6)).map(([k, v, f]) => op(MapOp.PUT, k, v, 1, f)),
  fc.tuple(fc.array(fc.tuple(key, value), { maxLength: 4 }), fc.constantFrom(0, 1, 5, 13)).map(([kvs, f]) => op(MapOp.PUT_ITEMS, new Map(kvs), 1, f)),
  fc.tuple(key, fc.integer({ min: -5, max: 5 })).map(([k, d]) => op(MapOp.INCREMENT, k, d, 1)),
  fc.tuple(returnType, key).map(([r, k]) => op(MapOp.REMOVE_BY_KEY, r, k)),
  fc.tuple(returnType, index, count).map(([r, i, c]) => op(MapOp.REMOVE_BY_INDEX_RANGE, r, i, c)),
  fc.tuple(returnType, index, count).map(([r, i, c]) => op(MapOp.REMOVE_BY_RANK_RANGE, r, i, c)),
  fc.tuple(returnType, key, key).map(([r, a, b]) => op(MapOp.REMOVE_BY_KEY_INTERVAL, r, a, b)),
  fc.tuple(returnType, value, value).map(([r, a, b]) => op(MapOp.REMOVE_BY_VALUE_INTERVAL, r, a, b)),
  fc.constantFrom(0, 1, 3).map((f) => op(MapOp.SET_TYPE, f)),
  fc.tuple(key, value).map(([k, v]) => ctxOp([0x22 | 0x40, k], ListOp.APPEND, v)),
)

/** Runs the ops in order; a failed op (CommandError) leaves the bin as it was. */
function run(bin: CdtBin, payloads: readonly Buffer[], check: (bin: CdtBin) => void): void {
  for (const payload of payloads) {
    try {
      const out = applyCdtOperation(bin, payload, 'modify')
      if (out.bin !== undefined) bin = out.bin
    } catch (err) {
      if (!(err instanceof CommandError)) throw err
    }
    check(bin)
  }
}

test('ordered lists stay sorted after random op sequences', () => {
  fc.assert(
    fc.property(fc.array(value, { maxLength: 6 }), fc.array(listOps, { maxLength: 12 }), (start, payloads) => {
      const sorted = [...start].sort((a, b) => compareElements(packValue(a), packValue(b)))
      run(listBin(sorted, true), payloads, (bin) => {
        const list = decodeList(bin.value)
        assert.equal(list.flags, 1)
        for (let i = 1; i < list.items.length; i++) assert.ok(compareElements(list.items[i - 1]!, list.items[i]!) <= 0, 'ordered list out of order')
      })
    }),
    { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 400 },
  )
})

test('maps stay strictly key-sorted after random op sequences, whatever their order flags', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(key, value), { maxLength: 5 }), fc.constantFrom(0, 1, 3), fc.array(mapOps, { maxLength: 12 }), (entries, flags, payloads) => {
      const unique = [...new Map(entries.map(([k, v]) => [JSON.stringify(k), [k, v] as [Value, Value]])).values()]
      unique.sort((a, b) => compareElements(packValue(a[0]), packValue(b[0])))
      run(mapBin(unique, flags), payloads, (bin) => {
        const map = decodeMap(bin.value)
        for (let i = 1; i < map.keys.length; i++) assert.ok(compareElements(map.keys[i - 1]!, map.keys[i]!) < 0, 'map keys out of order')
      })
    }),
    { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 400 },
  )
})

function onlyCommandErrors(fn: () => unknown): void {
  try {
    fn()
  } catch (err) {
    if (!(err instanceof CommandError)) throw err
  }
}

test('random payloads and bin values never fail with anything but a CommandError', () => {
  const anyValue: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 4 }), fc.array(fc.tuple(key, tie('v')), { maxLength: 3 }).map((kv) => new Map(kv))),
  })).v
  const structured = fc.tuple(fc.integer({ min: 0, max: 120 }), fc.array(anyValue, { maxLength: 5 })).map(([code, args]) => op(code, ...args))
  const contextual = fc.tuple(fc.array(fc.oneof(fc.integer({ min: 0, max: 0x3ff }), anyValue), { maxLength: 6 }), fc.integer({ min: 0, max: 120 }), fc.array(anyValue, { maxLength: 4 }))
    .map(([ctx, code, args]) => ctxOp(ctx, code, ...args))
  const raw = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b))
  const bins = fc.oneof(
    fc.constant(undefined),
    anyValue.map((v): CdtBin => ({ particleType: Array.isArray(v) ? ParticleType.LIST : v instanceof Map ? ParticleType.MAP : ParticleType.INTEGER, value: packValue(v) })),
    raw.map((b): CdtBin => ({ particleType: ParticleType.LIST, value: b })),
  )
  fc.assert(
    fc.property(bins, fc.oneof(structured, contextual, raw), fc.boolean(), (bin, payload, modify) => {
      onlyCommandErrors(() => applyCdtOperation(bin, payload, modify ? 'modify' : 'read'))
    }),
    { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 5000 },
  )
})
