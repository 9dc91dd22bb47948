import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Info1, ParticleType, computeDigest, decodeMessage, emptyHeader, encodeMessage, integerParticle } from '@aerolite/protocol'
import { recordView } from '../../src/commands/apply-ops.ts'
import { parseRecordRequest, type RecordRequest } from '../../src/commands/request.ts'
import { absentRecordView, storedRecordView } from '../../src/ops/record-view.ts'
import { commandsOf, keyFields, makeNamespace, put, write } from '../commands/harness.ts'

test('single-record commands and streams see a stored record through the same view', () => {
  const ns = makeNamespace()
  put(ns, 'k', [write('v', ParticleType.INTEGER, integerParticle(7))])
  const digest = computeDigest('demo', ParticleType.STRING, Buffer.from('k'))
  const id = ns.find(digest)
  const fromStream = storedRecordView(ns, id)
  assert.deepEqual(fromStream.digest, digest)
  assert.equal(fromStream.exists, true)
  assert.equal(fromStream.setName, 'demo')
  assert.equal(fromStream.generation, 1)
  assert.equal(fromStream.lastUpdateMs, ns.index.lastUpdateMs(id))
  assert.ok(fromStream.storedBytes > 0)
  const req = parseRecordRequest(decodeMessage(encodeMessage({ ...emptyHeader(), info1: Info1.READ }, keyFields('k'), [])), commandsOf(ns)) as RecordRequest
  assert.deepEqual(recordView(req, id), fromStream)
})

test('a record that does not exist is what the request says of it', () => {
  const ns = makeNamespace()
  const digest = computeDigest('demo', ParticleType.STRING, Buffer.from('missing'))
  const view = absentRecordView(ns, digest, 'demo', undefined)
  assert.deepEqual(view, { namespace: ns, exists: false, digest, setName: 'demo', generation: 0, voidTime: 0, lastUpdateMs: 0, key: undefined, storedBytes: 0 })
  const req = parseRecordRequest(decodeMessage(encodeMessage({ ...emptyHeader(), info1: Info1.READ }, keyFields('missing'), [])), commandsOf(ns)) as RecordRequest
  assert.deepEqual(recordView(req, -1), view)
})
