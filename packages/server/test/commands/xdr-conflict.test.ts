// XDR writes and deletes that carry their version (conflict-resolve-writes): the newer version stays,
// an older one answers LOST_CONFLICT, and a delete is remembered so an older write cannot undo it.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { FieldType, Info1, Info2, ParticleType, PROTO_HEADER_BYTES, ResultCode, decodeMessage, emptyHeader, encodeMessage, integerParticle, partitionId, type Message } from '@aerolite/protocol'
import { dispatchMessage } from '../../src/commands/dispatch.ts'
import { encodeShippedVersion } from '../../src/xdr/shipped-version.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { commandsOf, get, keyFields, makeNamespace, put, run, write } from './harness.ts'

const LOCAL_SRC_ID = 0

function valueOf(v: number) {
  return [write('v', ParticleType.INTEGER, integerParticle(v))]
}

function shipped(ns: Namespace, key: string, lut: Buffer, v: number | undefined): Message {
  const info2 = v === undefined ? Info2.WRITE | Info2.DELETE | Info2.DURABLE_DELETE : Info2.WRITE
  const body = encodeMessage({ ...emptyHeader(), info1: Info1.XDR, info2 }, [...keyFields(key), { type: FieldType.LUT, data: lut }], v === undefined ? [] : valueOf(v))
  const result = dispatchMessage(decodeMessage(body), commandsOf(ns))
  assert.ok('reply' in result)
  return decodeMessage(result.reply.subarray(PROTO_HEADER_BYTES))
}

const shippedPut = (ns: Namespace, key: string, lastUpdateMs: number, srcId: number, v: number): number =>
  shipped(ns, key, encodeShippedVersion({ lastUpdateMs, srcId }), v).resultCode
const shippedDelete = (ns: Namespace, key: string, lastUpdateMs: number, srcId: number): number =>
  shipped(ns, key, encodeShippedVersion({ lastUpdateMs, srcId }), undefined).resultCode

function valueHere(ns: Namespace, key: string): bigint | undefined {
  const reply = get(ns, key)
  if (reply.resultCode === ResultCode.RECORD_NOT_FOUND) return undefined
  return reply.ops[0]!.value.readBigInt64BE(0)
}

function lastUpdateHere(ns: Namespace, key: string): number {
  const digest = keyFields(key)[2]!.data
  return ns.lastUpdateMsOf(ns.find(digest, partitionId(digest)))
}

describe('conflict-resolve-writes', () => {
  it('a shipped write older than the record here loses; a newer one applies and keeps its own last-update time', () => {
    const clock = { ms: 10_000, nowMs: () => clock.ms }
    const ns = makeNamespace((c) => { c.conflictResolveWrites = true }, clock)
    assert.equal(put(ns, 'k', valueOf(1)).resultCode, ResultCode.OK)
    assert.equal(shippedPut(ns, 'k', 9_999, 9, 2), ResultCode.LOST_CONFLICT)
    assert.equal(valueHere(ns, 'k'), 1n)
    assert.equal(ns.counters.failXdrLostConflict, 1)
    assert.equal(shippedPut(ns, 'k', 10_001, 1, 3), ResultCode.OK)
    assert.equal(valueHere(ns, 'k'), 3n)
    assert.equal(lastUpdateHere(ns, 'k'), 10_001)
    // The same millisecond: the higher src-id wins, the version here counted as this cluster's (0).
    assert.equal(shippedPut(ns, 'k', 10_001, LOCAL_SRC_ID, 4), ResultCode.LOST_CONFLICT)
    assert.equal(shippedPut(ns, 'k', 10_001, 2, 5), ResultCode.OK)
    assert.equal(valueHere(ns, 'k'), 5n)
  })

  it('a delete here, or shipped, is remembered: an older shipped write loses to it, a newer one brings the record back', () => {
    const clock = { ms: 20_000, nowMs: () => clock.ms }
    const ns = makeNamespace((c) => { c.conflictResolveWrites = true }, clock)
    put(ns, 'local', valueOf(1))
    clock.ms = 20_010
    assert.equal(run(ns, { info2: Info2.WRITE | Info2.DELETE }, 'local').resultCode, ResultCode.OK)
    assert.equal(shippedPut(ns, 'local', 20_005, 1, 2), ResultCode.LOST_CONFLICT)
    assert.equal(valueHere(ns, 'local'), undefined)
    assert.equal(shippedPut(ns, 'local', 20_011, 1, 3), ResultCode.OK)
    assert.equal(valueHere(ns, 'local'), 3n)

    put(ns, 'remote', valueOf(1))
    assert.equal(shippedDelete(ns, 'remote', 20_009, 1), ResultCode.LOST_CONFLICT)
    assert.equal(valueHere(ns, 'remote'), 1n)
    assert.equal(shippedDelete(ns, 'remote', 20_020, 1), ResultCode.OK)
    assert.equal(valueHere(ns, 'remote'), undefined)
    assert.equal(shippedPut(ns, 'remote', 20_015, 1, 2), ResultCode.LOST_CONFLICT)
    // A shipped delete of a record never seen here is remembered too.
    assert.equal(shippedDelete(ns, 'never', 20_030, 1), ResultCode.RECORD_NOT_FOUND)
    assert.equal(shippedPut(ns, 'never', 20_025, 1, 2), ResultCode.LOST_CONFLICT)
  })

  it('without files, tombstones are dropped after tomb-raider-eligible-age', () => {
    const clock = { ms: 30_000, nowMs: () => clock.ms }
    const ns = makeNamespace((c) => { c.conflictResolveWrites = true; c.tombRaiderEligibleAgeSeconds = 60 }, clock)
    put(ns, 'k', valueOf(1))
    run(ns, { info2: Info2.WRITE | Info2.DELETE }, 'k')
    assert.equal(ns.tombstones.size, 1)
    assert.equal(ns.tombstones.sweep(), 0)
    clock.ms += 61_000
    assert.equal(ns.tombstones.sweep(), 1)
    assert.equal(ns.tombstones.size, 0)
  })

  it('a LUT field of another layout is refused with PARAMETER_ERROR; without conflict-resolve-writes the field is not read', () => {
    const clock = { ms: 40_000, nowMs: () => clock.ms }
    const resolving = makeNamespace((c) => { c.conflictResolveWrites = true }, clock)
    assert.equal(shipped(resolving, 'k', Buffer.alloc(3), 1).resultCode, ResultCode.PARAMETER_ERROR)
    const plain = makeNamespace(() => {}, clock)
    put(plain, 'k', valueOf(1))
    assert.equal(shippedPut(plain, 'k', 1, 1, 2), ResultCode.OK)
    assert.equal(valueHere(plain, 'k'), 2n)
    assert.equal(lastUpdateHere(plain, 'k'), 40_000)
    assert.equal(shipped(plain, 'j', Buffer.alloc(3), 1).resultCode, ResultCode.OK)
    assert.equal(plain.tombstones.size, 0)
  })
})
