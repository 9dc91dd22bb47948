// Integer keys and their digests. For key ranges up to TABLE_MAX_KEYS the digests are computed
// once before the run, so the run itself never hashes; larger ranges hash each key when used.
import { DIGEST_BYTES, ParticleType, computeDigest } from '@aerolite/protocol'

const TABLE_MAX_KEYS = 4 * 1024 * 1024
const TWO_POW_32 = 4294967296

export class KeyDigests {
  readonly set: string
  readonly keyStart: number
  readonly keys: number
  private readonly table: Buffer | undefined
  private readonly keyBytes = Buffer.alloc(8)

  constructor(set: string, keyStart: number, keys: number) {
    this.set = set
    this.keyStart = keyStart
    this.keys = keys
    if (keys <= TABLE_MAX_KEYS) {
      this.table = Buffer.allocUnsafe(keys * DIGEST_BYTES)
      for (let i = 0; i < keys; i++) this.compute(i).copy(this.table, i * DIGEST_BYTES)
    }
  }

  /** Writes the digest of key index i (key = keyStart + i) at target[offset]. */
  copyDigest(i: number, target: Buffer, offset: number): void {
    const table = this.table
    if (table === undefined) {
      this.compute(i).copy(target, offset)
      return
    }
    // A plain loop: Buffer.copy's call overhead is larger than 20 bytes of copying.
    const from = i * DIGEST_BYTES
    for (let k = 0; k < DIGEST_BYTES; k++) target[offset + k] = table[from + k]!
  }

  /** Writes key index i's int64 value (8 bytes, big-endian) at target[offset]. */
  writeKey(i: number, target: Buffer, offset: number): void {
    writeInt64(this.keyStart + i, target, offset)
  }

  private compute(i: number): Buffer {
    writeInt64(this.keyStart + i, this.keyBytes, 0)
    return computeDigest(this.set, ParticleType.INTEGER, this.keyBytes)
  }
}

/** Non-negative safe integers only, which is what bench keys are. */
function writeInt64(value: number, target: Buffer, offset: number): void {
  target.writeUInt32BE(Math.floor(value / TWO_POW_32), offset)
  target.writeUInt32BE(value >>> 0, offset + 4)
}
