// How a shipped record goes on the wire: compressed (proto type 4) with enable-compression when it
// is big enough to gain, as it is otherwise.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PROTO_HEADER_BYTES, ProtoType, decompressMessageBody } from '@aerolite/protocol'
import { defaultXdrNamespaceConfig } from '../../src/config/xdr-config.ts'
import { recordWriteFrame, wireFrame } from '../../src/xdr/ship-message.ts'

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
