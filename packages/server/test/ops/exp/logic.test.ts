import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ResultCode } from '@aerolite/protocol'
import { E, Name, T, bin, buildError, evalPlain, intBin, pack, record, type Tree } from './exp-fixtures.ts'

const UNK: Tree = [E.UNKNOWN]
const missing: Tree = [E.EQ, bin(T.INT, 'missing'), 1]

test('AND, OR and EXCLUSIVE follow three-valued logic', () => {
  const cases: Array<[Tree, unknown]> = [
    [[E.AND, true, true], true],
    [[E.AND, true, false], false],
    [[E.AND, UNK, false], false],
    [[E.AND, UNK, true], 'unknown'],
    [[E.OR, false, false], false],
    [[E.OR, UNK, true], true],
    [[E.OR, missing, false], 'unknown'],
    [[E.EXCLUSIVE, true, false, false], true],
    [[E.EXCLUSIVE, true, true, false], false],
    [[E.EXCLUSIVE, false, false], false],
    [[E.EXCLUSIVE, true, UNK], 'unknown'],
    [[E.NOT, true], false],
    [[E.NOT, false], true],
    [[E.NOT, UNK], 'unknown'],
    [UNK, 'unknown'],
    [[E.EQ, UNK, UNK], 'unknown'],
  ]
  for (const [tree, expected] of cases) assert.equal(evalPlain(tree), expected, JSON.stringify(tree))
})

test('logical ops need booleans and enough arguments', () => {
  assert.equal(buildError(pack([E.AND, true])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.OR, true, 1])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.NOT, 1])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.NOT, true, true])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.UNKNOWN, 1])), ResultCode.PARAMETER_ERROR)
})

test('COND picks the first true case, else the default; UNKNOWN fits any branch', () => {
  const rec = record({ bins: [intBin('a', 7)] })
  const cond = (a: Tree): Tree => [E.COND, [E.LT, a, 5], 'small', [E.LT, a, 10], 'medium', 'large']
  assert.equal(evalPlain(cond(bin(T.INT, 'a')), rec), 'medium')
  assert.equal(evalPlain(cond(1), rec), 'small')
  assert.equal(evalPlain(cond(100), rec), 'large')
  assert.equal(evalPlain(cond(bin(T.INT, 'missing')), rec), 'unknown')
  assert.equal(evalPlain([E.COND, false, UNK, 3]), 3n)
  assert.equal(evalPlain([E.COND, true, UNK, 3]), 'unknown')
  assert.equal(buildError(pack([E.COND, true, 1, 'x'])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.COND, 1, 1, 2])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.COND, true, 1])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.COND, true, 1, false, 2])), ResultCode.PARAMETER_ERROR)
})

test('LET binds names in order; VAR reads them', () => {
  const rec = record({ bins: [intBin('a', 7)] })
  const between: Tree = [E.LET, new Name('x'), bin(T.INT, 'a'), new Name('y'), [E.ADD, [E.VAR, new Name('x')], 1],
    [E.AND, [E.LT, 5, [E.VAR, new Name('x')]], [E.EQ, [E.VAR, new Name('y')], 8]]]
  assert.equal(evalPlain(between, rec), true)
  const nested: Tree = [E.LET, new Name('x'), 1, [E.LET, new Name('y'), 2, [E.ADD, [E.VAR, new Name('x')], [E.VAR, new Name('y')]]]]
  assert.equal(evalPlain(nested), 3n)
  // A variable holding an unknown value stays unknown.
  assert.equal(evalPlain([E.LET, new Name('m'), bin(T.INT, 'missing'), [E.EQ, [E.VAR, new Name('m')], 1]]), 'unknown')
})

test('LET refuses bad, duplicate, shadowing and undefined names', () => {
  const errors: Tree[] = [
    [E.LET, new Name('1x'), 1, true],
    [E.LET, new Name(''), 1, true],
    [E.LET, new Name('a-b'), 1, true],
    [E.LET, new Name('x'), 1, new Name('x'), 2, true],
    [E.LET, new Name('x'), 1, [E.LET, new Name('x'), 2, true]],
    [E.LET, new Name('x'), [E.VAR, new Name('x')], true],
    [E.VAR, new Name('nowhere')],
    [E.LET, new Name('x'), 1],
    [E.LET, new Name('x'), 1, new Name('y'), true],
  ]
  for (const tree of errors) assert.equal(buildError(pack(tree)), ResultCode.PARAMETER_ERROR, JSON.stringify(tree))
})

test('a variable is out of scope after its LET', () => {
  const tree: Tree = [E.AND, [E.LET, new Name('x'), true, [E.VAR, new Name('x')]], [E.VAR, new Name('x')]]
  assert.equal(buildError(pack(tree)), ResultCode.PARAMETER_ERROR)
})
