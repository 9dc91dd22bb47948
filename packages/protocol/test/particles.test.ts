import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  HllValue,
  ParticleError,
  ParticleType,
  decodeParticle,
  encodeParticle,
  floatParticle,
  geoJsonParticle,
  integerParticle,
  isBlobType,
  isKnownParticleType,
  particleTypeName,
  readGeoJsonParticle,
  readIntegerParticle,
  type ParticleValue,
} from '../src/particles.ts'
import { MsgpackError } from '../src/msgpack.ts'
import { Double, GeoJson, INT64_MAX, INT64_MIN, MsgpackExt, TypedBlob, type Value } from '../src/values.ts'

/** Any Unicode scalar value (no lone surrogates), biased towards ASCII. fc's 'binary' unit is slow to start. */
const codePoint = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }))
  .map((cp) => String.fromCodePoint(cp))

function expectParticleError(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ParticleError, `expected ParticleError, got ${String(err)}`)
    assert.equal(err.code, 'ERR_PARTICLE')
    assert.equal(err.name, 'ParticleError')
    if (message) assert.match(err.message, message)
    return true
  })
}

const enc = (v: ParticleValue): [number, string] => {
  const p = encodeParticle(v)
  return [p.type, p.bytes.toString('hex')]
}

describe('particle types', () => {
  test('ids match the reference (§4.5)', () => {
    assert.deepEqual({ ...ParticleType }, {
      NULL: 0, INTEGER: 1, FLOAT: 2, STRING: 3, BLOB: 4, JAVA_BLOB: 7, CSHARP_BLOB: 8, PYTHON_BLOB: 9, RUBY_BLOB: 10,
      PHP_BLOB: 11, ERLANG_BLOB: 12, BOOL: 17, HLL: 18, MAP: 19, LIST: 20, GEOJSON: 23,
    })
  })

  test('particleTypeName', () => {
    assert.equal(particleTypeName(1), 'INTEGER')
    assert.equal(particleTypeName(23), 'GEOJSON')
    assert.equal(particleTypeName(12), 'ERLANG_BLOB')
    assert.equal(particleTypeName(5), 'UNKNOWN(5)')
    assert.equal(particleTypeName(255), 'UNKNOWN(255)')
  })

  test('isKnownParticleType', () => {
    const known = [0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 17, 18, 19, 20, 23]
    for (let t = 0; t < 256; t++) assert.equal(isKnownParticleType(t), known.includes(t), `type ${t}`)
  })

  test('isBlobType: 4 and 7..12 only', () => {
    for (let t = 0; t < 256; t++) assert.equal(isBlobType(t), t === 4 || (t >= 7 && t <= 12), `type ${t}`)
  })
})

describe('encodeParticle: exact encodings', () => {
  test('null, bool', () => {
    assert.deepEqual(enc(null), [0, ''])
    assert.deepEqual(enc(true), [17, '01'])
    assert.deepEqual(enc(false), [17, '00'])
  })

  test('integers are 8-byte big-endian int64', () => {
    assert.deepEqual(enc(1), [1, '0000000000000001'])
    assert.deepEqual(enc(-1), [1, 'ffffffffffffffff'])
    assert.deepEqual(enc(0), [1, '0000000000000000'])
    assert.deepEqual(enc(-0), [1, '0000000000000000'])
    assert.deepEqual(enc(Number.MAX_SAFE_INTEGER), [1, '001fffffffffffff'])
    assert.deepEqual(enc(INT64_MAX), [1, '7fffffffffffffff'])
    assert.deepEqual(enc(INT64_MIN), [1, '8000000000000000'])
    assert.deepEqual(enc(5n), [1, '0000000000000005'])
  })

  test('floats are 8-byte IEEE-754 big-endian', () => {
    assert.deepEqual(enc(1.5), [2, '3ff8000000000000'])
    assert.deepEqual(enc(new Double(1)), [2, '3ff0000000000000'])
    assert.deepEqual(enc(new Double(-0)), [2, '8000000000000000'])
    assert.deepEqual(enc(NaN), [2, '7ff8000000000000'])
    assert.deepEqual(enc(-Infinity), [2, 'fff0000000000000'])
  })

  test('strings are raw UTF-8, blobs raw bytes', () => {
    assert.deepEqual(enc('héllo'), [3, Buffer.from('héllo').toString('hex')])
    assert.deepEqual(enc(''), [3, ''])
    assert.deepEqual(enc(Buffer.from([1, 2, 3])), [4, '010203'])
    for (let t = 7; t <= 12; t++) assert.deepEqual(enc(new TypedBlob(t, Buffer.from([t]))), [t, t.toString(16).padStart(2, '0')])
    assert.deepEqual(enc(new HllValue(Buffer.from('0102', 'hex'))), [18, '0102'])
  })

  test('lists and maps are msgpack', () => {
    assert.deepEqual(enc([1, 'z']), [20, '9201a2037a'])
    assert.deepEqual(enc(new Map<Value, Value>([['a', 1]])), [19, '81a2036101'])
    assert.deepEqual(enc([]), [20, '90'])
  })

  test('GeoJSON: flags 0, zero cells, then the text', () => {
    assert.deepEqual(enc(new GeoJson('{"type":"Point"}')), [23, '000000' + Buffer.from('{"type":"Point"}').toString('hex')])
    assert.equal(geoJsonParticle('').toString('hex'), '000000')
  })

  test('values without a particle encoding', () => {
    expectParticleError(() => encodeParticle(new MsgpackExt(0xff, Buffer.of(0)) as unknown as ParticleValue), /no particle encoding/)
    expectParticleError(() => encodeParticle({} as unknown as ParticleValue))
  })
})

describe('integers', () => {
  test('readIntegerParticle sign-extends 1..8 byte inputs', () => {
    const cases: Array<[string, bigint]> = [
      ['00', 0n],
      ['01', 1n],
      ['7f', 127n],
      ['80', -128n],
      ['ff', -1n],
      ['0080', 128n],
      ['ff7f', -129n],
      ['8000', -32768n],
      ['7fffff', 8388607n],
      ['800000', -8388608n],
      ['ffffffff', -1n],
      ['80000000', -2147483648n],
      ['0100000000', 4294967296n],
      ['ff00000000', -4294967296n],
      ['800000000000', -(2n ** 47n)],
      ['7fffffffffffff', 2n ** 55n - 1n],
      ['ffffffffffffff', -1n],
      ['7fffffffffffffff', INT64_MAX],
      ['8000000000000000', INT64_MIN],
      ['ffffffffffffffff', -1n],
      ['0000000000000005', 5n],
    ]
    for (const [h, v] of cases) assert.equal(readIntegerParticle(Buffer.from(h, 'hex')), v, h)
  })

  test('property: n-byte two\'s complement of any value that fits decodes to it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(fc.constant(n), fc.bigInt({ min: -(2n ** BigInt(8 * n - 1)), max: 2n ** BigInt(8 * n - 1) - 1n }))), ([n, v]) => {
        const hex = BigInt.asUintN(8 * n, v).toString(16).padStart(2 * n, '0')
        assert.equal(readIntegerParticle(Buffer.from(hex, 'hex')), v)
      }),
      { numRuns: 300 },
    )
  })

  test('readIntegerParticle rejects 0 and more than 8 bytes', () => {
    expectParticleError(() => readIntegerParticle(Buffer.alloc(0)), /0 bytes/)
    expectParticleError(() => readIntegerParticle(Buffer.alloc(9)), /9 bytes/)
    expectParticleError(() => readIntegerParticle(Buffer.alloc(16)))
    expectParticleError(() => decodeParticle(ParticleType.INTEGER, Buffer.alloc(0)))
    expectParticleError(() => decodeParticle(ParticleType.INTEGER, Buffer.alloc(9)))
  })

  test('integerParticle accepts the int64 range and rejects everything outside it', () => {
    assert.equal(integerParticle(INT64_MAX).toString('hex'), '7fffffffffffffff')
    assert.equal(integerParticle(INT64_MIN).toString('hex'), '8000000000000000')
    assert.equal(integerParticle(-2).toString('hex'), 'fffffffffffffffe')
    expectParticleError(() => integerParticle(INT64_MAX + 1n), /int64/)
    expectParticleError(() => integerParticle(INT64_MIN - 1n), /int64/)
    expectParticleError(() => integerParticle(2n ** 64n))
    expectParticleError(() => integerParticle(2 ** 63))
    expectParticleError(() => integerParticle(-(2 ** 64)))
    expectParticleError(() => encodeParticle(1e20), /int64/)
    expectParticleError(() => encodeParticle(-(2n ** 63n) - 1n))
    expectParticleError(() => encodeParticle(2n ** 63n))
  })

  test('decodeParticle: integers come back as numbers when safe, bigints otherwise', () => {
    assert.equal(decodeParticle(1, Buffer.from('001fffffffffffff', 'hex')), Number.MAX_SAFE_INTEGER)
    assert.equal(decodeParticle(1, Buffer.from('0020000000000000', 'hex')), 2n ** 53n)
    assert.equal(decodeParticle(1, Buffer.from('ffe0000000000001', 'hex')), Number.MIN_SAFE_INTEGER)
    assert.equal(decodeParticle(1, Buffer.from('ffdfffffffffffff', 'hex')), -(2n ** 53n) - 1n)
    assert.equal(decodeParticle(1, Buffer.from('ff', 'hex')), -1)
    assert.equal(decodeParticle(1, Buffer.from('0102', 'hex')), 258)
  })
})

describe('floats', () => {
  test('floatParticle', () => {
    assert.equal(floatParticle(1.5).toString('hex'), '3ff8000000000000')
    assert.equal(floatParticle(-2).toString('hex'), 'c000000000000000')
  })

  test('decodeParticle FLOAT needs exactly 8 bytes', () => {
    assert.deepEqual(decodeParticle(2, Buffer.from('3ff8000000000000', 'hex')), new Double(1.5))
    for (const n of [0, 4, 7, 9]) expectParticleError(() => decodeParticle(2, Buffer.alloc(n)), /float/)
  })
})

describe('bool', () => {
  test('decodeParticle BOOL: exactly one byte, any non-zero is true', () => {
    assert.equal(decodeParticle(17, Buffer.from([0])), false)
    assert.equal(decodeParticle(17, Buffer.from([1])), true)
    assert.equal(decodeParticle(17, Buffer.from([2])), true)
    for (const n of [0, 2, 8]) expectParticleError(() => decodeParticle(17, Buffer.alloc(n)), /bool/)
  })
})

describe('GeoJSON', () => {
  test('cells are skipped when reading', () => {
    const text = '{"type":"Point","coordinates":[1,2]}'
    const withCells = Buffer.concat([Buffer.from('000002', 'hex'), Buffer.alloc(16, 0xcc), Buffer.from(text)])
    assert.equal(readGeoJsonParticle(withCells), text)
    assert.deepEqual(decodeParticle(23, withCells), new GeoJson(text))
    const flagged = Buffer.concat([Buffer.from('010001', 'hex'), Buffer.alloc(8, 0x01), Buffer.from(text)])
    assert.equal(readGeoJsonParticle(flagged), text)
  })

  test('zero cells', () => {
    assert.equal(readGeoJsonParticle(Buffer.from('000000', 'hex')), '')
    assert.equal(readGeoJsonParticle(Buffer.concat([Buffer.from('000000', 'hex'), Buffer.from('{}')])), '{}')
  })

  test('errors: shorter than the header, cells past the end', () => {
    for (const h of ['', '00', '0000']) expectParticleError(() => readGeoJsonParticle(Buffer.from(h, 'hex')), /shorter/)
    expectParticleError(() => readGeoJsonParticle(Buffer.concat([Buffer.from('000001', 'hex'), Buffer.alloc(7)])), /cells/)
    expectParticleError(() => readGeoJsonParticle(Buffer.from('00ffff', 'hex')), /cells/)
    expectParticleError(() => decodeParticle(23, Buffer.from('0000', 'hex')))
  })

  test('exactly the cells and no text', () => {
    assert.equal(readGeoJsonParticle(Buffer.concat([Buffer.from('000001', 'hex'), Buffer.alloc(8)])), '')
  })
})

describe('lists and maps', () => {
  test('LIST must hold an array and MAP a map', () => {
    assert.deepEqual(decodeParticle(20, Buffer.from('9201a2037a', 'hex')), [1, 'z'])
    assert.deepEqual(decodeParticle(19, Buffer.from('81a2036101', 'hex')), new Map<Value, Value>([['a', 1]]))
    assert.throws(() => decodeParticle(20, Buffer.from('81a2036101', 'hex')), MsgpackError)
    assert.throws(() => decodeParticle(19, Buffer.from('9201a2037a', 'hex')), MsgpackError)
    assert.throws(() => decodeParticle(20, Buffer.from('01', 'hex')), MsgpackError)
  })

  test('malformed msgpack payloads', () => {
    assert.throws(() => decodeParticle(20, Buffer.from('92', 'hex')), MsgpackError)
    assert.throws(() => decodeParticle(20, Buffer.from('9001', 'hex')), MsgpackError)
    assert.throws(() => decodeParticle(19, Buffer.alloc(0)), MsgpackError)
    assert.throws(() => decodeParticle(19, Buffer.from('c1', 'hex')), MsgpackError)
  })
})

describe('unknown particle types', () => {
  test('decodeParticle rejects every unknown type', () => {
    for (let t = 0; t < 256; t++) {
      if (isKnownParticleType(t)) continue
      expectParticleError(() => decodeParticle(t, Buffer.alloc(8)), /unknown particle type/)
    }
  })
})

describe('round trip (property)', () => {
  const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a))
  // Kept small so packed lists/maps stay far below 64 bytes (see msgpack.test.ts: packValue
  // corrupts output that needs its buffer to grow).
  const small: fc.Arbitrary<Value> = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -1000, max: 1000 }), fc.string({ maxLength: 4 }))
  const cases: Array<[string, fc.Arbitrary<ParticleValue>, (v: ParticleValue) => ParticleValue]> = [
    ['NULL', fc.constant(null), (v) => v],
    ['INTEGER (safe numbers)', fc.maxSafeInteger(), (v) => (v === 0 ? 0 : v)],
    ['INTEGER (bigints outside the safe range)', fc.oneof(
      fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: INT64_MAX }),
      fc.bigInt({ min: INT64_MIN, max: BigInt(Number.MIN_SAFE_INTEGER) - 1n }),
    ), (v) => v],
    ['INTEGER (bigints inside the safe range come back as numbers)', fc.bigInt({ min: BigInt(Number.MIN_SAFE_INTEGER), max: BigInt(Number.MAX_SAFE_INTEGER) }), (v) => Number(v)],
    ['FLOAT (Double)', fc.double().map((d) => new Double(d)), (v) => v],
    ['FLOAT (non-integral numbers come back as Double)', fc.double().filter((d) => !Number.isInteger(d)), (v) => new Double(v as number)],
    ['STRING', fc.string({ unit: codePoint, maxLength: 50 }), (v) => v],
    ['BLOB', bytes, (v) => v],
    ['LANGUAGE BLOBS 7..12', fc.tuple(fc.integer({ min: 7, max: 12 }), bytes).map(([t, b]) => new TypedBlob(t, b)), (v) => v],
    ['TypedBlob subtype 4 is a plain blob', bytes.map((b) => new TypedBlob(4, b)), (v) => (v as TypedBlob).bytes],
    ['BOOL', fc.boolean(), (v) => v],
    ['HLL', bytes.map((b) => new HllValue(b)), (v) => v],
    ['GEOJSON', fc.string({ maxLength: 60 }).map((s) => new GeoJson(s)), (v) => v],
    ['LIST', fc.array(small, { maxLength: 6 }), (v) => v],
    ['MAP', fc.array(fc.tuple(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), small), { maxLength: 4 }).map((e) => new Map<Value, Value>(e)), (v) => v],
  ]
  for (const [name, arb, expect] of cases) {
    test(name, () => {
      fc.assert(
        fc.property(arb, (v) => {
          const { type, bytes: encoded } = encodeParticle(v)
          assert.deepStrictEqual(decodeParticle(type, encoded), expect(v))
        }),
        { numRuns: 100 },
      )
    })
  }

  test('every known type is produced by encodeParticle', () => {
    const samples: ParticleValue[] = [
      null, 1, 1.5, 's', Buffer.alloc(1), new TypedBlob(7, Buffer.alloc(1)), new TypedBlob(8, Buffer.alloc(1)), new TypedBlob(9, Buffer.alloc(1)),
      new TypedBlob(10, Buffer.alloc(1)), new TypedBlob(11, Buffer.alloc(1)), new TypedBlob(12, Buffer.alloc(1)), true, new HllValue(Buffer.alloc(1)),
      new Map(), [], new GeoJson('{}'),
    ]
    const types = samples.map((v) => encodeParticle(v).type).sort((a, b) => a - b)
    assert.deepEqual(types, Object.values(ParticleType).sort((a, b) => a - b))
  })

  test('LIST / MAP particles over 64 bytes round trip', () => {
    const list: Value[] = Array.from({ length: 40 }, (_, i) => i * 1000)
    const { type, bytes } = encodeParticle(list)
    assert.equal(type, 20)
    assert.deepStrictEqual(decodeParticle(type, bytes), list)
    const map = new Map<Value, Value>(Array.from({ length: 20 }, (_, i) => [`key-${i}`, 'v'.repeat(i)] as [Value, Value]))
    const m = encodeParticle(map)
    assert.deepStrictEqual(decodeParticle(m.type, m.bytes), map)
  })

  test('decoded blobs do not alias the input bytes', () => {
    const raw = Buffer.from([1, 2, 3])
    const blob = decodeParticle(4, raw) as Buffer
    const typed = decodeParticle(9, raw) as TypedBlob
    const hll = decodeParticle(18, raw) as HllValue
    raw[0] = 9
    assert.equal(blob.toString('hex'), '010203')
    assert.equal(typed.bytes.toString('hex'), '010203')
    assert.equal(hll.bytes.toString('hex'), '010203')
  })
})
