// Every list and map op with arguments drawn from a small domain (so values repeat, ranges
// overlap and indexes land in and out of bounds), every return type with and without INVERTED, on
// small ordered and unordered lists and maps: an op either answers or fails with a CommandError.
import { test } from 'node:test'
import fc from 'fast-check'
import type { Value } from '@aerolite/protocol'
import { CommandError } from '../../../src/command-error.ts'
import { ListOp, MapOp } from '../../../src/ops/cdt/op-codes.ts'
import { apply, listBin, mapBin, op } from './cdt-helpers.ts'

const INVERTED = 0x10000
const small: fc.Arbitrary<Value> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 3 }), weight: 4 },
  { arbitrary: fc.integer({ min: -4, max: 8 }), weight: 1 },
  { arbitrary: fc.constantFrom('a', 'b', null), weight: 1 },
)
const returnType = fc.tuple(fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 99), fc.boolean())
  .map(([type, inverted]) => (inverted ? type | INVERTED : type))
const argument: fc.Arbitrary<Value> = fc.oneof(small, returnType, fc.array(small, { maxLength: 4 }), fc.integer({ min: 0, max: 15 }))
const args = fc.array(argument, { maxLength: 5 })
/** The return type, when an op takes one, is its first argument: put one there often. */
const argsWithReturnType = fc.oneof(args, fc.tuple(returnType, args).map(([rt, rest]) => [rt, ...rest]))

function onlyCommandErrors(fn: () => unknown): void {
  try {
    fn()
  } catch (err) {
    if (!(err instanceof CommandError)) throw err
  }
}

test('list ops with small arguments answer or fail with a CommandError', () => {
  fc.assert(
    fc.property(fc.constantFrom(...Object.values(ListOp)), argsWithReturnType, fc.array(small, { maxLength: 6 }), fc.boolean(), fc.boolean(),
      (code, opArgs, items, ordered, modify) => {
        const sorted = ordered ? [...items].filter((v) => typeof v === 'number').sort((a, b) => (a as number) - (b as number)) : items
        onlyCommandErrors(() => apply(listBin(sorted, ordered), op(code, ...opArgs), modify ? 'modify' : 'read'))
      }),
    { numRuns: 100000 },
  )
})

test('map ops with small arguments answer or fail with a CommandError', () => {
  fc.assert(
    fc.property(fc.constantFrom(...Object.values(MapOp)), argsWithReturnType, fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 6 }), small), { maxLength: 6, selector: ([k]) => k }),
      fc.constantFrom(0, 1, 3), fc.boolean(),
      (code, opArgs, entries, flags, modify) => {
        const sorted = [...entries].sort((a, b) => a[0] - b[0])
        onlyCommandErrors(() => apply(mapBin(sorted, flags), op(code, ...opArgs), modify ? 'modify' : 'read'))
      }),
    { numRuns: 100000 },
  )
})
