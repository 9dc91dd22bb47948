import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  FrameError,
  FrameParser,
  PROTO_HEADER_BYTES,
  PROTO_VERSION,
  ProtoType,
  encodeFrame,
  encodeProtoHeader,
  type Frame,
} from '../src/frame.ts'

const MAX = 128 * 1024 * 1024

interface Spec {
  type: number
  body: Buffer
}

function concatFrames(specs: readonly Spec[]): Buffer {
  return Buffer.concat(specs.map((s) => encodeFrame(s.type, s.body)))
}

/** Feeds `stream` cut at the given (sorted, deduplicated) offsets and collects every frame. */
function feed(parser: FrameParser, stream: Buffer, cuts: readonly number[]): Frame[] {
  const frames: Frame[] = []
  let prev = 0
  for (const cut of [...cuts, stream.length]) {
    frames.push(...parser.push(stream.subarray(prev, cut)))
    prev = cut
  }
  return frames
}

function plain(frames: readonly Frame[]): Array<{ version: number; type: number; body: string }> {
  return frames.map((f) => ({ version: f.version, type: f.type, body: f.body.toString('hex') }))
}

function expected(specs: readonly Spec[]): Array<{ version: number; type: number; body: string }> {
  return specs.map((s) => ({ version: 2, type: s.type, body: s.body.toString('hex') }))
}

function expectFrameError(fn: () => unknown, code: FrameError['code']): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof FrameError, `expected FrameError, got ${String(err)}`)
    assert.equal(err.code, code)
    assert.equal(err.name, 'FrameError')
    assert.ok(err instanceof Error)
    return true
  })
}

function header(version: number, type: number, size: number): Buffer {
  const h = Buffer.alloc(8)
  h[0] = version
  h[1] = type
  h.writeUIntBE(size, 2, 6)
  return h
}

const SAMPLE: Spec[] = [
  { type: ProtoType.INFO, body: Buffer.from('node\npartition-generation\nbuild\n') },
  { type: ProtoType.MESSAGE, body: Buffer.from('1600010000000000000000000000000003e800040002', 'hex') },
  { type: ProtoType.MESSAGE, body: Buffer.alloc(0) },
  { type: ProtoType.INFO, body: Buffer.alloc(0) },
  { type: ProtoType.ADMIN, body: Buffer.alloc(16, 7) },
  { type: ProtoType.COMPRESSED, body: Buffer.from('00000000000000207801', 'hex') },
  { type: ProtoType.INFO, body: Buffer.from('build\t8.1.1.2\n') },
  { type: ProtoType.MESSAGE, body: Buffer.alloc(1000, 0xab) },
  { type: ProtoType.MESSAGE, body: Buffer.alloc(0) },
]

describe('constants', () => {
  test('proto version, header size and types', () => {
    assert.equal(PROTO_VERSION, 2)
    assert.equal(PROTO_HEADER_BYTES, 8)
    assert.deepEqual({ ...ProtoType }, { INFO: 1, ADMIN: 2, MESSAGE: 3, COMPRESSED: 4 })
  })
})

describe('encodeProtoHeader', () => {
  test('writes version, type and a 48-bit big-endian size', () => {
    assert.equal(encodeProtoHeader(3, 0x0102030405).toString('hex'), '0203000102030405')
    assert.equal(encodeProtoHeader(1, 0).toString('hex'), '0201000000000000')
    assert.equal(encodeProtoHeader(4, 2 ** 48 - 1).toString('hex'), '0204ffffffffffff')
    assert.equal(encodeProtoHeader(2, 16).toString('hex'), '0202000000000010')
  })

  test('equals the 64-bit word (2 << 56) | (type << 48) | size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 ** 48 - 1 }), (type, size) => {
        const word = (2n << 56n) | (BigInt(type) << 48n) | BigInt(size)
        assert.equal(encodeProtoHeader(type, size).readBigUInt64BE(0), word)
      }),
      { numRuns: 200 },
    )
  })

  test('writes into a target at an offset and leaves the other bytes alone', () => {
    const target = Buffer.alloc(12, 0xee)
    const out = encodeProtoHeader(3, 22, target, 2)
    assert.equal(out, target)
    assert.equal(target.toString('hex'), 'eeee0203000000000016eeee')
  })

  test('returns an 8-byte buffer by default', () => {
    assert.equal(encodeProtoHeader(1, 5).length, 8)
  })
})

describe('encodeFrame', () => {
  test('is the header followed by the body', () => {
    const frame = encodeFrame(ProtoType.INFO, Buffer.from('build\n'))
    assert.equal(frame.toString('hex'), '0201000000000006' + Buffer.from('build\n').toString('hex'))
  })

  test('zero-length body gives a bare header', () => {
    assert.equal(encodeFrame(ProtoType.MESSAGE, Buffer.alloc(0)).toString('hex'), '0203000000000000')
  })

  test('matches a recorded frame (s2c put reply)', () => {
    const body = Buffer.from('16000000000000000001000000000000000000000000', 'hex')
    assert.equal(encodeFrame(3, body).toString('hex'), '020300000000001616000000000000000001000000000000000000000000')
  })

  test('does not alias the body', () => {
    const body = Buffer.from([1, 2, 3])
    const frame = encodeFrame(3, body)
    body[0] = 9
    assert.equal(frame.toString('hex'), '0203000000000003010203')
  })
})

describe('FrameParser: splitting', () => {
  const stream = concatFrames(SAMPLE)

  test('whole stream in one push', () => {
    const parser = new FrameParser(MAX)
    assert.deepEqual(plain(parser.push(stream)), expected(SAMPLE))
    assert.equal(parser.pendingBytes, 0)
  })

  test('one byte at a time', () => {
    const parser = new FrameParser(MAX)
    const frames: Frame[] = []
    for (let i = 0; i < stream.length; i++) {
      frames.push(...parser.push(stream.subarray(i, i + 1)))
    }
    assert.deepEqual(plain(frames), expected(SAMPLE))
    assert.equal(parser.pendingBytes, 0)
  })

  test('every single split point', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const parser = new FrameParser(MAX)
      assert.deepEqual(plain(feed(parser, stream, [cut])), expected(SAMPLE), `cut at ${cut}`)
      assert.equal(parser.pendingBytes, 0)
    }
  })

  test('frames complete as soon as their last byte arrives', () => {
    const parser = new FrameParser(MAX)
    const first = encodeFrame(1, Buffer.from('abc'))
    assert.deepEqual(parser.push(first.subarray(0, 5)), [])
    assert.equal(parser.pendingBytes, 5)
    assert.deepEqual(parser.push(first.subarray(5, 10)), [])
    const done = parser.push(first.subarray(10))
    assert.equal(done.length, 1)
    assert.equal(done[0]!.body.toString(), 'abc')
    assert.equal(parser.pendingBytes, 0)
  })

  test('a header alone with size 0 completes a frame', () => {
    const parser = new FrameParser(MAX)
    const frames = parser.push(header(2, 3, 0))
    assert.equal(frames.length, 1)
    assert.equal(frames[0]!.type, 3)
    assert.equal(frames[0]!.version, 2)
    assert.equal(frames[0]!.body.length, 0)
  })

  test('empty chunks are ignored', () => {
    const parser = new FrameParser(MAX)
    assert.deepEqual(parser.push(Buffer.alloc(0)), [])
    assert.equal(parser.pendingBytes, 0)
    parser.push(stream.subarray(0, 5))
    assert.deepEqual(parser.push(Buffer.alloc(0)), [])
    assert.equal(parser.pendingBytes, 5)
  })

  // src/frame.ts documents pendingBytes as "Bytes received and not yet part of a returned frame", but
  // once a header is parsed its 8 bytes are no longer counted (10 bytes of an 11-byte frame pushed
  // -> pendingBytes 2, not 10).
  test('pendingBytes counts buffered bytes (header included) until the frame completes', () => {
    const parser = new FrameParser(MAX)
    const frame = encodeFrame(3, Buffer.alloc(30, 1))
    let pushed = 0
    for (let i = 0; i < frame.length - 1; i++) {
      assert.deepEqual(parser.push(frame.subarray(i, i + 1)), [])
      pushed++
      assert.equal(parser.pendingBytes, pushed)
    }
    assert.equal(parser.push(frame.subarray(frame.length - 1)).length, 1)
    assert.equal(parser.pendingBytes, 0)
  })

  test('bodies of earlier frames stay intact after later pushes', () => {
    const parser = new FrameParser(MAX)
    const a = encodeFrame(3, Buffer.alloc(50, 0x11))
    const b = encodeFrame(3, Buffer.alloc(50, 0x22))
    const both = Buffer.concat([a, b])
    const got: Frame[] = []
    for (let i = 0; i < both.length; i += 7) got.push(...parser.push(both.subarray(i, Math.min(i + 7, both.length))))
    assert.equal(got.length, 2)
    assert.equal(got[0]!.body.toString('hex'), '11'.repeat(50))
    assert.equal(got[1]!.body.toString('hex'), '22'.repeat(50))
  })

  test('property: arbitrary frames, arbitrary split points', () => {
    const specArb = fc.record({
      type: fc.constantFrom(1, 2, 3, 4),
      body: fc.oneof(
        { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
        { weight: 4, arbitrary: fc.uint8Array({ maxLength: 300 }) },
      ),
    })
    fc.assert(
      fc.property(
        fc.array(specArb, { minLength: 0, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.integer({ min: 1, max: 64 }),
        (rawSpecs, rawCuts, maxChunk) => {
          const specs = rawSpecs.map((s) => ({ type: s.type, body: Buffer.from(s.body) }))
          const stream = concatFrames(specs)
          const cuts = [...new Set(rawCuts.map((c) => (stream.length === 0 ? 0 : c % (stream.length + 1))))].sort((x, y) => x - y)
          const parser = new FrameParser(MAX)
          assert.deepEqual(plain(feed(parser, stream, cuts)), expected(specs))
          assert.equal(parser.pendingBytes, 0)
          // Fixed-size chunks as a second splitting strategy.
          const parser2 = new FrameParser(MAX)
          const chunked: Frame[] = []
          for (let i = 0; i < stream.length; i += maxChunk) chunked.push(...parser2.push(stream.subarray(i, i + maxChunk)))
          assert.deepEqual(plain(chunked), expected(specs))
          assert.equal(parser2.pendingBytes, 0)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('FrameParser: errors', () => {
  test('version other than 2 throws ERR_PROTO_VERSION', () => {
    for (const version of [0, 1, 3, 4, 0x12, 255]) {
      expectFrameError(() => new FrameParser(MAX).push(header(version, 3, 0)), 'ERR_PROTO_VERSION')
    }
  })

  test('unknown type throws ERR_PROTO_TYPE', () => {
    for (const type of [0, 5, 6, 7, 100, 255]) {
      expectFrameError(() => new FrameParser(MAX).push(header(2, type, 0)), 'ERR_PROTO_TYPE')
    }
  })

  test('every known type is accepted', () => {
    for (const type of [1, 2, 3, 4]) {
      const frames = new FrameParser(MAX).push(header(2, type, 0))
      assert.equal(frames.length, 1)
      assert.equal(frames[0]!.type, type)
    }
  })

  test('size over the limit throws ERR_FRAME_TOO_LARGE from the header alone', () => {
    for (const [limit, size] of [
      [0, 1],
      [100, 101],
      [MAX, MAX + 1],
      [MAX, 2 ** 48 - 1],
    ] as const) {
      const parser = new FrameParser(limit)
      expectFrameError(() => parser.push(header(2, 3, size)), 'ERR_FRAME_TOO_LARGE')
    }
  })

  test('size equal to the limit is accepted', () => {
    const parser = new FrameParser(10)
    const frames = parser.push(encodeFrame(3, Buffer.alloc(10, 5)))
    assert.equal(frames.length, 1)
    assert.equal(frames[0]!.body.length, 10)
    const zero = new FrameParser(0)
    assert.equal(zero.push(header(2, 1, 0)).length, 1)
  })

  test('the header is checked once its 8th byte arrives, not earlier, and without the body', () => {
    const cases: Array<[Buffer, FrameError['code']]> = [
      [header(1, 3, 5), 'ERR_PROTO_VERSION'],
      [header(2, 9, 5), 'ERR_PROTO_TYPE'],
      [header(2, 3, 1 << 30), 'ERR_FRAME_TOO_LARGE'],
    ]
    for (const [h, code] of cases) {
      const parser = new FrameParser(1024)
      for (let i = 0; i < 7; i++) assert.deepEqual(parser.push(h.subarray(i, i + 1)), [])
      expectFrameError(() => parser.push(h.subarray(7, 8)), code)
    }
  })

  test('an oversize header is rejected even when part of a bigger chunk', () => {
    const parser = new FrameParser(1024)
    const chunk = Buffer.concat([header(2, 3, 2048), Buffer.alloc(100)])
    expectFrameError(() => parser.push(chunk), 'ERR_FRAME_TOO_LARGE')
  })

  test('a bad header after valid frames: earlier pushes keep their frames, the bad one throws', () => {
    const parser = new FrameParser(MAX)
    const good = encodeFrame(1, Buffer.from('build\n'))
    const frames = parser.push(good)
    assert.equal(frames.length, 1)
    assert.equal(frames[0]!.body.toString(), 'build\n')
    expectFrameError(() => parser.push(header(3, 1, 0)), 'ERR_PROTO_VERSION')
  })

  test('a bad header in the middle of a stream (split byte by byte) throws at its 8th byte', () => {
    const good = encodeFrame(3, Buffer.alloc(22))
    const stream = Buffer.concat([good, good, header(2, 0x33, 1)])
    const parser = new FrameParser(MAX)
    const got: Frame[] = []
    for (let i = 0; i < stream.length - 1; i++) got.push(...parser.push(stream.subarray(i, i + 1)))
    assert.equal(got.length, 2)
    expectFrameError(() => parser.push(stream.subarray(stream.length - 1)), 'ERR_PROTO_TYPE')
  })
})
