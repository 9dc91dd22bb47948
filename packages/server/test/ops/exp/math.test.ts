import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ResultCode } from '@aerolite/protocol'
import { E, T, bin, buildError, evalPlain, f, floatBin, intBin, pack, record, type Tree } from './exp-fixtures.ts'

const MAX = 2n ** 63n - 1n
const MIN = -(2n ** 63n)

test('integer arithmetic wraps at 64 bits; division truncates', () => {
  const rec = record({ bins: [intBin('i', 2)] })
  const cases: Array<[Tree, unknown]> = [
    [[E.ADD, bin(T.INT, 'i'), bin(T.INT, 'i')], 4n],
    [[E.ADD, 1, 2, 3], 6n],
    [[E.ADD, MAX, 1], MIN],
    [[E.SUB, 10, 3, 2], 5n],
    [[E.SUB, 4], -4n],
    [[E.SUB, MIN], MIN],
    [[E.MUL, 3, -4], -12n],
    [[E.MUL, MAX, 2], -2n],
    [[E.DIV, 7, 2], 3n],
    [[E.DIV, -7, 2], -3n],
    [[E.DIV, 100, 5, 2], 10n],
    [[E.DIV, 2], 0n],
    [[E.DIV, 1], 1n],
    [[E.DIV, 5, 0], 'unknown'],
    [[E.DIV, 0], 'unknown'],
    [[E.MOD, 7, 3], 1n],
    [[E.MOD, -7, 3], -1n],
    [[E.MOD, 7, 0], 'unknown'],
    [[E.ABS, -5], 5n],
    [[E.ABS, MIN], MIN],
    [[E.MIN, 3, -1, 2], -1n],
    [[E.MAX, 3, -1, 2], 3n],
    [[E.ADD, bin(T.INT, 'missing'), 1], 'unknown'],
  ]
  for (const [tree, expected] of cases) assert.equal(evalPlain(tree, rec), expected, String(tree))
})

test('float arithmetic, powers, logarithms, rounding and conversions', () => {
  const rec = record({ bins: [floatBin('x', 2.5)] })
  const cases: Array<[Tree, unknown]> = [
    [[E.ADD, bin(T.FLOAT, 'x'), f(0.5)], 3],
    [[E.SUB, f(1)], -1],
    [[E.DIV, f(4)], 0.25],
    [[E.DIV, f(1), f(0)], Infinity],
    [[E.POW, f(2), f(10)], 1024],
    [[E.LOG, f(8), f(2)], 3],
    [[E.ABS, f(-1.5)], 1.5],
    [[E.FLOOR, bin(T.FLOAT, 'x')], 2],
    [[E.CEIL, bin(T.FLOAT, 'x')], 3],
    [[E.FLOOR, f(-2.5)], -3],
    [[E.TO_INT, f(-2.9)], -2n],
    [[E.TO_INT, f(1e30)], MIN],
    [[E.TO_INT, f(NaN)], MIN],
    [[E.TO_FLOAT, 3], 3],
    [[E.MIN, f(1), f(-2)], -2],
    [[E.MAX, f(1), f(-2)], 1],
  ]
  for (const [tree, expected] of cases) assert.equal(evalPlain(tree, rec), expected, String(tree))
})

test('integer bit operations', () => {
  const cases: Array<[Tree, unknown]> = [
    [[E.INT_AND, 0b1100, 0b1010], 0b1000n],
    [[E.INT_OR, 0b1100, 0b1010], 0b1110n],
    [[E.INT_XOR, 0b1100, 0b1010, 1], 0b0111n],
    [[E.INT_NOT, 0], -1n],
    [[E.INT_LSHIFT, 1, 63], MIN],
    [[E.INT_LSHIFT, 1, 64], 1n],
    [[E.INT_RSHIFT, -1, 60], 15n],
    [[E.INT_ARSHIFT, -16, 2], -4n],
    [[E.INT_COUNT, -1], 64n],
    [[E.INT_COUNT, 0b1011], 3n],
    [[E.INT_LSCAN, 1, true], 63n],
    [[E.INT_LSCAN, MIN, true], 0n],
    [[E.INT_LSCAN, 0, true], -1n],
    [[E.INT_LSCAN, -1, false], -1n],
    [[E.INT_LSCAN, 0, false], 0n],
    [[E.INT_RSCAN, 0b110, true], 62n],
    [[E.INT_RSCAN, 0, true], -1n],
    [[E.INT_RSCAN, -2, false], 63n],
  ]
  for (const [tree, expected] of cases) assert.equal(evalPlain(tree), expected, String(tree))
})

test('arithmetic argument types are checked when the expression is built', () => {
  const errors: Tree[] = [
    [E.ADD],
    [E.ADD, 1, f(1)],
    [E.ADD, 'a'],
    [E.POW, 2, 3],
    [E.LOG, f(1)],
    [E.MOD, f(1), f(2)],
    [E.ABS, 'x'],
    [E.FLOOR, 1],
    [E.TO_INT, 1],
    [E.TO_FLOAT, f(1)],
    [E.INT_AND, f(1)],
    [E.INT_NOT, 1, 2],
    [E.INT_LSHIFT, 1, f(1)],
    [E.INT_LSCAN, 1, 1],
    [E.INT_RSCAN, true, true],
    [E.MIN],
  ]
  for (const tree of errors) assert.equal(buildError(pack(tree)), ResultCode.PARAMETER_ERROR, String(tree))
})
