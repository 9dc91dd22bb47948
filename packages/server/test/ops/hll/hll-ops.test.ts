// HLL ops against what Aerospike gives: the HLL bytes and counts the official Node client's suite
// expects, the result codes its Java suite checks, and estimates within the HLL error bounds.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ParticleType, ResultCode, unpackValue, type Value } from '@aerolite/protocol'
import { applyHllOperation, isValidHll, type TypedValue } from '../../../src/ops/hll/index.ts'
import { HllOpCode as H, HllWriteFlag } from '../../../src/ops/hll/hll-payload.ts'
import { compactElement } from '../../../src/ops/hll/hll-element.ts'
import { murmur3x64 } from '../../../src/ops/hll/murmur3.ts'
import { hllValue, payload, type Arg } from '../bit/encode.ts'
import { commandErrorCode } from '../command-error-code.ts'

const { CREATE_ONLY, UPDATE_ONLY, NO_FAIL, ALLOW_FOLD } = HllWriteFlag

// The HLL of ('jaguar', 'leopard', 'lion', 'tiger') with 8 index bits, from the Node client's suite.
const HLL_CATS = (() => {
  const bytes = Buffer.alloc(203)
  bytes[1] = 8
  bytes[36] = 16
  bytes[43] = 4
  bytes[163] = 65
  return bytes
})()

interface Step {
  bin: TypedValue | undefined
  result: TypedValue | undefined
}

/** Runs modify (m) and read (r) payloads in turn on one bin, like the ops of one operate command. */
function run(bin: TypedValue | undefined, ...steps: ['m' | 'r', Buffer][]): Step[] {
  const out: Step[] = []
  for (const [mode, p] of steps) {
    const outcome = applyHllOperation(bin, p, mode === 'm' ? 'modify' : 'read')
    bin = outcome.bin
    out.push(outcome)
  }
  return out
}

const m = (code: number, ...args: Arg[]): ['m', Buffer] => ['m', payload(code, ...args)]
const r = (code: number, ...args: Arg[]): ['r', Buffer] => ['r', payload(code, ...args)]

function resultValue(step: Step): Value {
  const result = step.result
  assert.ok(result)
  switch (result.particleType) {
    case ParticleType.INTEGER: return Number(result.value.readBigInt64BE(0))
    case ParticleType.FLOAT: return result.value.readDoubleBE(0)
    case ParticleType.LIST: return unpackValue(result.value)
    default: return result.value
  }
}

const last = (steps: Step[]): Value => resultValue(steps[steps.length - 1]!)
const finalBin = (steps: Step[]): TypedValue | undefined => steps[steps.length - 1]!.bin

const keys = (n: number, prefix = 'key '): string[] => Array.from({ length: n }, (_, i) => prefix + i)

/** Aerospike's tests accept counts within 6 standard errors (1.04 / sqrt(m)). */
function assertCountNear(count: Value, expected: number, indexBits: number): void {
  const error = (6 * 1.04) / Math.sqrt(2 ** indexBits)
  assert.ok(typeof count === 'number' && Math.abs(count - expected) <= expected * error, `count ${String(count)} for ${expected}`)
}

describe('murmur3 x64 128', () => {
  it('matches the reference vectors', () => {
    const hex = (s: string): string => {
      const { h1, h2 } = murmur3x64(Buffer.from(s))
      const out = Buffer.alloc(16)
      out.writeUInt32LE(h1[1], 0)
      out.writeUInt32LE(h1[0], 4)
      out.writeUInt32LE(h2[1], 8)
      out.writeUInt32LE(h2[0], 12)
      return out.toString('hex')
    }
    assert.equal(hex(''), '00000000000000000000000000000000')
    assert.equal(hex('The quick brown fox jumps over the lazy dog'), '6c1b07bc7bbc4be347939ac4a93c437a')
  })

  it('agrees with a bigint implementation on random inputs', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
      const data = Buffer.from(bytes)
      const { h1, h2 } = murmur3x64(data)
      const expected = referenceMurmur(data)
      assert.equal((BigInt(h1[0]) << 32n) | BigInt(h1[1]), expected.h1)
      assert.equal((BigInt(h2[0]) << 32n) | BigInt(h2[1]), expected.h2)
    }), { numRuns: 500 })
  })
})

describe('HLL ops (Node client suite expectations)', () => {
  it('add creates the HLL byte for byte as Aerospike does', () => {
    const steps = run(undefined, m(H.ADD, ['jaguar', 'tiger', 'tiger', 'leopard', 'lion', 'jaguar'], 8), r(H.COUNT))
    assert.equal(resultValue(steps[0]!), 4)
    assert.deepEqual(finalBin(steps), { particleType: ParticleType.HLL, value: HLL_CATS })
    assert.equal(last(steps), 4)
  })

  it('init and describe', () => {
    assert.deepEqual(last(run(undefined, m(H.INIT, 10), r(H.DESCRIBE))), [10, 0])
    assert.deepEqual(last(run(undefined, m(H.INIT, 10, 6), r(H.DESCRIBE))), [10, 6])
    assert.deepEqual(last(run(undefined, m(H.INIT, 16, 5), r(H.DESCRIBE))), [16, 5])
    assert.deepEqual(last(run(undefined, m(H.ADD, ['tiger', 'leopard'], 10), m(H.INIT, 12, 4), r(H.DESCRIBE))), [12, 4])
  })

  it('counts', () => {
    assert.equal(last(run(undefined, m(H.ADD, ['leopard', 'tiger', 'tiger', 'jaguar'], 8), r(H.COUNT))), 3)
    assert.equal(last(run(undefined, m(H.ADD, ['tiger', 'cheetah'], 8), m(H.INIT, 12, -1, CREATE_ONLY | NO_FAIL), r(H.COUNT))), 2)
    assert.equal(last(run(undefined, m(H.ADD, ['tiger', 'lion'], 8), m(H.ADD, ['tiger', 'leopard', 'cheetah'], 8, -1, CREATE_ONLY | NO_FAIL), r(H.COUNT))), 2)
  })

  it('set_union, get_union_count, get_intersect_count, get_similarity', () => {
    const base = m(H.ADD, ['tiger', 'lynx', 'cheetah', 'tiger'], 8)
    assert.equal(last(run(undefined, base, m(H.SET_UNION, [hllValue(HLL_CATS)]), r(H.COUNT))), 6)
    const six = m(H.ADD, ['leopard', 'lynx', 'tiger', 'tiger', 'cheetah', 'lynx'], 8)
    assert.equal(last(run(undefined, six, r(H.UNION_COUNT, [hllValue(HLL_CATS)]))), 6)
    assert.equal(last(run(undefined, six, r(H.INTERSECT_COUNT, [hllValue(HLL_CATS)]))), 2)
    const similarity = last(run(undefined, six, r(H.SIMILARITY, [hllValue(HLL_CATS)])))
    assert.ok(typeof similarity === 'number' && !Number.isInteger(similarity))
    const union = run(undefined, six, r(H.GET_UNION, [hllValue(HLL_CATS)]))[1]!.result!
    assert.equal(union.particleType, ParticleType.HLL)
    assert.ok(isValidHll(union.value))
    assert.equal(last(run(union, r(H.COUNT))), 6)
  })

  it('set_union refuses to reduce index bits unless allowed to fold', () => {
    const base = m(H.ADD, ['tiger', 'lynx', 'cheetah', 'tiger'], 12)
    assert.equal(commandErrorCode(() => run(undefined, base, m(H.SET_UNION, [hllValue(HLL_CATS)]))), ResultCode.OP_NOT_APPLICABLE)
    assert.deepEqual(last(run(undefined, base, m(H.SET_UNION, [hllValue(HLL_CATS)], ALLOW_FOLD), r(H.DESCRIBE))), [8, 0])
  })

  it('set_union policies', () => {
    const existing = run(undefined, m(H.ADD, ['tiger'], 8))[0]!.bin
    assert.equal(commandErrorCode(() => run(existing, m(H.SET_UNION, [hllValue(HLL_CATS)], CREATE_ONLY))), ResultCode.BIN_EXISTS)
    assert.equal(last(run(existing, m(H.SET_UNION, [hllValue(HLL_CATS)], CREATE_ONLY | NO_FAIL), r(H.COUNT))), 1)
    assert.equal(commandErrorCode(() => run(undefined, m(H.SET_UNION, [hllValue(HLL_CATS)], UPDATE_ONLY))), ResultCode.BIN_NOT_FOUND)
    assert.equal(finalBin(run(undefined, m(H.SET_UNION, [hllValue(HLL_CATS)], UPDATE_ONLY | NO_FAIL))), undefined)
    // A single HLL value may come without a list around it.
    assert.deepEqual(finalBin(run(undefined, m(H.SET_UNION, hllValue(HLL_CATS))))?.value, HLL_CATS)
  })

  it('fold, then refresh_count caches the count in the HLL', () => {
    const steps = run(undefined, m(H.ADD, ['tiger', 'lynx', 'cheetah', 'tiger'], 8), m(H.ADD, ['lion', 'tiger', 'puma', 'puma']), m(H.FOLD, 6), m(H.REFRESH_COUNT))
    assert.equal(last(steps), 5)
    assert.equal(finalBin(steps)!.value.readBigUInt64LE(3), 5n)
    assert.deepEqual(last(run(undefined, m(H.INIT, 16), m(H.FOLD, 8), r(H.DESCRIBE))), [8, 0])
    assert.equal(commandErrorCode(() => run(undefined, m(H.INIT, 16, 8), m(H.FOLD, 8))), ResultCode.OP_NOT_APPLICABLE)
  })

  it('init policies', () => {
    const existing = run(undefined, m(H.ADD, ['tiger'], 8))[0]!.bin
    assert.equal(commandErrorCode(() => run(existing, m(H.INIT, 10, -1, CREATE_ONLY))), ResultCode.BIN_EXISTS)
    assert.equal(commandErrorCode(() => run(undefined, m(H.INIT, 10, 6, UPDATE_ONLY))), ResultCode.BIN_NOT_FOUND)
    assert.equal(finalBin(run(undefined, m(H.INIT, 10, 6, UPDATE_ONLY | NO_FAIL))), undefined)
  })

  it('a bin of another type is a bin type error', () => {
    const str: TypedValue = { particleType: ParticleType.STRING, value: Buffer.from('not a HLL set') }
    assert.equal(commandErrorCode(() => run(str, m(H.ADD, ['jaguar'], 8))), ResultCode.BIN_TYPE_ERROR)
    assert.equal(commandErrorCode(() => run(str, r(H.COUNT))), ResultCode.BIN_TYPE_ERROR)
    const blob: TypedValue = { particleType: ParticleType.BLOB, value: HLL_CATS }
    assert.equal(commandErrorCode(() => run(blob, r(H.COUNT))), ResultCode.BIN_TYPE_ERROR)
  })
})

describe('HLL ops (Java client suite checks)', () => {
  const legal: [number, number][] = []
  for (let indexBits = 4; indexBits <= 16; indexBits += 4) {
    const maxMinhash = Math.min(51, 64 - indexBits)
    legal.push([indexBits, 0], [indexBits, 4], [indexBits, Math.floor((maxMinhash + indexBits) / 2)], [indexBits, maxMinhash])
  }
  const illegal: [number, number][] = [[3, 0], [3, 3], [3, 51], [4, 3], [4, 52], [8, 3], [8, 52], [12, 3], [12, 52], [12, 53], [16, 3], [16, 52], [16, 49], [17, 0], [17, 3], [17, 51]]

  it('init with every legal description; illegal ones are parameter errors', () => {
    for (const [indexBits, minhashBits] of legal) {
      const steps = run(undefined, m(H.INIT, indexBits, minhashBits), r(H.COUNT), m(H.REFRESH_COUNT), r(H.DESCRIBE))
      assert.deepEqual(steps.slice(1).map(resultValue), [0, 0, [indexBits, minhashBits]])
      assert.ok(isValidHll(finalBin(steps)!.value))
    }
    for (const [indexBits, minhashBits] of illegal) {
      assert.equal(commandErrorCode(() => run(undefined, m(H.INIT, indexBits, minhashBits))), ResultCode.PARAMETER_ERROR, `${indexBits} ${minhashBits}`)
    }
  })

  it('flags that an op does not take are parameter errors', () => {
    const existing = run(undefined, m(H.INIT, 4))[0]!.bin
    assert.equal(commandErrorCode(() => run(existing, m(H.INIT, 4, -1, ALLOW_FOLD))), ResultCode.PARAMETER_ERROR)
    assert.equal(commandErrorCode(() => run(existing, m(H.ADD, ['a'], 4, -1, ALLOW_FOLD))), ResultCode.PARAMETER_ERROR)
    assert.equal(commandErrorCode(() => run(existing, m(H.ADD, ['a'], 4, -1, UPDATE_ONLY))), ResultCode.PARAMETER_ERROR)
    assert.equal(commandErrorCode(() => run(existing, m(H.INIT, 4, -1, CREATE_ONLY | UPDATE_ONLY))), ResultCode.PARAMETER_ERROR)
  })

  it('re-init with combined bits past 64 is not applicable', () => {
    assert.equal(commandErrorCode(() => run(undefined, m(H.INIT, 16, 0), m(H.INIT, -1, 51))), ResultCode.OP_NOT_APPLICABLE)
    assert.equal(commandErrorCode(() => run(undefined, m(H.INIT, -1, 4))), ResultCode.OP_NOT_APPLICABLE)
    assert.equal(commandErrorCode(() => run(undefined, m(H.ADD, ['a']))), ResultCode.OP_NOT_APPLICABLE)
  })

  it('add estimates within the error bound; refresh caches the same count; adding again changes nothing', () => {
    const entries = keys(1 << 12)
    for (const [indexBits, minhashBits] of legal) {
      const steps = run(undefined, m(H.ADD, entries, indexBits, minhashBits), r(H.COUNT), m(H.REFRESH_COUNT), r(H.DESCRIBE), m(H.ADD, entries))
      const [, count, refreshed, description, added] = steps.map(resultValue)
      assertCountNear(count!, entries.length, indexBits)
      assert.equal(refreshed, count)
      assert.deepEqual(description, [indexBits, minhashBits])
      assert.equal(added, 0)
    }
  })

  it('fold keeps the count within the error bound of the smaller sketch', () => {
    const half0 = keys(1 << 11)
    const half1 = keys(1 << 11, 'other ')
    for (let indexBits = 4; indexBits < 16; indexBits += 3) {
      for (let to = 4; to <= indexBits; to += 2) {
        const steps = run(undefined, m(H.ADD, half0, indexBits), m(H.FOLD, to), r(H.COUNT), m(H.ADD, half0), m(H.ADD, half1), r(H.COUNT), r(H.DESCRIBE))
        const values = steps.map((s) => (s.result === undefined ? undefined : resultValue(s)))
        assertCountNear(values[2]!, half0.length, to)
        assert.equal(values[3], 0)
        assertCountNear(values[5]!, half0.length + half1.length, to)
        assert.deepEqual(values[6], [to, 0])
      }
    }
  })

  it('fold up is not applicable; fold of a missing bin is BIN_NOT_FOUND', () => {
    const existing = run(undefined, m(H.INIT, 10))[0]!.bin
    assert.deepEqual(last(run(existing, m(H.FOLD, 4), r(H.DESCRIBE))), [4, 0])
    assert.equal(commandErrorCode(() => run(existing, m(H.FOLD, 16))), ResultCode.OP_NOT_APPLICABLE)
    assert.equal(commandErrorCode(() => run(undefined, m(H.FOLD, 4))), ResultCode.BIN_NOT_FOUND)
    assert.equal(commandErrorCode(() => run(undefined, m(H.REFRESH_COUNT))), ResultCode.BIN_NOT_FOUND)
  })

  it('set_union of sketches with other index bits, with and without fold', () => {
    const sets = [0, 1, 2].map((i) => keys(1 << 11, `key${i} `))
    for (const indexBits of [4, 8, 12, 16]) {
      for (const folding of [false, true]) {
        const values = sets.map((set, i) => {
          const ix = folding ? Math.max(4, indexBits - i) : indexBits
          return hllValue(run(undefined, m(H.ADD, set, ix))[0]!.bin!.value)
        })
        const folded = folding && indexBits > 4
        const fresh = run(undefined, m(H.INIT, indexBits))[0]!.bin
        if (folded) assert.equal(commandErrorCode(() => run(fresh, m(H.SET_UNION, values))), ResultCode.OP_NOT_APPLICABLE)
        const union = run(fresh, m(H.SET_UNION, values, ALLOW_FOLD), r(H.COUNT))
        const created = run(undefined, m(H.SET_UNION, values), r(H.COUNT))
        const smallest = folding ? Math.max(4, indexBits - 2) : indexBits
        assertCountNear(last(union), 3 << 11, smallest)
        assert.equal(last(union), last(created))
        for (const set of sets) assert.equal(resultValue(run(finalBin(created), m(H.ADD, set))[0]!), 0)
      }
    }
  })

  it('get_union equals get_union_count, and the union stored back counts the same', () => {
    const sets = [0, 1, 2].map((i) => keys(1 << 11, `key${i} `))
    const values = sets.map((set) => hllValue(run(undefined, m(H.ADD, set, 14))[0]!.bin!.value))
    const bin = run(undefined, m(H.ADD, sets[0]!, 14))[0]!.bin
    const [union, unionCount] = run(bin, r(H.GET_UNION, values), r(H.UNION_COUNT, values))
    assertCountNear(resultValue(unionCount!), 3 << 11, 14)
    assert.equal(last(run(union!.result, r(H.COUNT))), resultValue(unionCount!))
  })

  it('similarity and intersect count with minhash bits', () => {
    const common = keys(1 << 10, 'common ')
    const sets = [0, 1, 2].map((i) => keys(1 << 10, `key${i} `))
    for (const [indexBits, minhashBits] of legal.filter(([, mh]) => mh !== 0)) {
      const values = sets.map((set) => hllValue(run(undefined, m(H.ADD, set, indexBits, minhashBits), m(H.ADD, common))[1]!.bin!.value))
      const bin = run(undefined, m(H.INIT, indexBits, minhashBits), m(H.SET_UNION, values))[1]!.bin
      const [similarity, intersect] = run(bin, r(H.SIMILARITY, values), r(H.INTERSECT_COUNT, values)).map(resultValue)
      const expected = common.length / (common.length + 3 * sets[0]!.length)
      const error = 6 * Math.max(1 / Math.sqrt(2 ** indexBits), (6 * Math.exp(-minhashBits)) / expected)
      assert.ok(Math.abs((similarity as number) - expected) < error, `similarity ${String(similarity)} (${indexBits}, ${minhashBits})`)
      assert.ok(Math.abs((intersect as number) - common.length) <= common.length * error, `intersect ${String(intersect)} (${indexBits}, ${minhashBits})`)
    }
  })

  it('similarity of empty sketches is NaN and their intersection 0', () => {
    for (const [indexBits, minhashBits] of legal) {
      const bin = run(undefined, m(H.INIT, indexBits, minhashBits))[0]!.bin!
      const [similarity, intersect] = run(bin, r(H.SIMILARITY, [hllValue(bin.value)]), r(H.INTERSECT_COUNT, [hllValue(bin.value)])).map(resultValue)
      assert.ok(Number.isNaN(similarity))
      assert.equal(intersect, 0)
    }
  })

  it('intersect of more than 2 values needs minhash bits, equal to the bin\'s', () => {
    const entries = keys(1 << 10)
    const hll = run(undefined, m(H.ADD, entries, 8))[0]!.bin!
    const hmh = run(undefined, m(H.ADD, entries, 8, 4))[0]!.bin!
    const two = [hllValue(hll.value), hllValue(hll.value)]
    assert.ok((last(run(hll, r(H.INTERSECT_COUNT, two))) as number) < 1.8 * entries.length)
    assert.equal(commandErrorCode(() => run(hll, r(H.INTERSECT_COUNT, [...two, hllValue(hll.value)]))), ResultCode.PARAMETER_ERROR)
    assert.equal(commandErrorCode(() => run(hll, r(H.SIMILARITY, [...two, hllValue(hll.value)]))), ResultCode.PARAMETER_ERROR)
    const three = [hllValue(hmh.value), hllValue(hmh.value), hllValue(hmh.value)]
    assert.equal(commandErrorCode(() => run(hll, r(H.INTERSECT_COUNT, three))), ResultCode.OP_NOT_APPLICABLE)
    assert.equal(commandErrorCode(() => run(hll, r(H.SIMILARITY, three))), ResultCode.OP_NOT_APPLICABLE)
    assert.ok((last(run(hmh, r(H.INTERSECT_COUNT, three))) as number) < 1.8 * entries.length)
  })
})

describe('HLL elements and payloads', () => {
  it('elements are compacted before hashing', () => {
    assert.deepEqual(compactElement(Buffer.from([0xcc, 0x05])), Buffer.from([0x05]))
    assert.deepEqual(compactElement(Buffer.from([0xd1, 0x01, 0x00])), Buffer.from([0xcd, 0x01, 0x00]))
    assert.deepEqual(compactElement(Buffer.from([0xd0, 0x9c])), Buffer.from([0xd0, 0x9c]))
    assert.deepEqual(compactElement(Buffer.from([0xd9, 0x02, 0x03, 0x61])), Buffer.from([0xa2, 0x03, 0x61]))
    assert.deepEqual(compactElement(Buffer.from([0xc4, 0x02, 0x04, 0x61])), Buffer.from([0xa2, 0x04, 0x61]))
    const longBin = Buffer.concat([Buffer.from([0xc4, 40]), Buffer.alloc(40)])
    assert.deepEqual(compactElement(longBin), longBin)
    assert.deepEqual(compactElement(Buffer.from([0xc7, 0x01, 0x05, 0xaa])), Buffer.from([0xd4, 0x05, 0xaa]))
    // So a wide encoding of an element counts as the same element.
    const narrow = run(undefined, ['m', Buffer.from([0x94, 0x01, 0x91, 0x05, 0x08, 0x00])])[0]!.bin
    const wide = run(undefined, ['m', Buffer.from([0x94, 0x01, 0x91, 0xd3, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x08, 0x00])])[0]!.bin
    assert.deepEqual(wide, narrow)
  })

  it('may_contain', () => {
    const bin = run(undefined, m(H.ADD, ['a', 'b'], 8))[0]!.bin
    assert.equal(last(run(bin, r(H.MAY_CONTAIN, ['a', 'b']))), 1)
    assert.equal(last(run(bin, r(H.MAY_CONTAIN, ['a', 'zzz', 'b']))), 0)
  })

  it('a read of a missing bin has no result', () => {
    assert.deepEqual(applyHllOperation(undefined, Buffer.from([0xc1]), 'read'), { bin: undefined, result: undefined })
  })

  it('bad payloads are parameter errors', () => {
    const bin = run(undefined, m(H.INIT, 8))[0]!.bin
    const short = hllValue(HLL_CATS.subarray(0, 100))
    const flagged = Buffer.from(HLL_CATS)
    flagged[0] = 1
    const bad: ['m' | 'r', Buffer][] = [
      ['m', Buffer.alloc(0)], ['m', Buffer.from([0x90])], ['m', payload(H.COUNT)], ['r', payload(H.INIT, 8)], ['m', payload(77)],
      m(H.INIT, 8, 4, 0, 0), m(H.ADD), m(H.ADD, []), m(H.ADD, [[1, 2]]), m(H.ADD, 'abc', 8),
      m(H.SET_UNION, []), m(H.SET_UNION, [short]), m(H.SET_UNION, [hllValue(flagged)]), m(H.SET_UNION, [hllValue(Buffer.alloc(5))]),
      m(H.FOLD), m(H.FOLD, 3), m(H.REFRESH_COUNT, 1), m(H.INIT, 8, 4, 16),
      r(H.COUNT, 1), r(H.GET_UNION), r(H.UNION_COUNT, [short]), r(H.DESCRIBE, 0), r(H.MAY_CONTAIN, [new Map()]),
      ['m', Buffer.from([0x92, 0x01, 0x91])], ['m', Buffer.from([0x93, 0x00, 0xcd, 0x00])],
    ]
    for (const step of bad) assert.equal(commandErrorCode(() => run(bin, step)), ResultCode.PARAMETER_ERROR, step[1].toString('hex'))
  })

  it('a damaged HLL in a bin is a server error', () => {
    const damaged: TypedValue = { particleType: ParticleType.HLL, value: HLL_CATS.subarray(0, 50) }
    assert.equal(commandErrorCode(() => run(damaged, r(H.COUNT))), ResultCode.SERVER_ERROR)
    assert.equal(isValidHll(HLL_CATS), true)
    assert.equal(isValidHll(HLL_CATS.subarray(0, 202)), false)
  })
})

/** The straightforward bigint MurmurHash3 x64 128 (seed 0), to check the fast one against. */
function referenceMurmur(data: Buffer): { h1: bigint; h2: bigint } {
  const mask = (1n << 64n) - 1n
  const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & mask
  const mul = (a: bigint, b: bigint): bigint => (a * b) & mask
  const fmix = (k: bigint): bigint => {
    k ^= k >> 33n
    k = mul(k, 0xff51afd7ed558ccdn)
    k ^= k >> 33n
    k = mul(k, 0xc4ceb9fe1a85ec53n)
    return k ^ (k >> 33n)
  }
  const c1 = 0x87c37b91114253d5n
  const c2 = 0x4cf5ad432745937fn
  const word = (at: number, n: number): bigint => {
    let w = 0n
    for (let i = n - 1; i >= 0; i--) w = (w << 8n) | BigInt(data[at + i]!)
    return w
  }
  let h1 = 0n
  let h2 = 0n
  const blocks = Math.floor(data.length / 16)
  for (let i = 0; i < blocks; i++) {
    h1 ^= mul(rotl(mul(word(i * 16, 8), c1), 31n), c2)
    h1 = (mul((rotl(h1, 27n) + h2) & mask, 5n) + 0x52dce729n) & mask
    h2 ^= mul(rotl(mul(word(i * 16 + 8, 8), c2), 33n), c1)
    h2 = (mul((rotl(h2, 31n) + h1) & mask, 5n) + 0x38495ab5n) & mask
  }
  const rest = data.length - blocks * 16
  if (rest > 8) h2 ^= mul(rotl(mul(word(blocks * 16 + 8, rest - 8), c2), 33n), c1)
  if (rest > 0) h1 ^= mul(rotl(mul(word(blocks * 16, Math.min(rest, 8)), c1), 31n), c2)
  h1 ^= BigInt(data.length)
  h2 ^= BigInt(data.length)
  h1 = (h1 + h2) & mask
  h2 = (h2 + h1) & mask
  h1 = fmix(h1)
  h2 = fmix(h2)
  h1 = (h1 + h2) & mask
  h2 = (h2 + h1) & mask
  return { h1, h2 }
}
