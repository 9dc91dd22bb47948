import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { osReason } from '../src/os-error.ts'

function thrownBy(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  assert.fail('expected a throw')
}

test('the reason drops the syscall and path Node appends', () => {
  const missing = join(tmpdir(), `aerolite-missing-${process.pid}`)
  assert.equal(osReason(thrownBy(() => readFileSync(missing))), 'ENOENT: no such file or directory')
  // Node ends this message with the syscall and no path (", read"): cut there too.
  assert.equal(osReason(thrownBy(() => readFileSync(tmpdir()))), 'EISDIR: illegal operation on a directory')
})

test('a code the message does not start with is put in front; other throws are shown as they are', () => {
  const err = Object.assign(new Error('disk quota exceeded'), { code: 'EDQUOT' })
  assert.equal(osReason(err), 'EDQUOT: disk quota exceeded')
  assert.equal(osReason(new Error('plain')), 'plain')
  assert.equal(osReason('text'), 'text')
})
