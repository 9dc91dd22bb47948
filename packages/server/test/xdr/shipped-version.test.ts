// The version shipped writes carry between Aerolite clusters, and which of two versions wins.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeShippedVersion, encodeShippedVersion, shippedVersionWins } from '../../src/xdr/shipped-version.ts'

test('a shipped version travels as u64 BE last-update ms and u8 src-id; another layout is refused', () => {
  const version = { lastUpdateMs: 1_796_000_000_123, srcId: 7 }
  const bytes = encodeShippedVersion(version)
  assert.equal(bytes.toString('hex'), '000001a229f1287b07')
  assert.deepEqual(decodeShippedVersion(bytes), version)
  assert.equal(decodeShippedVersion(bytes.subarray(0, 8)), undefined)
  assert.equal(decodeShippedVersion(Buffer.alloc(10)), undefined)
  assert.equal(decodeShippedVersion(Buffer.from('ffffffffffffffff01', 'hex')), undefined)
})

test('with ship-bin-luts the field goes on with the floor and a version per op; a floor of 0 is none', () => {
  const version = { lastUpdateMs: 2000, srcId: 1, bins: { floor: { lastUpdateMs: 1500, srcId: 2 }, stamps: [{ lastUpdateMs: 1900, srcId: 1 }, { lastUpdateMs: 2000, srcId: 3 }] } }
  const bytes = encodeShippedVersion(version)
  assert.equal(bytes.length, 4 * 9)
  assert.equal(bytes.subarray(9, 18).toString('hex'), '00000000000005dc02')
  assert.deepEqual(decodeShippedVersion(bytes), version)
  // A delete: the record's version and no floor, no ops.
  const deleted = { lastUpdateMs: 2000, srcId: 1, bins: { floor: undefined, stamps: [] } }
  assert.deepEqual(decodeShippedVersion(encodeShippedVersion(deleted)), deleted)
  assert.equal(decodeShippedVersion(Buffer.alloc(0)), undefined)
  assert.equal(decodeShippedVersion(Buffer.concat([bytes, Buffer.alloc(4)])), undefined)
})

test('the later update wins; at the same millisecond the higher src-id, the local version taken as made here', () => {
  const local = 1000
  assert.equal(shippedVersionWins({ lastUpdateMs: 1001, srcId: 1 }, local, 2), true)
  assert.equal(shippedVersionWins({ lastUpdateMs: 999, srcId: 9 }, local, 2), false)
  assert.equal(shippedVersionWins({ lastUpdateMs: 1000, srcId: 3 }, local, 2), true)
  assert.equal(shippedVersionWins({ lastUpdateMs: 1000, srcId: 1 }, local, 2), false)
  // Both sides of a tie decide alike: the version of src-id 3 is kept at 2 and at 3.
  assert.equal(shippedVersionWins({ lastUpdateMs: 1000, srcId: 2 }, local, 3), false)
  assert.equal(shippedVersionWins({ lastUpdateMs: 0, srcId: 0 }, undefined, 5), true)
})
