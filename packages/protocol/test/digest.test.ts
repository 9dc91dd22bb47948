import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { DIGEST_BYTES, PARTITION_COUNT, computeDigest, partitionId } from '../src/digest.ts'
import { FieldType, decodeMessageAt, findField } from '../src/message.ts'
import { integerParticle } from '../src/particles.ts'
import { skipUnlessCi } from '../../../test/vectors-required.ts'

/** Any Unicode scalar value (no lone surrogates), biased towards ASCII. fc's 'binary' unit is slow to start. */
const codePoint = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }))
  .map((cp) => String.fromCodePoint(cp))

const VECTORS_DIR = fileURLToPath(new URL('../../../../shared/vectors/', import.meta.url))
const HAVE_VECTORS = existsSync(VECTORS_DIR)
const SKIP_VECTORS = HAVE_VECTORS ? false : skipUnlessCi(`vectors folder not found at ${VECTORS_DIR}`)

function ripemd(...parts: Buffer[]): Buffer {
  const h = createHash('ripemd160')
  for (const p of parts) h.update(p)
  return h.digest()
}

describe('constants', () => {
  test('digest size and partition count', () => {
    assert.equal(DIGEST_BYTES, 20)
    assert.equal(PARTITION_COUNT, 4096)
  })
})

describe('computeDigest', () => {
  test('("demo", string "k1") -> b747f5854d0b33259928d0cfab7fad81d6abfbf6, partition 1975', () => {
    const d = computeDigest('demo', 3, Buffer.from('k1'))
    assert.equal(d.toString('hex'), 'b747f5854d0b33259928d0cfab7fad81d6abfbf6')
    assert.equal(d.length, 20)
    assert.equal(partitionId(d), 1975)
  })

  test('is RIPEMD-160 over set || type byte || key bytes (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: codePoint, maxLength: 20 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 }), (set, type, key) => {
        const expected = ripemd(Buffer.from(set, 'utf8'), Buffer.of(type), Buffer.from(key))
        assert.equal(computeDigest(set, type, Buffer.from(key)).toString('hex'), expected.toString('hex'))
      }),
      { numRuns: 200 },
    )
  })

  test('an empty set contributes no bytes', () => {
    assert.deepEqual(computeDigest('', 3, Buffer.from('k1')), ripemd(Buffer.from([3]), Buffer.from('k1')))
  })

  test('the namespace is not part of the digest; set and type are', () => {
    const a = computeDigest('demo', 3, Buffer.from('k1'))
    assert.notDeepEqual(computeDigest('demo2', 3, Buffer.from('k1')), a)
    assert.notDeepEqual(computeDigest('demo', 4, Buffer.from('k1')), a)
    assert.notDeepEqual(computeDigest('', 3, Buffer.from('demok1')), a)
  })

  test('integer keys hash their 8-byte big-endian form', () => {
    assert.deepEqual(computeDigest('s', 1, integerParticle(2)), ripemd(Buffer.from('s'), Buffer.from('01' + '0000000000000002', 'hex')))
  })
})

describe('partitionId', () => {
  test('low 12 bits of the first two bytes read little-endian', () => {
    assert.equal(partitionId(Buffer.from('b747', 'hex')), 0x7b7)
    assert.equal(partitionId(Buffer.from('0000', 'hex')), 0)
    assert.equal(partitionId(Buffer.from('ffff', 'hex')), 4095)
    assert.equal(partitionId(Buffer.from('ff0f', 'hex')), 4095)
    assert.equal(partitionId(Buffer.from('00f0', 'hex')), 0)
    assert.equal(partitionId(Buffer.from('0110', 'hex')), 1)
    assert.equal(partitionId(Buffer.from('0001', 'hex')), 256)
    assert.equal(partitionId(new Uint8Array([0x34, 0x12, 0xaa])), 0x234)
  })

  test('property: in 0..4095, equal to the LE u16 & 0xfff, depends only on the first two bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.uint8Array({ minLength: 18, maxLength: 18 }), (digest, tail) => {
        const pid = partitionId(digest)
        assert.ok(Number.isInteger(pid) && pid >= 0 && pid < 4096)
        assert.equal(pid, Buffer.from(digest).readUInt16LE(0) & 0x0fff)
        const other = new Uint8Array(20)
        other.set(digest.subarray(0, 2))
        other.set(tail, 2)
        assert.equal(partitionId(other), pid)
      }),
      { numRuns: 300 },
    )
  })

  test('every partition id is reachable', () => {
    const seen = new Set<number>()
    for (let lo = 0; lo < 256; lo++) for (let hi = 0; hi < 16; hi++) seen.add(partitionId(new Uint8Array([lo, hi])))
    assert.equal(seen.size, 4096)
  })
})

describe('recorded digests (vectors)', () => {
  interface Keyed {
    file: string
    note: string
    set: string
    key: Buffer
    digest: Buffer
  }

  function collect(file: string): Keyed[] {
    const out: Keyed[] = []
    for (const line of readFileSync(VECTORS_DIR + file, 'utf8').split('\n')) {
      if (line.trim() === '') continue
      const row = JSON.parse(line) as { dir: string; hex: string; note: string }
      const frame = Buffer.from(row.hex, 'hex')
      if (row.dir !== 'c2s' || frame[1] !== 3) continue
      const body = frame.subarray(8)
      let pos = 0
      while (pos < body.length) {
        const { message, end } = decodeMessageAt(body, pos)
        pos = end
        const digest = findField(message, FieldType.DIGEST)
        const key = findField(message, FieldType.KEY)
        if (!digest || !key) continue
        out.push({ file, note: row.note, set: findField(message, FieldType.SET)?.toString('utf8') ?? '', key, digest })
      }
    }
    return out
  }

  test('every DIGEST in 03_put_get_exists_remove matches its KEY and SET', { skip: SKIP_VECTORS }, () => {
    const rows = collect('03_put_get_exists_remove.jsonl')
    assert.equal(rows.length, 9)
    const types = new Set<number>()
    for (const r of rows) {
      types.add(r.key[0]!)
      const d = computeDigest(r.set, r.key[0]!, r.key.subarray(1))
      assert.equal(d.toString('hex'), r.digest.toString('hex'), `${r.file}: ${r.note}`)
    }
    // Both a string key (3) and an integer key (1) are in the recording.
    assert.deepEqual([...types].sort(), [1, 3])
  })

  test('the recorded put of key-1 in set "trace" has digest 85ea9454...', { skip: SKIP_VECTORS }, () => {
    const first = collect('03_put_get_exists_remove.jsonl')[0]!
    assert.equal(first.set, 'trace')
    assert.equal(first.key.toString('hex'), '03' + Buffer.from('key-1').toString('hex'))
    assert.equal(first.digest.toString('hex'), '85ea94541451bf9bbcaa06581e48cba8b794d09c')
    assert.equal(computeDigest('trace', 3, Buffer.from('key-1')).toString('hex'), '85ea94541451bf9bbcaa06581e48cba8b794d09c')
  })

  test('every DIGEST with a KEY in every recording matches', { skip: SKIP_VECTORS }, () => {
    const files = ['03_put_get_exists_remove.jsonl', '04_touch_ttl.jsonl', '05_operate.jsonl', '06_errors.jsonl', '07_list_ops.jsonl', '09_batch_get.jsonl', '10_scan.jsonl', '12_udf.jsonl']
    let n = 0
    for (const file of files) {
      if (!existsSync(VECTORS_DIR + file)) continue
      for (const r of collect(file)) {
        n++
        assert.equal(computeDigest(r.set, r.key[0]!, r.key.subarray(1)).toString('hex'), r.digest.toString('hex'), `${r.file}: ${r.note}`)
      }
    }
    assert.ok(n >= 9, `only ${n} keyed requests found`)
  })
})
