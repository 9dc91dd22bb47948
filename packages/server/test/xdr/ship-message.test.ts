// How a shipped record goes on the wire: compressed (proto type 4) with enable-compression when it
// is big enough to gain, as it is otherwise; with its bin versions under ship-bin-luts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FieldType, PROTO_HEADER_BYTES, ParticleType, ProtoType, decodeMessage, decompressMessageBody, findField } from '@aerolite/protocol'
import { defaultXdrNamespaceConfig } from '../../src/config/xdr-config.ts'
import { recordWriteFrame, wireFrame } from '../../src/xdr/ship-message.ts'
import { decodeShippedVersion } from '../../src/xdr/shipped-version.ts'

const digest = Buffer.alloc(20, 7)
const recordOf = (text: string) => ({ setName: 'users', key: undefined, ttlSeconds: 0, bins: [{ name: 'text', particleType: 3, value: Buffer.from(text) }] })

test('with enable-compression a shipped record of 128 bytes or more travels zlib-compressed; a smaller one, or without the setting, as it is', () => {
  const config = defaultXdrNamespaceConfig('test')
  const big = recordWriteFrame('test', digest, recordOf('x'.repeat(2000)), config, undefined)
  const compressed = wireFrame(big, true)
  assert.equal(compressed[1], ProtoType.COMPRESSED)
  assert.ok(compressed.length < big.length / 10, `${compressed.length} bytes for ${big.length}`)
  assert.deepEqual(decompressMessageBody(compressed.subarray(PROTO_HEADER_BYTES), 1 << 20), big.subarray(PROTO_HEADER_BYTES))
  assert.equal(wireFrame(big, false), big)
  const small = recordWriteFrame('test', digest, recordOf('x'), config, undefined)
  assert.ok(small.length < 128)
  assert.equal(wireFrame(small, true), small)
})

test('with bin versions a record ships each bin with its version and each removed bin as a nil write with the version of its removal', () => {
  const config = { ...defaultXdrNamespaceConfig('test'), binPolicy: 'only-changed' as const, shipBinLuts: true }
  const bins = [{ name: 'a', particleType: 1, value: Buffer.alloc(8, 1) }, { name: 'b', particleType: 1, value: Buffer.alloc(8, 2) }]
  const versions = { floor: { lastUpdateMs: 50, srcId: 2 }, bins: new Map([['a', { lastUpdateMs: 100, srcId: 1 }], ['b', { lastUpdateMs: 90, srcId: 1 }], ['gone', { lastUpdateMs: 95, srcId: 3 }]]) }
  const record = { setName: 'users', key: undefined, ttlSeconds: 0, bins, versions }
  const frame = recordWriteFrame('test', digest, record, config, new Set(['a', 'gone']), { lastUpdateMs: 100, srcId: 1 })
  const message = decodeMessage(frame.subarray(PROTO_HEADER_BYTES))
  assert.deepEqual(message.ops.map((op) => [op.name.toString(), op.particleType]), [['a', 1], ['gone', ParticleType.NULL]])
  const lut = decodeShippedVersion(findField(message, FieldType.LUT)!)
  assert.deepEqual(lut, { lastUpdateMs: 100, srcId: 1, bins: { floor: { lastUpdateMs: 50, srcId: 2 }, stamps: [{ lastUpdateMs: 100, srcId: 1 }, { lastUpdateMs: 95, srcId: 3 }] } })
  // To a DC that does not read versions (Aerospike), the same record ships without them.
  const plain = decodeMessage(recordWriteFrame('test', digest, record, config, new Set(['a', 'gone']), undefined).subarray(PROTO_HEADER_BYTES))
  assert.equal(findField(plain, FieldType.LUT), undefined)
})
