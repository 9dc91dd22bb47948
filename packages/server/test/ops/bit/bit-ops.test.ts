// Bit ops against the results Aerospike gives: vectors from the official clients' documentation
// and test suites (run there against a real server), plus the error codes of each refusal.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, ResultCode } from '@aerolite/protocol'
import { applyBitOperation, type TypedValue } from '../../../src/ops/bit/index.ts'
import { BitIntFlag, BitOpCode as B, BitResizeFlag, BitWriteFlag } from '../../../src/ops/bit/bit-payload.ts'
import { blob, payload } from './encode.ts'
import { commandErrorCode } from '../command-error-code.ts'

const { SIGNED, SATURATE, WRAP } = BitIntFlag
const { CREATE_ONLY, UPDATE_ONLY, NO_FAIL, PARTIAL } = BitWriteFlag

const asBin = (bytes: number[] | Buffer): TypedValue => ({ particleType: ParticleType.BLOB, value: Buffer.from(bytes) })

/** Applies modify payloads in turn; returns the final blob (undefined = no bin). */
function modify(initial: number[] | undefined, ...payloads: Buffer[]): Buffer | undefined {
  let bin = initial === undefined ? undefined : asBin(initial)
  for (const p of payloads) bin = applyBitOperation(bin, p, 'modify').bin
  return bin?.value
}

function read(initial: number[] | Buffer, p: Buffer): TypedValue {
  const { result } = applyBitOperation(asBin(initial), p, 'read')
  assert.ok(result)
  return result
}

const readInt = (initial: number[] | Buffer, p: Buffer): number => {
  const result = read(initial, p)
  assert.equal(result.particleType, ParticleType.INTEGER)
  return Number(result.value.readBigInt64BE(0))
}

const bytes = (...b: number[]): Buffer => Buffer.from(b)
const FIVE = [0b00000001, 0b01000010, 0b00000011, 0b00000100, 0b00000101]

describe('bit modify ops (C client documentation examples)', () => {
  it('resize grows with zeros', () => assert.deepEqual(modify([0x01, 0x42], payload(B.RESIZE, 4)), bytes(0x01, 0x42, 0, 0)))
  it('insert', () => assert.deepEqual(modify(FIVE, payload(B.INSERT, 1, blob([0xff, 0xc7]))), bytes(0x01, 0xff, 0xc7, 0x42, 0x03, 0x04, 0x05)))
  it('remove', () => assert.deepEqual(modify(FIVE, payload(B.REMOVE, 2, 3)), bytes(0x01, 0x42)))
  it('set', () => assert.deepEqual(modify(FIVE, payload(B.SET, 13, 3, blob([0b11100000]))), bytes(0x01, 0b01000111, 0x03, 0x04, 0x05)))
  it('or', () => assert.deepEqual(modify(FIVE, payload(B.OR, 17, 6, blob([0b10101000]))), bytes(0x01, 0x42, 0b01010111, 0x04, 0x05)))
  it('xor', () => assert.deepEqual(modify(FIVE, payload(B.XOR, 17, 6, blob([0b10101100]))), bytes(0x01, 0x42, 0b01010101, 0x04, 0x05)))
  it('and', () => assert.deepEqual(modify(FIVE, payload(B.AND, 23, 9, blob([0b00111100, 0b10000000]))), bytes(0x01, 0x42, 0b00000010, 0, 0x05)))
  it('not', () => assert.deepEqual(modify(FIVE, payload(B.NOT, 25, 6)), bytes(0x01, 0x42, 0x03, 0b01111010, 0x05)))
  it('lshift', () => assert.deepEqual(modify(FIVE, payload(B.LSHIFT, 32, 8, 3)), bytes(0x01, 0x42, 0x03, 0x04, 0b00101000)))
  it('rshift', () => assert.deepEqual(modify(FIVE, payload(B.RSHIFT, 0, 9, 1)), bytes(0, 0b11000010, 0x03, 0x04, 0x05)))
  it('add', () => assert.deepEqual(modify(FIVE, payload(B.ADD, 24, 16, 128, 0, 0)), bytes(0x01, 0x42, 0x03, 0x04, 0b10000101)))
  it('subtract', () => assert.deepEqual(modify(FIVE, payload(B.SUBTRACT, 24, 16, 128, 0, 0)), bytes(0x01, 0x42, 0x03, 0x03, 0b10000101)))
  it('set_int', () => assert.deepEqual(modify(FIVE, payload(B.SET_INT, 1, 8, 127)), bytes(0b00111111, 0b11000010, 0x03, 0x04, 0x05)))
})

describe('bit read ops (C client documentation examples)', () => {
  it('get', () => assert.deepEqual(read(FIVE, payload(B.GET, 9, 5)), asBin([0b10000000])))
  it('count', () => assert.equal(readInt(FIVE, payload(B.COUNT, 20, 4)), 2))
  it('lscan', () => assert.equal(readInt(FIVE, payload(B.LSCAN, 24, 8, true)), 5))
  it('rscan', () => assert.equal(readInt(FIVE, payload(B.RSCAN, 32, 8, true)), 7))
  it('get_int', () => assert.equal(readInt(FIVE, payload(B.GET_INT, 8, 16)), 16899))
})

describe('bit ops (Java client test vectors)', () => {
  const bit0 = blob([0x80])
  const bits1 = blob([0x11, 0x22, 0x33])

  it('set with update-only, then remove', () => {
    assert.deepEqual(modify([1, 2, 3, 4, 5, 6, 7, 8],
      payload(B.SET, 1, 1, bit0, 0), payload(B.SET, 3, 1, bit0, UPDATE_ONLY), payload(B.REMOVE, 6, 2, UPDATE_ONLY)),
    bytes(0x51, 2, 3, 4, 5, 6))
  })

  it('insert with create-only creates the bin', () => {
    assert.deepEqual(modify(undefined, payload(B.INSERT, 1, blob([0x0a]), CREATE_ONLY)), bytes(0x00, 0x0a))
  })

  it('set on a missing bin is BIN_NOT_FOUND; set with create-only is a bad flag', () => {
    assert.equal(commandErrorCode(() => modify(undefined, payload(B.SET, 1, 1, bit0, 0))), ResultCode.BIN_NOT_FOUND)
    assert.equal(commandErrorCode(() => modify([1], payload(B.SET, 1, 1, bit0, CREATE_ONLY))), ResultCode.PARAMETER_ERROR)
  })

  it('set across byte boundaries', () => {
    const initial = [0x01, 0x12, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x41]
    assert.deepEqual(modify(initial,
      payload(B.SET, 1, 1, bit0), payload(B.SET, 15, 1, bit0), payload(B.SET, 16, 24, bits1), payload(B.SET, 40, 22, bits1),
      payload(B.SET, 73, 21, bits1), payload(B.SET, 100, 20, bits1), payload(B.SET, 120, 17, bits1), payload(B.SET, 144, 1, bit0)),
    bytes(0x41, 0x13, 0x11, 0x22, 0x33, 0x11, 0x22, 0x33, 0x08, 0x08, 0x91, 0x1b, 0x01, 0x12, 0x23, 0x11, 0x22, 0x11, 0xc1))
  })

  it('lshift', () => {
    assert.deepEqual(modify([0x01, 0x01, 0x00, 0x80, 0xff, 0x01, 0x01, 0x18, 0x01],
      payload(B.LSHIFT, 0, 8, 1), payload(B.LSHIFT, 9, 7, 6), payload(B.LSHIFT, 23, 2, 1), payload(B.LSHIFT, 37, 18, 3),
      payload(B.LSHIFT, 58, 2, 1), payload(B.LSHIFT, 64, 4, 7)),
    bytes(0x02, 0x40, 0x01, 0x00, 0xf8, 0x08, 0x01, 0x28, 0x01))
    assert.deepEqual(modify([0xff, 0xff, 0xff], payload(B.LSHIFT, 0, 20, 15)), bytes(0xf8, 0x00, 0x0f))
  })

  it('rshift', () => {
    assert.deepEqual(modify([0x80, 0x40, 0x01, 0x00, 0xff, 0x01, 0x01, 0x18, 0x80],
      payload(B.RSHIFT, 0, 8, 1), payload(B.RSHIFT, 9, 7, 6), payload(B.RSHIFT, 23, 2, 1), payload(B.RSHIFT, 37, 18, 3),
      payload(B.RSHIFT, 60, 2, 1), payload(B.RSHIFT, 68, 4, 7)),
    bytes(0x40, 0x01, 0x00, 0x80, 0xf8, 0xe0, 0x21, 0x14, 0x80))
  })

  const logicInitial = [0x80, 0x40, 0x01, 0x00, 0x00, 0x01, 0x02, 0x03]
  const logic = (code: number): Buffer[] => [
    payload(code, 0, 5, bits1), payload(code, 9, 7, bits1), payload(code, 23, 6, bits1), payload(code, 32, 8, bits1), payload(code, 40, 24, bits1),
  ]
  it('or', () => assert.deepEqual(modify(logicInitial, ...logic(B.OR)), bytes(0x90, 0x48, 0x01, 0x20, 0x11, 0x11, 0x22, 0x33)))
  it('xor', () => assert.deepEqual(modify(logicInitial, ...logic(B.XOR)), bytes(0x90, 0x48, 0x01, 0x20, 0x11, 0x10, 0x20, 0x30)))
  it('and', () => assert.deepEqual(modify(logicInitial, ...logic(B.AND)), bytes(0, 0, 0, 0, 0, 0x01, 0x02, 0x03)))
  it('not', () => {
    assert.deepEqual(modify(logicInitial, payload(B.NOT, 0, 5), payload(B.NOT, 9, 7), payload(B.NOT, 23, 6), payload(B.NOT, 32, 8), payload(B.NOT, 40, 24)),
      bytes(0x78, 0x3f, 0x00, 0xf8, 0xff, 0xfe, 0xfd, 0xfc))
  })

  const arithmetic = [0x38, 0x1f, 0x00, 0xe8, 0x7f, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x02, 0x02, 0x02, 0x03, 0x03, 0x03]
  const add = (offset: number, size: number, value: number, flags = 0): Buffer => payload(B.ADD, offset, size, value, 0, flags)
  const sub = (offset: number, size: number, value: number, flags = 0): Buffer => payload(B.SUBTRACT, offset, size, value, 0, flags)

  it('add', () => {
    assert.deepEqual(modify(arithmetic, add(0, 5, 1), add(9, 7, 1), add(23, 6, 0x21), add(32, 8, 1), add(40, 24, 0x7f7f7f),
      add(64, 20, 0x01010), add(92, 20, 0x10101), add(113, 22, 0x8082), add(136, 23, 0x20202)),
    bytes(0x40, 0x20, 0x01, 0xf0, 0x80, 0x7f, 0x7f, 0x7f, 0x02, 0x02, 0x01, 0x02, 0x02, 0x02, 0x03, 0x03, 0x06, 0x07, 0x07, 0x07))
  })

  it('add with wrap and saturate, signed and unsigned', () => {
    assert.deepEqual(modify([0, 0, 0, 0, 0, 0],
      add(0, 8, 0xff, WRAP), add(0, 8, 0xff, WRAP),
      add(8, 8, 0x7f, SIGNED | WRAP), add(8, 8, 0x7f, SIGNED | WRAP),
      add(16, 8, 0x80, SIGNED | WRAP), add(16, 8, 0xff, SIGNED | WRAP),
      add(24, 8, 0x80, SATURATE), add(24, 8, 0x80, SATURATE),
      add(32, 8, 0x77, SIGNED | SATURATE), add(32, 8, 0x77, SIGNED | SATURATE),
      add(40, 8, 0x8f, SIGNED | SATURATE), add(40, 8, 0x8f, SIGNED | SATURATE)),
    bytes(0xfe, 0xfe, 0x7f, 0xff, 0x7f, 0x80))
  })

  it('add overflow fails with OP_NOT_APPLICABLE', () => {
    const zeros = [0, 0, 0, 0, 0, 0]
    assert.equal(commandErrorCode(() => modify(zeros, add(0, 8, 0xff), add(0, 8, 0xff))), ResultCode.OP_NOT_APPLICABLE)
    assert.equal(commandErrorCode(() => modify(zeros, add(0, 8, 0x7f, SIGNED), add(0, 8, 0x02, SIGNED))), ResultCode.OP_NOT_APPLICABLE)
    assert.equal(commandErrorCode(() => modify(zeros, add(0, 8, 0x81, SIGNED), add(0, 8, 0xfe, SIGNED))), ResultCode.OP_NOT_APPLICABLE)
  })

  it('subtract', () => {
    const initial = [0x38, 0x1f, 0x00, 0xe8, 0x7f, 0x80, 0x80, 0x80, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x02, 0x02, 0x02, 0x03, 0x03, 0x03]
    assert.deepEqual(modify(initial, sub(0, 5, 0x01), sub(9, 7, 0x01), sub(23, 6, 0x03), sub(32, 8, 0x01), sub(40, 24, 0x10101),
      sub(64, 20, 0x101), sub(92, 20, 0x10101), sub(113, 21, 0x101), sub(136, 23, 0x11111)),
    bytes(0x30, 0x1e, 0x00, 0xd0, 0x7e, 0x7f, 0x7f, 0x7f, 0x00, 0xf0, 0xf1, 0x00, 0x00, 0x00, 0x01, 0xfd, 0xfe, 0x00, 0xe0, 0xe1))
  })

  it('subtract with wrap and saturate, signed and unsigned', () => {
    assert.deepEqual(modify([0, 0, 0, 0, 0, 0],
      sub(0, 8, 0x01, WRAP),
      sub(8, 8, 0x80, SIGNED | WRAP), sub(8, 8, 0x8a, SIGNED | WRAP),
      sub(16, 8, 0x7f, SIGNED | WRAP), sub(16, 8, 0x02, SIGNED | WRAP),
      sub(24, 8, 0xaa, SATURATE),
      sub(32, 8, 0x77, SIGNED | SATURATE), sub(32, 8, 0x77, SIGNED | SATURATE),
      sub(40, 8, 0x81, SIGNED | SATURATE), sub(40, 8, 0x8f, SIGNED | SATURATE)),
    bytes(0xff, 0xf6, 0x7f, 0x00, 0x80, 0x7f))
  })

  it('subtract overflow fails with OP_NOT_APPLICABLE', () => {
    const zeros = [0, 0, 0, 0, 0, 0]
    assert.equal(commandErrorCode(() => modify(zeros, sub(0, 8, 1))), ResultCode.OP_NOT_APPLICABLE)
    assert.equal(commandErrorCode(() => modify(zeros, sub(0, 8, 0x7f, SIGNED), sub(0, 8, 0x02, SIGNED))), ResultCode.OP_NOT_APPLICABLE)
    assert.equal(commandErrorCode(() => modify(zeros, sub(0, 8, 0x81, SIGNED), sub(0, 8, 0xfe, SIGNED))), ResultCode.OP_NOT_APPLICABLE)
  })

  it('set_int', () => {
    const initial = [0x38, 0x1f, 0x00, 0xe8, 0x7f, 0x80, 0x80, 0x80, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x02, 0x02, 0x02, 0x03, 0x03, 0x03]
    const set = (offset: number, size: number, value: number): Buffer => payload(B.SET_INT, offset, size, value)
    assert.deepEqual(modify(initial, set(0, 5, 0x01), set(9, 7, 0x01), set(23, 6, 0x03), set(32, 8, 0x01), set(40, 24, 0x10101),
      set(64, 20, 0x101), set(92, 20, 0x10101), set(113, 21, 0x101), set(136, 23, 0x11111)),
    bytes(0x08, 0x01, 0x00, 0x18, 0x01, 0x01, 0x01, 0x01, 0x00, 0x10, 0x11, 0x01, 0x01, 0x01, 0x00, 0x04, 0x06, 0x02, 0x22, 0x23))
  })

  it('get', () => {
    const initial = [0xc1, 0xaa, 0xaa]
    const got = [[0, 1], [1, 1], [7, 1], [0, 8], [8, 16], [9, 15], [9, 14]].map(([o, s]) => read(initial, payload(B.GET, o!, s!)).value)
    assert.deepEqual(got, [bytes(0x80), bytes(0x80), bytes(0x80), bytes(0xc1), bytes(0xaa, 0xaa), bytes(0x55, 0x54), bytes(0x55, 0x54)])
  })

  it('count', () => {
    const initial = [0xc1, 0xaa, 0xab]
    const counts = [[0, 1], [1, 1], [7, 1], [0, 8], [8, 16], [9, 15], [9, 14]].map(([o, s]) => readInt(initial, payload(B.COUNT, o!, s!)))
    assert.deepEqual(counts, [1, 1, 1, 3, 9, 8, 7])
  })

  const scanInitial = [0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x01]
  const scanArgs: [number, number, boolean][] = [
    [0, 1, true], [0, 8, true], [0, 9, true], [0, 32, true], [0, 32, false], [1, 30, false], [32, 40, true], [33, 38, true],
    [32, 40, false], [33, 38, false], [0, 72, true], [0, 72, false], [-1, 1, true], [-1, 1, false],
  ]
  it('lscan', () => {
    assert.deepEqual(scanArgs.map(([o, s, v]) => readInt(scanInitial, payload(B.LSCAN, o, s, v))), [0, 0, 0, 0, -1, -1, 39, -1, 0, 0, 0, 32, 0, -1])
  })
  it('rscan', () => {
    assert.deepEqual(scanArgs.map(([o, s, v]) => readInt(scanInitial, payload(B.RSCAN, o, s, v))), [0, 7, 8, 31, -1, -1, 39, -1, 38, 37, 71, 70, 0, -1])
  })

  it('get_int', () => {
    const args: [number, number][] = [[4, 4], [0, 8], [7, 4], [8, 16], [9, 15], [9, 14], [5, 17], [-12, 4]]
    const got = args.flatMap(([o, s]) => [readInt([0x0f, 0x0f, 0x00], payload(B.GET_INT, o, s)), readInt([0x0f, 0x0f, 0x00], payload(B.GET_INT, o, s, SIGNED))])
    assert.deepEqual(got, [15, -1, 15, 15, 8, -8, 3840, 3840, 3840, 3840, 1920, 1920, 115648, -15424, 15, -1])
  })

  it('ops on an empty blob', () => {
    const empty: number[] = []
    const b = blob([0x80])
    for (const p of [payload(B.SET, 0, 1, b), payload(B.OR, 0, 1, b), payload(B.XOR, 0, 1, b), payload(B.AND, 0, 1, b), payload(B.NOT, 0, 1),
      payload(B.LSHIFT, 0, 1, 1), payload(B.RSHIFT, 0, 1, 1), add(0, 1, 1), sub(0, 1, 1), payload(B.SET_INT, 0, 1, 1)]) {
      assert.equal(commandErrorCode(() => modify(empty, p)), ResultCode.OP_NOT_APPLICABLE)
    }
    assert.equal(commandErrorCode(() => modify(empty, payload(B.REMOVE, 0, 1))), ResultCode.PARAMETER_ERROR)
    for (const p of [payload(B.GET, 0, 1), payload(B.COUNT, 0, 1), payload(B.LSCAN, 0, 1, true), payload(B.RSCAN, 0, 1, true), payload(B.GET_INT, 0, 1)]) {
      assert.equal(commandErrorCode(() => read(empty, p)), ResultCode.OP_NOT_APPLICABLE)
    }
    assert.deepEqual(modify(empty, payload(B.INSERT, 0, blob([7]))), bytes(7))
  })

  it('resize with grow-only and shrink-only, with and without no-fail', () => {
    const steps: [Buffer, number][] = [
      [payload(B.RESIZE, 20, 0, 0), 20],
      [payload(B.RESIZE, 10, NO_FAIL, BitResizeFlag.GROW_ONLY), 20],
      [payload(B.RESIZE, 10, 0, BitResizeFlag.SHRINK_ONLY), 10],
      [payload(B.RESIZE, 30, NO_FAIL, BitResizeFlag.SHRINK_ONLY), 10],
      [payload(B.RESIZE, 19, 0, BitResizeFlag.GROW_ONLY), 19],
      [payload(B.RESIZE, 0, NO_FAIL, BitResizeFlag.GROW_ONLY), 19],
      [payload(B.RESIZE, 0, 0, BitResizeFlag.SHRINK_ONLY), 0],
    ]
    let blobNow = modify(undefined)
    for (const [p, size] of steps) {
      blobNow = modify(blobNow === undefined ? undefined : [...blobNow], p)
      assert.deepEqual(blobNow, Buffer.alloc(size))
    }
  })
})

describe('every region of a blob (Java client exhaustive checks)', () => {
  const binBytes = 15
  const binBits = binBytes * 8

  /** After the ops, the region [offset, offset + size) is all zeros and everything else all ones. */
  function checkRegion(offset: number, size: number, expected: Buffer, payloads: Buffer[], insert = false): void {
    const blobNow = modify(new Array<number>(binBytes).fill(0xff), ...payloads)!
    const bits = binBits + (insert ? size : 0)
    const label = `offset ${offset} size ${size}`
    assert.equal(readInt(blobNow, payload(B.LSCAN, offset, size, true)), -1, label)
    assert.equal(readInt(blobNow, payload(B.RSCAN, offset, size, true)), -1, label)
    assert.equal(readInt(blobNow, payload(B.GET_INT, offset, Math.min(size, 64))), 0, label)
    assert.equal(readInt(blobNow, payload(B.COUNT, offset, size)), 0, label)
    assert.equal(readInt(blobNow, payload(B.LSCAN, 0, bits, false)), offset, label)
    assert.equal(readInt(blobNow, payload(B.RSCAN, 0, bits, false)), offset + size - 1, label)
    assert.deepEqual(read(blobNow, payload(B.GET, offset, size)).value, expected, label)
  }

  function eachRegion(maxSize: number, check: (offset: number, size: number, zeros: Buffer) => void): void {
    for (let size = 1; size <= maxSize; size++) {
      for (let offset = 0; offset <= binBits - size; offset++) check(offset, size, Buffer.alloc(Math.ceil(size / 8)))
    }
  }

  it('set', () => eachRegion(10, (o, s, z) => checkRegion(o, s, z, [payload(B.SET, o, s, blob(z))])))
  it('and', () => eachRegion(10, (o, s, z) => checkRegion(o, s, z, [payload(B.AND, o, s, blob(z))])))
  it('not', () => eachRegion(10, (o, s, z) => checkRegion(o, s, z, [payload(B.NOT, o, s)])))
  it('add with wrap', () => eachRegion(10, (o, s, z) => checkRegion(o, s, z, [payload(B.ADD, o, s, 1, 0, WRAP)])))
  it('subtract with wrap', () => eachRegion(10, (o, s, z) => checkRegion(o, s, z, [payload(B.SUBTRACT, o, s, 2 ** s - 1, 0, WRAP)])))
  it('lshift and rshift of a cleared region', () => {
    eachRegion(4, (o, s, z) => {
      for (let n = 0; n <= s + 1; n++) {
        checkRegion(o, s, z, [payload(B.SET, o, s, blob(z)), payload(B.LSHIFT, o, s, n)])
        checkRegion(o, s, z, [payload(B.SET, o, s, blob(z)), payload(B.RSHIFT, o, s, n)])
      }
    })
  })
  it('set and rshift with the partial policy clip at the end', () => {
    for (let size = 1; size <= 4; size++) {
      for (let offset = binBits - size + 1; offset < binBits; offset++) {
        const clipped = binBits - offset
        checkRegion(offset, clipped, Buffer.alloc(Math.ceil(clipped / 8)), [
          payload(B.SET, offset, size, blob(Buffer.alloc(Math.ceil(size / 8))), PARTIAL),
          payload(B.RSHIFT, offset, size, 1, PARTIAL),
        ])
      }
    }
  })
  it('insert', () => {
    for (let size = 1; size <= 10; size++) {
      for (let offset = 0; offset <= binBytes; offset++) {
        checkRegion(offset * 8, size * 8, Buffer.alloc(size), [payload(B.INSERT, offset, blob(Buffer.alloc(size)))], true)
      }
    }
  })
})

describe('bit ops: policies and refusals', () => {
  const b = blob([0xaa])

  it('partial clips set to the end of the blob; without it the op is refused', () => {
    assert.deepEqual(modify([0], payload(B.SET, 4, 8, b, UPDATE_ONLY | NO_FAIL | PARTIAL)), bytes(0b00001010))
    assert.deepEqual(modify([0], payload(B.SET, 4, 8, b, UPDATE_ONLY | NO_FAIL)), bytes(0))
    assert.equal(commandErrorCode(() => modify([0], payload(B.SET, 4, 8, b))), ResultCode.OP_NOT_APPLICABLE)
    assert.deepEqual(modify([0xf0, 0xff], payload(B.OR, 12, 8, blob([0xff]), PARTIAL)), bytes(0xf0, 0xff))
    assert.deepEqual(modify([0x00, 0x00], payload(B.OR, 12, 8, blob([0xff]), PARTIAL)), bytes(0x00, 0x0f))
  })

  it('partial clips remove to the end of the blob', () => {
    assert.deepEqual(modify([1, 2, 3], payload(B.REMOVE, 1, 5, PARTIAL)), bytes(1))
    assert.equal(commandErrorCode(() => modify([1, 2, 3], payload(B.REMOVE, 1, 5))), ResultCode.PARAMETER_ERROR)
    assert.deepEqual(modify([1, 2, 3], payload(B.REMOVE, 1, 5, NO_FAIL)), bytes(1, 2, 3))
    assert.equal(commandErrorCode(() => modify([1, 2, 3], payload(B.REMOVE, 3, 1))), ResultCode.PARAMETER_ERROR)
  })

  it('create-only and update-only, with and without no-fail', () => {
    assert.equal(commandErrorCode(() => modify([1], payload(B.RESIZE, 4, CREATE_ONLY))), ResultCode.BIN_EXISTS)
    assert.deepEqual(modify([1], payload(B.RESIZE, 4, CREATE_ONLY | NO_FAIL)), bytes(1))
    assert.deepEqual(modify(undefined, payload(B.RESIZE, 2, CREATE_ONLY)), bytes(0, 0))
    assert.equal(commandErrorCode(() => modify(undefined, payload(B.RESIZE, 4, UPDATE_ONLY))), ResultCode.BIN_NOT_FOUND)
    assert.equal(modify(undefined, payload(B.RESIZE, 4, UPDATE_ONLY | NO_FAIL)), undefined)
    assert.deepEqual(modify([1, 2, 3, 4, 5, 6], payload(B.RESIZE, 4, UPDATE_ONLY)), bytes(1, 2, 3, 4))
    assert.equal(commandErrorCode(() => modify(undefined, payload(B.NOT, 0, 1))), ResultCode.BIN_NOT_FOUND)
    assert.equal(modify(undefined, payload(B.NOT, 0, 1, NO_FAIL)), undefined)
  })

  it('resize from the front', () => {
    assert.deepEqual(modify([1, 2], payload(B.RESIZE, 4, 0, BitResizeFlag.FROM_FRONT)), bytes(0, 0, 1, 2))
    assert.deepEqual(modify([1, 2, 3], payload(B.RESIZE, 1, 0, BitResizeFlag.FROM_FRONT)), bytes(3))
    assert.equal(commandErrorCode(() => modify([1, 2, 3], payload(B.RESIZE, 2, 0, BitResizeFlag.GROW_ONLY))), ResultCode.PARAMETER_ERROR)
    assert.equal(commandErrorCode(() => modify([1, 2, 3], payload(B.RESIZE, 4, 0, BitResizeFlag.SHRINK_ONLY))), ResultCode.PARAMETER_ERROR)
  })

  it('resize of a missing bin to 0 bytes creates nothing', () => {
    assert.equal(modify(undefined, payload(B.RESIZE, 0)), undefined)
  })

  it('insert past the end pads with zeros', () => {
    assert.deepEqual(modify([1], payload(B.INSERT, 3, blob([9, 9]))), bytes(1, 0, 0, 9, 9))
    assert.deepEqual(modify(undefined, payload(B.INSERT, 2, blob([9]))), bytes(0, 0, 9))
  })

  it('negative offsets count from the end; before the start is a parameter error', () => {
    assert.deepEqual(modify([0, 0], payload(B.SET, -4, 4, blob([0xf0]))), bytes(0, 0x0f))
    assert.deepEqual(modify([1, 2, 3], payload(B.REMOVE, -2, 1)), bytes(1, 3))
    assert.deepEqual(modify([1, 2], payload(B.INSERT, -1, blob([7]))), bytes(1, 7, 2))
    assert.equal(commandErrorCode(() => modify([0, 0], payload(B.SET, -17, 1, blob([0xff])))), ResultCode.PARAMETER_ERROR)
    assert.equal(commandErrorCode(() => modify(undefined, payload(B.INSERT, -1, blob([7])))), ResultCode.PARAMETER_ERROR)
    assert.equal(commandErrorCode(() => read([0], payload(B.GET, -9, 1))), ResultCode.PARAMETER_ERROR)
  })

  it('integer ops refuse ranges past the end even with the partial flag missing from their policy', () => {
    assert.equal(commandErrorCode(() => modify([0], payload(B.ADD, 4, 8, 1, 0, 0))), ResultCode.OP_NOT_APPLICABLE)
    assert.equal(commandErrorCode(() => modify([0], payload(B.ADD, 4, 8, 1, PARTIAL, 0))), ResultCode.PARAMETER_ERROR)
    assert.deepEqual(modify([0], payload(B.ADD, 4, 8, 1, NO_FAIL, 0)), bytes(0))
    assert.deepEqual(modify([0xff], payload(B.ADD, 0, 8, 1, NO_FAIL, 0)), bytes(0xff))
  })

  it('64-bit integers', () => {
    const max = [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
    assert.deepEqual(modify(max, payload(B.ADD, 0, 64, 1, 0, SIGNED | SATURATE)), Buffer.from(max))
    assert.deepEqual(modify(max, payload(B.ADD, 0, 64, 1, 0, SIGNED | WRAP)), bytes(0x80, 0, 0, 0, 0, 0, 0, 0))
    assert.deepEqual(modify(max, payload(B.ADD, 0, 64, 1, 0, 0)), bytes(0x80, 0, 0, 0, 0, 0, 0, 0))
    assert.equal(readInt([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], payload(B.GET_INT, 0, 64)), -1)
    assert.deepEqual(modify([0, 0, 0, 0, 0, 0, 0, 0, 0], payload(B.SET_INT, 4, 64, -1n)), bytes(0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0))
  })

  it('rscan looks at the bits before the range in its first byte when the range has no match', () => {
    assert.equal(readInt([0x80], payload(B.RSCAN, 4, 2, true)), -4)
    assert.equal(readInt([0x80, 0x00], payload(B.RSCAN, 4, 12, true)), -4)
    assert.equal(readInt([0x00, 0x00], payload(B.RSCAN, 4, 12, true)), -1)
    assert.equal(readInt([0x80, 0x01], payload(B.RSCAN, 4, 12, true)), 11)
  })

  it('a bin of another type is a bin type error', () => {
    const str: TypedValue = { particleType: ParticleType.STRING, value: Buffer.from('abc') }
    assert.equal(commandErrorCode(() => applyBitOperation(str, payload(B.RESIZE, 4), 'modify')), ResultCode.BIN_TYPE_ERROR)
    assert.equal(commandErrorCode(() => applyBitOperation(str, payload(B.GET, 0, 8), 'read')), ResultCode.BIN_TYPE_ERROR)
    const javaBlob: TypedValue = { particleType: ParticleType.JAVA_BLOB, value: Buffer.from('abc') }
    assert.equal(commandErrorCode(() => applyBitOperation(javaBlob, payload(B.GET, 0, 8), 'read')), ResultCode.BIN_TYPE_ERROR)
  })

  it('a read of a missing bin has no result and does not look at the payload', () => {
    assert.deepEqual(applyBitOperation(undefined, Buffer.from([0xc1]), 'read'), { bin: undefined, result: undefined })
  })

  it('bad payloads are parameter errors', () => {
    const bad: Buffer[] = [
      Buffer.alloc(0), Buffer.from([0x90]), Buffer.from([0xc0]), payload(B.GET, 0, 8), payload(99, 1, 2),
      payload(B.RESIZE), payload(B.RESIZE, 1, 0, 0, 0), payload(B.SET, 0, 0, b), payload(B.SET, 0, 9, b),
      payload(B.SET, 0, 8, blob([])), payload(B.NOT, 0, 8, 16), payload(B.RESIZE, 1, CREATE_ONLY | UPDATE_ONLY),
      payload(B.RESIZE, 1, 0, BitResizeFlag.GROW_ONLY | BitResizeFlag.SHRINK_ONLY), payload(B.RESIZE, 1, 0, 8),
      payload(B.ADD, 0, 8, 1, 0, SATURATE | WRAP), payload(B.ADD, 0, 65, 1), payload(B.ADD, 0, 0, 1), payload(B.ADD, 0, 8, 1, PARTIAL),
      payload(B.INSERT, 2 ** 27 + 1, b), payload(B.SET, 2 ** 30 + 1, 1, b), payload(B.LSHIFT, 0, 8, 2 ** 30 + 1),
      payload(B.REMOVE, 0, 0), payload(B.SET, 0, 8, true), Buffer.from([0x93, 0x03, 0x00]),
    ]
    for (const p of bad) assert.equal(commandErrorCode(() => modify([0, 0], p)), ResultCode.PARAMETER_ERROR, p.toString('hex'))
    const badReads = [payload(B.RESIZE, 1), payload(B.GET, 0), payload(B.GET, 0, 8, 1), payload(B.LSCAN, 0, 8, 1), payload(B.GET_INT, 0, 8, 2)]
    for (const p of badReads) assert.equal(commandErrorCode(() => read([0, 0], p)), ResultCode.PARAMETER_ERROR, p.toString('hex'))
  })

  it('a result blob of 128 MiB or more is a parameter error', () => {
    assert.equal(commandErrorCode(() => modify(undefined, payload(B.RESIZE, 2 ** 27))), ResultCode.PARAMETER_ERROR)
  })
})
