import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { deflateSync, inflateSync } from 'node:zlib'
import fc from 'fast-check'
import { CompressionError, compressMessageFrame, decompressMessageBody } from '../src/compression.ts'
import { FrameParser, encodeFrame } from '../src/frame.ts'

const MAX = 128 * 1024 * 1024

function expectCompressionError(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CompressionError, `expected CompressionError, got ${String(err)}`)
    assert.equal(err.code, 'ERR_COMPRESSED_FRAME')
    assert.equal(err.name, 'CompressionError')
    if (message) assert.match(err.message, message)
    return true
  })
}

/** A type-4 frame body: u64 declared size, then the given zlib bytes. */
function compressedBody(declared: number | bigint, zlib: Buffer): Buffer {
  const out = Buffer.alloc(8 + zlib.length)
  out.writeBigUInt64BE(BigInt(declared), 0)
  zlib.copy(out, 8)
  return out
}

/** Outer body of a compressed frame built by hand around an arbitrary inner frame. */
function wrap(inner: Buffer, declared = inner.length): Buffer {
  return compressedBody(declared, deflateSync(inner))
}

const MESSAGE_BODY = Buffer.from('1600010000000000000000000000000003e80004000000000005007465737400000006017472616365', 'hex')

describe('compressMessageFrame', () => {
  test('builds a type-4 frame: header, u64 inner size, zlib of the inner type-3 frame', () => {
    const frame = compressMessageFrame(MESSAGE_BODY)
    assert.equal(frame[0], 2)
    assert.equal(frame[1], 4)
    assert.equal(frame.readUIntBE(2, 6), frame.length - 8)
    const inner = encodeFrame(3, MESSAGE_BODY)
    assert.equal(frame.readBigUInt64BE(8), BigInt(inner.length))
    assert.equal(frame.readBigUInt64BE(8), BigInt(8 + MESSAGE_BODY.length))
    // zlib (RFC 1950) stream: CMF byte 0x78.
    assert.equal(frame[16], 0x78)
    assert.deepEqual(inflateSync(frame.subarray(16)), inner)
  })

  test('uses zlib level 1 by default, and the given level otherwise', () => {
    const body = Buffer.from('abcabcabcabcabcabcabcabcabcabcabcabc'.repeat(20))
    const inner = encodeFrame(3, body)
    assert.deepEqual(compressMessageFrame(body).subarray(16), deflateSync(inner, { level: 1 }))
    assert.deepEqual(compressMessageFrame(body, 9).subarray(16), deflateSync(inner, { level: 9 }))
    assert.deepEqual(compressMessageFrame(body, 0).subarray(16), deflateSync(inner, { level: 0 }))
  })

  test('its output parses with FrameParser as one type-4 frame', () => {
    const frame = compressMessageFrame(MESSAGE_BODY)
    const frames = new FrameParser(MAX).push(frame)
    assert.equal(frames.length, 1)
    assert.equal(frames[0]!.type, 4)
    assert.deepEqual(frames[0]!.body, frame.subarray(8))
  })
})

describe('decompressMessageBody', () => {
  test('round trip of a fixed message body', () => {
    const frame = compressMessageFrame(MESSAGE_BODY)
    assert.deepEqual(decompressMessageBody(frame.subarray(8), MAX), MESSAGE_BODY)
  })

  test('round trip of an empty message body', () => {
    const frame = compressMessageFrame(Buffer.alloc(0))
    assert.equal(frame.readBigUInt64BE(8), 8n)
    assert.deepEqual(decompressMessageBody(frame.subarray(8), MAX), Buffer.alloc(0))
  })

  test('property: compress then decompress gives the body back, at every level', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 0, max: 9 }), (raw, level) => {
        const body = Buffer.from(raw)
        const frame = compressMessageFrame(body, level)
        assert.equal(frame.readUIntBE(2, 6), frame.length - 8)
        assert.equal(frame.readBigUInt64BE(8), BigInt(body.length + 8))
        assert.deepEqual(decompressMessageBody(frame.subarray(8), body.length + 8), body)
      }),
      { numRuns: 150 },
    )
  })

  test('a limit equal to the inner size is accepted; one byte less is rejected', () => {
    const frame = compressMessageFrame(MESSAGE_BODY)
    const innerSize = MESSAGE_BODY.length + 8
    assert.deepEqual(decompressMessageBody(frame.subarray(8), innerSize), MESSAGE_BODY)
    expectCompressionError(() => decompressMessageBody(frame.subarray(8), innerSize - 1), /limit/)
  })

  test('a highly compressible large body round trips', () => {
    const body = Buffer.alloc(1 << 20, 0x41)
    const frame = compressMessageFrame(body)
    assert.ok(frame.length < 10_000)
    assert.deepEqual(decompressMessageBody(frame.subarray(8), MAX), body)
  })
})

describe('decompressMessageBody errors', () => {
  test('body shorter than the 8-byte size prefix', () => {
    for (let n = 0; n < 8; n++) expectCompressionError(() => decompressMessageBody(Buffer.alloc(n), MAX), /shorter/)
  })

  test('declared size smaller than the inflated size', () => {
    const inner = encodeFrame(3, MESSAGE_BODY)
    for (const declared of [inner.length - 1, inner.length - 8, 9, 1]) {
      expectCompressionError(() => decompressMessageBody(wrap(inner, declared), MAX))
    }
  })

  test('declared size larger than the inflated size', () => {
    const inner = encodeFrame(3, MESSAGE_BODY)
    for (const declared of [inner.length + 1, inner.length + 1000]) {
      expectCompressionError(() => decompressMessageBody(wrap(inner, declared), MAX))
    }
  })

  test('declared size of 0 with a non-empty stream', () => {
    expectCompressionError(() => decompressMessageBody(wrap(encodeFrame(3, MESSAGE_BODY), 0), MAX))
  })

  test('garbage instead of zlib', () => {
    expectCompressionError(() => decompressMessageBody(compressedBody(30, Buffer.from('this is not a zlib stream at all')), MAX), /inflate/)
    expectCompressionError(() => decompressMessageBody(compressedBody(30, Buffer.alloc(0)), MAX))
    // Raw deflate (no zlib header) is not accepted either.
    const raw = compressedBody(30, Buffer.from(deflateSync(encodeFrame(3, Buffer.alloc(22)), { level: 1 }).subarray(2)))
    expectCompressionError(() => decompressMessageBody(raw, MAX))
  })

  test('truncated zlib stream', () => {
    const inner = encodeFrame(3, Buffer.alloc(500, 0x5a))
    const zipped = deflateSync(inner)
    expectCompressionError(() => decompressMessageBody(compressedBody(inner.length, zipped.subarray(0, zipped.length - 6)), MAX))
  })

  test('inner frame is not type 3', () => {
    for (const type of [1, 2, 4, 0]) {
      const inner = encodeFrame(type, MESSAGE_BODY)
      expectCompressionError(() => decompressMessageBody(wrap(inner), MAX), /type 3/)
    }
  })

  test('inner frame has a version other than 2', () => {
    const inner = encodeFrame(3, MESSAGE_BODY)
    inner[0] = 1
    expectCompressionError(() => decompressMessageBody(wrap(inner), MAX), /type 3/)
  })

  test('inner frame shorter than a proto header', () => {
    expectCompressionError(() => decompressMessageBody(wrap(Buffer.from([2, 3, 0, 0])), MAX))
  })

  test('inner header size does not match the inflated length', () => {
    const inner = encodeFrame(3, MESSAGE_BODY)
    inner.writeUIntBE(MESSAGE_BODY.length + 1, 2, 6)
    expectCompressionError(() => decompressMessageBody(wrap(inner), MAX), /inner size/)
    inner.writeUIntBE(MESSAGE_BODY.length - 1, 2, 6)
    expectCompressionError(() => decompressMessageBody(wrap(inner), MAX), /inner size/)
  })

  test('declared size over the limit is rejected before inflating', () => {
    // The zlib part is garbage: the limit check must come first.
    expectCompressionError(() => decompressMessageBody(compressedBody(1001, Buffer.from('garbage')), 1000), /limit/)
    expectCompressionError(() => decompressMessageBody(compressedBody(2n ** 64n - 1n, Buffer.alloc(0)), MAX), /limit/)
    expectCompressionError(() => decompressMessageBody(compressedBody(MAX + 1, Buffer.alloc(4)), MAX), /limit/)
  })

  test('a zlib bomb bigger than the declared size does not inflate past it', () => {
    const inner = encodeFrame(3, Buffer.alloc(4 << 20))
    expectCompressionError(() => decompressMessageBody(wrap(inner, 100), MAX))
  })
})
