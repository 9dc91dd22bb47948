// Random payloads: building and running an expression either works or fails with a result code;
// it never throws anything else, never hangs, and a failed expression op leaves the bins alone.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { MsgpackExt, OpType, ParticleType, type Value } from '@aerolite/protocol'
import { CommandError } from '../../../src/command-error.ts'
import { compileExpression, expModify, expRead, runExpression } from '../../../src/ops/exp/index.ts'
import type { Bin } from '../../../src/record/bins.ts'
import { E, Name, blobBin, boolBin, f, floatBin, intBin, listBin, mapBin, pack, record, strBin, type Tree } from './exp-fixtures.ts'

const TIME_LIMIT_MS = 1000

const BINS: Bin[] = [
  intBin('i', 7), floatBin('f', 2.5), strBin('s', 'Star Wars'), blobBin('b', Buffer.of(1, 2, 3)), boolBin('t', true),
  listBin('l', [1, 'a', [2]]), mapBin('m', new Map<Value, Value>([['k', 1]])),
]

function onlyCommandErrors(fn: () => void): void {
  try {
    fn()
  } catch (err) {
    if (!(err instanceof CommandError)) throw err
  }
}

function compileAndRun(bytes: Buffer): void {
  onlyCommandErrors(() => {
    const exp = compileExpression(bytes)
    runExpression(exp, record({ bins: BINS }))
  })
}

test('random bytes never crash the compiler or the evaluator', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => compileAndRun(Buffer.from(bytes))), {
    numRuns: 100_000,
    interruptAfterTimeLimit: TIME_LIMIT_MS,
  })
})

const OPS = Object.values(E).filter((code) => code !== E.CALL)
const NAMES = ['i', 'f', 's', 'b', 't', 'l', 'm', 'x', 'nope']

const leaf: fc.Arbitrary<Tree> = fc.oneof(
  fc.integer({ min: -3, max: 12 }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.double().map(f),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('a', 'Star', ''),
  fc.constantFrom(...NAMES).map((n) => new Name(n)),
  fc.constant(Buffer.of(1, 2)),
  fc.constant(new MsgpackExt(0xff, Buffer.of(1))),
  fc.constant(new Map<Value, Value>([['k', 1]])),
)

/** Trees shaped like instructions: an op code then a few arguments, some of them instructions. */
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(fc.constantFrom(...OPS), fc.array(fc.oneof(leaf, tie('node')), { maxLength: 4 })).map(([op, args]) => [op, ...args] as Tree),
    fc.tuple(fc.constantFrom(E.BIN, E.LOOPVAR, E.KEY), fc.integer({ min: 0, max: 10 }), fc.constantFrom(...NAMES)).map(([op, t, n]) => [op, t, new Name(n)] as Tree),
    fc.tuple(fc.integer({ min: 0, max: 9 }), fc.constantFrom(0, 1, 2, 0x40, 0x41, 0x42), fc.integer({ min: 0, max: 60 }), fc.array(leaf, { maxLength: 3 }), tie('node'))
      .map(([t, system, code, args, operand]) => [E.CALL, t, system, [code, ...args], operand] as Tree),
  ),
})).node

test('random instruction trees never crash the compiler or the evaluator', () => {
  fc.assert(fc.property(tree, (t) => compileAndRun(pack(t))), { numRuns: 100_000, interruptAfterTimeLimit: TIME_LIMIT_MS })
})

test('random expression ops fail with a result code and leave the bins unchanged', () => {
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 32 }).map((b) => Buffer.from(b)),
    fc.tuple(tree, fc.oneof(fc.integer({ min: -1, max: 40 }), fc.constant('x'))).map(([t, flags]) => pack([t, flags])),
  )
  fc.assert(
    fc.property(payload, fc.boolean(), fc.constantFrom(...NAMES), (value, modify, name) => {
      const rec = record({ bins: BINS.map((b) => ({ ...b })) })
      const ctx = { bins: rec.bins as Bin[], record: rec.view, readOnly: false, ops: rec.ops }
      const op = { type: modify ? OpType.EXP_MODIFY : OpType.EXP_READ, particleType: ParticleType.BLOB, flags: 0, name: Buffer.from(name), value }
      try {
        ;(modify ? expModify : expRead)(ctx, op, name)
      } catch (err) {
        if (!(err instanceof CommandError)) throw err
        assert.deepEqual(ctx.bins, BINS)
      }
    }),
    { numRuns: 100_000, interruptAfterTimeLimit: TIME_LIMIT_MS },
  )
})
