// A fault inside a command (a bug, not a CommandError) answers SERVER_ERROR for that record and
// leaves the namespace serving.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, ResultCode, integerParticle } from '@aerolite/protocol'
import { get, makeNamespace, put, write } from './harness.ts'

test('a command that throws answers 1 (SERVER_ERROR); the next command is served', () => {
  const ns = makeNamespace()
  const findAny = ns.findAny.bind(ns)
  ns.findAny = () => {
    throw new TypeError('a bug')
  }
  assert.equal(put(ns, 'k', [write('v', ParticleType.INTEGER, integerParticle(1))]).resultCode, ResultCode.SERVER_ERROR)
  ns.findAny = findAny
  assert.equal(put(ns, 'k', [write('v', ParticleType.INTEGER, integerParticle(2))]).resultCode, ResultCode.OK)
  assert.equal(get(ns, 'k').resultCode, ResultCode.OK)
})
