import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { MsgpackError, MsgpackReader, MsgpackWriter, isWellFormedMsgpack, packValue, unpackValue } from '../src/msgpack.ts'
import { Double, GeoJson, INFINITY, INT64_MAX, INT64_MIN, MsgpackExt, TypedBlob, WILDCARD, type Value } from '../src/values.ts'

/** Any Unicode scalar value (no lone surrogates), biased towards ASCII. fc's 'binary' unit is slow to start. */
const codePoint = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }))
  .map((cp) => String.fromCodePoint(cp))

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const packHex = (v: Value): string => packValue(v).toString('hex')

// Most tests pack with a writer large enough never to grow; growth has tests of its own below.
function pack(v: Value): Buffer {
  const w = new MsgpackWriter(1 << 20)
  w.value(v)
  return w.toBuffer()
}

function expectMsgpackError(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MsgpackError, `expected MsgpackError, got ${String(err)}`)
    assert.equal(err.code, 'ERR_MSGPACK')
    assert.equal(err.name, 'MsgpackError')
    if (message) assert.match(err.message, message)
    return true
  })
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const bytesArb = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a))
const safeIntArb = fc.oneof(
  fc.integer({ min: -200, max: 200 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
)
const bigOutsideSafeArb = fc.oneof(
  fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: INT64_MAX }),
  fc.bigInt({ min: INT64_MIN, max: BigInt(Number.MIN_SAFE_INTEGER) - 1n }),
  fc.bigInt({ min: INT64_MAX + 1n, max: 2n ** 64n - 1n }), // uint64 range
  fc.constantFrom(INT64_MIN, INT64_MAX, 2n ** 64n - 1n, 2n ** 53n, -(2n ** 53n)),
)
const doubleArb = fc
  .oneof(
    fc.double(),
    fc.integer().map((n) => n * 1.0), // integral-valued doubles
    fc.constantFrom(0, -0, 1, -1, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, 1e300),
  )
  .map((d) => new Double(d))
const stringArb = fc.oneof(
  fc.string({ unit: codePoint, maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({ maxLength: 40 }),
)
const primitiveKeyArb: fc.Arbitrary<Value> = fc.oneof(fc.integer({ min: -1000, max: 100000 }), fc.string({ maxLength: 8 }))

const leafArb: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  safeIntArb,
  bigOutsideSafeArb,
  doubleArb,
  stringArb,
  bytesArb,
  fc.string({ maxLength: 30 }).map((s) => new GeoJson(s)),
  fc.tuple(fc.integer({ min: 7, max: 12 }), bytesArb).map(([t, b]) => new TypedBlob(t, b)),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 20 })).map(([t, b]) => new MsgpackExt(t, Buffer.from(b))),
)

const { value: valueArb } = fc.letrec<{ value: Value; list: Value[]; map: Map<Value, Value> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafArb, tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 5 }),
  map: fc.array(fc.tuple(primitiveKeyArb, tie('value')), { maxLength: 5 }).map((entries) => new Map(entries)),
}))

// ---------------------------------------------------------------------------------------------

describe('wire examples from the reference', () => {
  test('"z" packs as a2 03 7a', () => {
    assert.equal(packHex('z'), 'a2037a')
    assert.equal(unpackValue(hex('a2037a')), 'z')
  })

  test('[1, "z"] packs as 92 01 a2 03 7a (lists.append payload)', () => {
    assert.equal(packHex([1, 'z']), '9201a2037a')
    assert.deepEqual(unpackValue(hex('9201a2037a')), [1, 'z'])
  })

  test('[67, "y", 2, 0] packs as 94 43 a2 03 79 02 00 (maps.put payload)', () => {
    assert.equal(packHex([67, 'y', 2, 0]), '9443a203790200')
  })

  test('UDF arglist [1, "two"] packs as 92 01 a4 03 74 77 6f', () => {
    assert.equal(packHex([1, 'two']), '9201a40374776f')
  })

  test('filter expression with a plain (untyped) bin name string: 93 03 93 51 02 a1 69 0a', () => {
    const w = new MsgpackWriter()
    w.arrayHeader(3)
    w.int(3)
    w.arrayHeader(3)
    w.int(81)
    w.int(2)
    w.plainString('i')
    w.int(10)
    assert.equal(w.toBuffer().toString('hex'), '93039351 02a1690a'.replace(/ /g, ''))
  })

  test('wildcard d4 ff 00 and infinity d4 ff 01', () => {
    assert.equal(packHex(WILDCARD), 'd4ff00')
    assert.equal(packHex(INFINITY), 'd4ff01')
    assert.deepEqual(unpackValue(hex('d4ff00')), WILDCARD)
    assert.deepEqual(unpackValue(hex('d4ff01')), INFINITY)
  })

  test('ordered-list ext c7 00 01 and k-ordered map header', () => {
    assert.equal(packHex(new MsgpackExt(1, Buffer.alloc(0))), 'c70001')
    assert.deepEqual(unpackValue(hex('93c70001 01 02'.replace(/ /g, ''))), [new MsgpackExt(1, Buffer.alloc(0)), 1, 2])
    const m = unpackValue(hex('82c70001c0a2036101'))
    assert.ok(m instanceof Map)
    assert.equal(m.size, 2)
    assert.deepEqual([...m.values()], [null, 1])
    assert.deepEqual([...m.keys()][1], 'a')
  })

  test('nil, booleans, blob and GeoJSON prefixes', () => {
    assert.equal(packHex(null), 'c0')
    assert.equal(packHex(false), 'c2')
    assert.equal(packHex(true), 'c3')
    assert.equal(packHex(Buffer.from([1, 2, 3])), 'a404010203')
    assert.equal(packHex(new GeoJson('{}')), 'a3177b7d')
    assert.equal(packHex(new TypedBlob(7, Buffer.from([9]))), 'a20709')
    assert.equal(packHex(''), 'a103')
    assert.equal(packHex(Buffer.alloc(0)), 'a104')
    assert.equal(packHex([]), '90')
    assert.equal(packHex(new Map()), '80')
  })
})

describe('integer packing uses the smallest form', () => {
  const cases: Array<[number | bigint, string]> = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, 'cc80'],
    [255, 'ccff'],
    [256, 'cd0100'],
    [65535, 'cdffff'],
    [65536, 'ce00010000'],
    [2 ** 32 - 1, 'ceffffffff'],
    [2 ** 32, 'cf0000000100000000'],
    [Number.MAX_SAFE_INTEGER, 'cf001fffffffffffff'],
    [-1, 'ff'],
    [-32, 'e0'],
    [-33, 'd0df'],
    [-128, 'd080'],
    [-129, 'd1ff7f'],
    [-32768, 'd18000'],
    [-32769, 'd2ffff7fff'],
    [-(2 ** 31), 'd280000000'],
    [-(2 ** 31) - 1, 'd3ffffffff7fffffff'],
    [Number.MIN_SAFE_INTEGER, 'd3ffe0000000000001'],
    [INT64_MIN, 'd38000000000000000'],
    [INT64_MAX, 'cf7fffffffffffffff'],
    [2n ** 64n - 1n, 'cfffffffffffffffff'],
    [2n ** 53n, 'cf0020000000000000'],
  ]
  for (const [value, expected] of cases) {
    test(`${value} -> ${expected}`, () => {
      assert.equal(packHex(value), expected)
      const back = unpackValue(hex(expected))
      const exact = typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
      assert.equal(back, exact)
    })
  }

  test('writer.int agrees with value() for numbers', () => {
    for (const [value, expected] of cases) {
      const w = new MsgpackWriter(1) // also exercises buffer growth
      w.int(value)
      assert.equal(w.toBuffer().toString('hex'), expected)
    }
  })

  test('-0 packs as integer 0', () => {
    assert.equal(packHex(-0), '00')
    assert.ok(Object.is(unpackValue(hex('00')), 0))
  })

  // The reference (§8.1) says integers use the smallest msgpack form; bigints that fit in a
  // smaller form are written as 9-byte cf/d3 instead.
  test('bigints inside the safe range also use the smallest form', () => {
    assert.equal(packHex(5n), '05')
    assert.equal(packHex(-1n), 'ff')
    assert.equal(packHex(300n), 'cd012c')
    assert.equal(packHex(-40000n), 'd2ffff63c0')
  })

  // Integral numbers outside int64/uint64 (1e20, 2**64) reach Buffer.writeBigUInt64BE and throw a
  // RangeError (ERR_OUT_OF_RANGE) instead of a MsgpackError (or being packed as a double).
  test('integral numbers beyond 64 bits: a MsgpackError or a double, not a RangeError', () => {
    for (const v of [1e20, 2 ** 64, -1e20, 2n ** 64n, -(2n ** 63n) - 1n]) {
      try {
        const back = unpackValue(pack(v))
        assert.ok(back instanceof Double && back.value === Number(v), `${v} packed as ${String(back)}`)
      } catch (err) {
        assert.ok(err instanceof MsgpackError, `${String(v)}: ${String(err)}`)
      }
    }
  })
})

describe('doubles', () => {
  test('non-integral numbers pack as float64 and read back as Double', () => {
    assert.equal(packHex(1.5), 'cb3ff8000000000000')
    assert.deepEqual(unpackValue(hex('cb3ff8000000000000')), new Double(1.5))
  })

  test('integral-valued Double stays a float64', () => {
    assert.equal(packHex(new Double(1)), 'cb3ff0000000000000')
    assert.equal(packHex(new Double(0)), 'cb0000000000000000')
    assert.deepEqual(unpackValue(pack(new Double(1))), new Double(1))
  })

  test('-0, NaN and infinities keep their value', () => {
    assert.equal(packHex(new Double(-0)), 'cb8000000000000000')
    const negZero = unpackValue(pack(new Double(-0)))
    assert.ok(negZero instanceof Double && Object.is(negZero.value, -0))
    assert.equal(packHex(NaN), 'cb7ff8000000000000')
    const nan = unpackValue(pack(NaN))
    assert.ok(nan instanceof Double && Number.isNaN(nan.value))
    assert.equal(packHex(Infinity), 'cb7ff0000000000000')
    assert.equal(packHex(-Infinity), 'cbfff0000000000000')
    assert.deepEqual(unpackValue(pack(-Infinity)), new Double(-Infinity))
  })

  test('float32 (ca) is accepted on read', () => {
    assert.deepEqual(unpackValue(hex('ca3fc00000')), new Double(1.5))
    assert.deepEqual(unpackValue(hex('cabf800000')), new Double(-1))
  })
})

describe('str / bin / array / map / ext header forms', () => {
  const strCases: Array<[number, string]> = [
    [30, 'bf'], // 31 payload bytes with the type byte: fixstr
    [31, 'd920'],
    [254, 'd9ff'],
    [255, 'da0100'],
    [65534, 'daffff'],
    [65535, 'db00010000'],
  ]
  for (const [len, prefix] of strCases) {
    test(`string of ${len} bytes -> header ${prefix}`, () => {
      const s = 'x'.repeat(len)
      const packed = pack(s)
      assert.equal(packed.subarray(0, prefix.length / 2).toString('hex'), prefix)
      assert.equal(packed[prefix.length / 2], 0x03)
      assert.equal(packed.length, prefix.length / 2 + 1 + len)
      assert.equal(unpackValue(packed), s)
    })
  }

  test('plainString has no type byte', () => {
    const w = new MsgpackWriter()
    w.plainString('ab')
    w.plainString('')
    w.plainString('y'.repeat(32))
    assert.equal(w.toBuffer().toString('hex'), 'a26162' + 'a0' + 'd920' + '79'.repeat(32))
  })

  test('bin8/16/32 (c4/c5/c6) are read like the str family, with the type byte', () => {
    assert.deepEqual(unpackValue(hex('c40404010203')), Buffer.from([1, 2, 3]))
    assert.equal(unpackValue(hex('c5000303 6869'.replace(/ /g, ''))), 'hi')
    assert.deepEqual(unpackValue(hex('c600000002 0b ff'.replace(/ /g, ''))), new TypedBlob(11, Buffer.from([0xff])))
    assert.equal(unpackValue(hex('d9020378')), 'x')
    assert.equal(unpackValue(hex('da00020378')), 'x')
    assert.equal(unpackValue(hex('db000000020378')), 'x')
  })

  test('array headers: fixarray up to 15, array16, array32', () => {
    assert.equal(pack(new Array<Value>(15).fill(0)).subarray(0, 1).toString('hex'), '9f')
    assert.equal(pack(new Array<Value>(16).fill(0)).subarray(0, 3).toString('hex'), 'dc0010')
    assert.equal(pack(new Array<Value>(65535).fill(0)).subarray(0, 3).toString('hex'), 'dcffff')
    const big = new Array<Value>(65536).fill(1)
    const packed = pack(big)
    assert.equal(packed.subarray(0, 5).toString('hex'), 'dd00010000')
    assert.equal(packed.length, 5 + 65536)
    assert.deepEqual(unpackValue(packed), big)
  })

  test('map headers: fixmap up to 15, map16, map32', () => {
    const mapOf = (n: number) => new Map<Value, Value>(Array.from({ length: n }, (_, i) => [i, i] as [Value, Value]))
    assert.equal(pack(mapOf(15)).subarray(0, 1).toString('hex'), '8f')
    assert.equal(pack(mapOf(16)).subarray(0, 3).toString('hex'), 'de0010')
    const w = new MsgpackWriter()
    w.mapHeader(65535)
    w.mapHeader(65536)
    assert.equal(w.toBuffer().toString('hex'), 'deffff' + 'df00010000')
    assert.deepEqual(unpackValue(pack(mapOf(16))), mapOf(16))
  })

  test('ext forms: fixext 1/2/4/8/16, ext8, ext16, ext32', () => {
    const cases: Array<[number, string]> = [
      [0, 'c70005'],
      [1, 'd405'],
      [2, 'd505'],
      [3, 'c70305'],
      [4, 'd605'],
      [8, 'd705'],
      [16, 'd805'],
      [17, 'c71105'],
      [255, 'c7ff05'],
      [256, 'c8010005'],
      [65535, 'c8ffff05'],
      [65536, 'c90001000005'],
    ]
    for (const [n, prefix] of cases) {
      const ext = new MsgpackExt(5, Buffer.alloc(n, 0x61))
      const packed = pack(ext)
      assert.equal(packed.subarray(0, prefix.length / 2).toString('hex'), prefix, `ext of ${n}`)
      assert.equal(packed.length, prefix.length / 2 + n)
      assert.deepEqual(unpackValue(packed), ext)
    }
  })
})

describe('non-canonical integer forms are accepted on read', () => {
  const cases: Array<[string, number | bigint]> = [
    ['cc05', 5],
    ['cd0005', 5],
    ['ce00000005', 5],
    ['cf0000000000000005', 5],
    ['d005', 5],
    ['d0ff', -1],
    ['d1ffff', -1],
    ['d2ffffffff', -1],
    ['d3ffffffffffffffff', -1],
    ['d38000000000000000', INT64_MIN],
    ['cf8000000000000000', 2n ** 63n],
    ['d3ffdfffffffffffff', -(2n ** 53n) - 1n],
  ]
  for (const [h, v] of cases) {
    test(`${h} -> ${v}`, () => assert.equal(unpackValue(hex(h)), v))
  }
})

describe('round trip (property)', () => {
  test('unpackValue(pack(v)) deep-equals v', () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        assert.deepStrictEqual(unpackValue(pack(v)), v)
      }),
      { numRuns: 400 },
    )
  })

  test('unicode strings of any code point', () => {
    fc.assert(
      fc.property(fc.string({ unit: codePoint, maxLength: 200 }), (s) => {
        const packed = pack(s)
        assert.equal(unpackValue(packed), s)
        assert.equal(packed.length - Buffer.byteLength(s) - 1, Buffer.byteLength(s) + 1 < 32 ? 1 : Buffer.byteLength(s) + 1 < 256 ? 2 : 3)
      }),
      { numRuns: 200 },
    )
  })

  test('numbers: safe integers come back as the same number, other numbers as Double', () => {
    fc.assert(
      fc.property(fc.oneof(safeIntArb, fc.double({ noInteger: true })), (n) => {
        const back = unpackValue(pack(n))
        if (Number.isSafeInteger(n)) assert.equal(back, n === 0 ? 0 : n)
        else assert.deepStrictEqual(back, new Double(n))
      }),
      { numRuns: 300 },
    )
  })

  test('packing twice gives the same bytes; packed bytes are well formed', () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        const a = pack(v)
        assert.deepEqual(pack(v), a)
        assert.equal(isWellFormedMsgpack(a), true)
      }),
      { numRuns: 200 },
    )
  })

  test('nested example', () => {
    const v: Value = [
      1,
      -2,
      'three',
      new Map<Value, Value>([
        ['a', [null, true, new Double(2.5)]],
        [7, new Map<Value, Value>([['k', Buffer.from('bytes')]])],
      ]),
      new GeoJson('{"type":"Point","coordinates":[1,2]}'),
      INT64_MAX,
    ]
    assert.deepStrictEqual(unpackValue(pack(v)), v)
  })
})

describe('MsgpackReader.skip', () => {
  test('property: consumes exactly one value', () => {
    fc.assert(
      fc.property(valueArb, fc.uint8Array({ maxLength: 10 }), (v, trailing) => {
        const packed = pack(v)
        const reader = new MsgpackReader(Buffer.concat([packed, Buffer.from(trailing)]))
        reader.skip()
        assert.equal(reader.offset, packed.length)
        assert.equal(reader.remaining, trailing.length)
      }),
      { numRuns: 300 },
    )
  })

  test('property: skip and value() stop at the same offset in a sequence', () => {
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 5 }), (values) => {
        const buf = Buffer.concat(values.map((v) => pack(v)))
        const a = new MsgpackReader(buf)
        const b = new MsgpackReader(buf)
        for (const v of values) {
          a.skip()
          assert.deepStrictEqual(b.value(), v)
          assert.equal(a.offset, b.offset)
        }
        assert.equal(a.remaining, 0)
      }),
      { numRuns: 150 },
    )
  })

  test('skips every header family', () => {
    const samples = [
      'c0', 'c2', 'c3', '7f', 'e0', 'cc01', 'cd0001', 'ce00000001', 'cf0000000000000001', 'd001', 'd10001', 'd200000001',
      'd30000000000000001', 'ca3fc00000', 'cb3ff8000000000000', 'a0', 'a3036162', 'd9020361', 'da00020361', 'db000000020361',
      'c4020461', 'c500020461', 'c600000002 0461', 'd4ff00', 'd5010102', 'd60101020304', 'd7010102030405060708',
      'd801' + '00'.repeat(16), 'c70001', 'c7020a0102', 'c800020a0102', 'c9000000020a0102', '90', '9201a2037a', 'dc000101',
      'dd0000000101', '80', '810102', 'de00010102', 'df0000000101 02', '92 91 90 81 01 91 c0',
    ]
    for (const s of samples) {
      const buf = hex(s)
      const r = new MsgpackReader(Buffer.concat([buf, hex('c1')]))
      r.skip()
      assert.equal(r.offset, buf.length, s)
      assert.equal(isWellFormedMsgpack(buf), true, s)
    }
  })

  test('respects a reader window (offset, end)', () => {
    const buf = hex('ff 92 01 02 ff'.replace(/ /g, ''))
    const r = new MsgpackReader(buf, 1, 4)
    assert.equal(r.remaining, 3)
    r.skip()
    assert.equal(r.offset, 4)
    assert.equal(r.remaining, 0)
    expectMsgpackError(() => new MsgpackReader(buf, 1, 3).skip())
    expectMsgpackError(() => new MsgpackReader(buf, 1, 3).value())
  })
})

describe('MsgpackReader headers', () => {
  test('readArrayHeader / readMapHeader for every form', () => {
    assert.equal(new MsgpackReader(hex('93')).readArrayHeader(), 3)
    assert.equal(new MsgpackReader(hex('dc0102')).readArrayHeader(), 258)
    assert.equal(new MsgpackReader(hex('dd00010000')).readArrayHeader(), 65536)
    assert.equal(new MsgpackReader(hex('8f')).readMapHeader(), 15)
    assert.equal(new MsgpackReader(hex('de0102')).readMapHeader(), 258)
    assert.equal(new MsgpackReader(hex('df00010000')).readMapHeader(), 65536)
    const r = new MsgpackReader(hex('920102'))
    assert.equal(r.readArrayHeader(), 2)
    assert.equal(r.offset, 1)
    assert.equal(r.value(), 1)
    assert.equal(r.value(), 2)
  })

  test('readArrayHeader / readMapHeader reject other types and truncation', () => {
    expectMsgpackError(() => new MsgpackReader(hex('81')).readArrayHeader(), /array/)
    expectMsgpackError(() => new MsgpackReader(hex('91')).readMapHeader(), /map/)
    expectMsgpackError(() => new MsgpackReader(hex('01')).readArrayHeader())
    expectMsgpackError(() => new MsgpackReader(hex('dc00')).readArrayHeader())
    expectMsgpackError(() => new MsgpackReader(hex('df000000')).readMapHeader())
    expectMsgpackError(() => new MsgpackReader(Buffer.alloc(0)).readArrayHeader())
  })

  test('peekByte does not advance and throws at the end', () => {
    const r = new MsgpackReader(hex('c3'))
    assert.equal(r.peekByte(), 0xc3)
    assert.equal(r.offset, 0)
    assert.equal(r.value(), true)
    expectMsgpackError(() => r.peekByte())
  })
})

describe('MsgpackError', () => {
  const samples: Value[] = [
    null,
    true,
    200,
    -200,
    70000,
    -70000,
    2 ** 40,
    INT64_MIN,
    new Double(1.25),
    'hello',
    'x'.repeat(40),
    Buffer.from([1, 2, 3]),
    new GeoJson('{"type":"Point"}'),
    new TypedBlob(9, Buffer.from('py')),
    new MsgpackExt(1, Buffer.alloc(0)),
    new MsgpackExt(2, Buffer.alloc(4)),
    [1, [2, [3, 'four']], new Map<Value, Value>([['k', 'v']])],
    new Map<Value, Value>([[1, [true, false]], ['s', new Double(-0)]]),
    new Array<Value>(20).fill('ab'),
  ]

  test('truncated input at every prefix', () => {
    for (const v of samples) {
      const packed = pack(v)
      for (let len = 0; len < packed.length; len++) {
        const prefix = packed.subarray(0, len)
        expectMsgpackError(() => unpackValue(prefix))
        expectMsgpackError(() => new MsgpackReader(prefix).skip())
        assert.equal(isWellFormedMsgpack(prefix), false)
      }
      assert.deepStrictEqual(unpackValue(packed), v)
    }
  })

  test('property: every strict prefix of an arbitrary value fails', () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        const packed = pack(v)
        for (let len = 0; len < packed.length; len++) {
          expectMsgpackError(() => unpackValue(packed.subarray(0, len)))
          assert.equal(isWellFormedMsgpack(packed.subarray(0, len)), false)
        }
      }),
      { numRuns: 60 },
    )
  })

  test('reserved byte 0xc1', () => {
    expectMsgpackError(() => unpackValue(hex('c1')), /c1/)
    expectMsgpackError(() => unpackValue(hex('91c1')), /c1/)
    expectMsgpackError(() => unpackValue(hex('81c101')), /c1/)
    expectMsgpackError(() => new MsgpackReader(hex('c1')).skip(), /c1/)
    expectMsgpackError(() => new MsgpackReader(hex('9201c1')).skip(), /c1/)
    assert.equal(isWellFormedMsgpack(hex('c1')), false)
    assert.equal(isWellFormedMsgpack(hex('92c101')), false)
  })

  test('trailing bytes after the value', () => {
    expectMsgpackError(() => unpackValue(hex('0101')), /after/)
    expectMsgpackError(() => unpackValue(hex('90c0')), /after/)
  })

  test('nesting deeper than 256 levels', () => {
    const deep = Buffer.concat([Buffer.alloc(300, 0x91), hex('c0')])
    expectMsgpackError(() => unpackValue(deep), /deeper/)
    const ok = Buffer.concat([Buffer.alloc(200, 0x91), hex('c0')])
    let v = unpackValue(ok)
    for (let i = 0; i < 200; i++) {
      assert.ok(Array.isArray(v))
      v = v[0]!
    }
    assert.equal(v, null)
  })

  test('cannot pack an unknown object', () => {
    expectMsgpackError(() => pack({} as unknown as Value), /cannot pack/)
    expectMsgpackError(() => pack(undefined as unknown as Value))
  })
})

describe('isWellFormedMsgpack', () => {
  test('true for exactly one value', () => {
    for (const s of ['c0', '00', '9201a2037a', '80', 'a103', 'd4ff01', 'cb3ff0000000000000']) assert.equal(isWellFormedMsgpack(hex(s)), true, s)
  })

  test('false for empty input, trailing bytes, truncation and reserved bytes', () => {
    for (const s of ['', '0000', '92', '9201', 'a2', 'a203', 'cd01', 'c1', 'dc0001', 'd4ff', 'c70105']) assert.equal(isWellFormedMsgpack(hex(s)), false, s)
  })

  test('property: agrees with unpackValue on arbitrary bytes (shallow nesting)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (raw) => {
        const buf = Buffer.from(raw)
        let unpacks = true
        try {
          unpackValue(buf)
        } catch (err) {
          assert.ok(err instanceof MsgpackError, `unpackValue threw ${String(err)}`)
          unpacks = false
        }
        assert.equal(isWellFormedMsgpack(buf), unpacks, buf.toString('hex'))
      }),
      { numRuns: 2000 },
    )
  })
})

describe('MsgpackWriter', () => {
  test('raw, nil, bool, double, typedBytes, ext', () => {
    const w = new MsgpackWriter()
    w.nil()
    w.bool(true)
    w.double(0.5)
    w.typedBytes(4, Buffer.from([0xaa]))
    w.ext(0xff, Buffer.of(0))
    w.raw(Buffer.from([0x01]))
    assert.equal(w.toBuffer().toString('hex'), 'c0' + 'c3' + 'cb3fe0000000000000' + 'a204aa' + 'd4ff00' + '01')
  })

  test('toBuffer returns a copy', () => {
    const w = new MsgpackWriter()
    w.value([1, 2])
    const a = w.toBuffer()
    a[0] = 0
    assert.equal(w.toBuffer().toString('hex'), '920102')
  })

  test('growth through multi-byte writes (reserve-then-write paths) keeps the data', () => {
    // int/double/str headers reserve first and then write into this.buffer: these grow correctly.
    const w = new MsgpackWriter(1)
    for (let i = 0; i < 20; i++) w.double(i + 0.5)
    w.int(70000)
    w.strHeader(300)
    const out = w.toBuffer()
    const r = new MsgpackReader(out)
    for (let i = 0; i < 20; i++) assert.deepEqual(r.value(), new Double(i + 0.5))
    assert.equal(r.value(), 70000)
    assert.equal(out.subarray(r.offset).toString('hex'), 'da012c')
  })
})

describe('MsgpackWriter buffer growth', () => {
  test('a single-byte write that triggers growth is kept', () => {
    const w = new MsgpackWriter(1)
    w.nil()
    w.bool(true) // needs a second byte: the buffer grows inside byte()
    w.int(5)
    assert.equal(w.toBuffer().toString('hex'), 'c0c305')
  })

  test('a raw write that triggers growth is kept', () => {
    const w = new MsgpackWriter(4)
    w.raw(Buffer.from('0102030405060708', 'hex'))
    assert.equal(w.toBuffer().toString('hex'), '0102030405060708')
  })

  test('packValue of values over 64 bytes', () => {
    // 64 ones: array16 header (3 bytes) + 64 x 01; the byte at offset 64 is written during growth.
    assert.equal(packHex(new Array<Value>(64).fill(1)), 'dc0040' + '01'.repeat(64))
    assert.equal(packHex('y'.repeat(70)), 'd94703' + '79'.repeat(70))
    assert.deepStrictEqual(unpackValue(packValue(['a'.repeat(100), 1, 2, 3])), ['a'.repeat(100), 1, 2, 3])
  })

  test('property: packValue gives the same bytes as a writer that never grows', () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        assert.equal(packValue(v).toString('hex'), pack(v).toString('hex'))
      }),
      { numRuns: 200, endOnFailure: true },
    )
  })

  test('property: any initial size gives the same bytes', () => {
    fc.assert(
      fc.property(valueArb, fc.integer({ min: 1, max: 80 }), (v, initial) => {
        const w = new MsgpackWriter(initial)
        w.value(v)
        assert.equal(w.toBuffer().toString('hex'), pack(v).toString('hex'))
      }),
      { numRuns: 200, endOnFailure: true },
    )
  })

  test('packValue of small values (no growth) matches', () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        const expected = pack(v)
        fc.pre(expected.length <= 64)
        assert.equal(packValue(v).toString('hex'), expected.toString('hex'))
      }),
      { numRuns: 200 },
    )
  })
})
