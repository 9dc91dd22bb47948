// The result code an op fails with, for the op-family tests.
import assert from 'node:assert/strict'
import { CommandError } from '../../src/command-error.ts'

/** Runs fn, which must fail with a CommandError, and returns its result code. */
export function commandErrorCode(fn: () => unknown): number {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof CommandError, `expected a CommandError, got ${String(err)}`)
    return err.resultCode
  }
  assert.fail('expected an error')
}
