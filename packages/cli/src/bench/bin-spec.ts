// The bins each written record gets: "I" an integer, "S<n>" a string of n bytes, "B<n>" a blob of
// n bytes, comma-separated, named bin1, bin2, ... Values are made once, from the run's seed.
import { OpType, ParticleType, type OutOp } from '@aerolite/protocol'
import { Random } from './random.ts'

export interface BinSpec {
  name: string
  kind: 'integer' | 'string' | 'blob'
  /** Value size in bytes (8 for integers). */
  bytes: number
}

export const MAX_BINS = 64
export const MAX_BIN_VALUE_BYTES = 1024 * 1024

/** Parses a bin spec; returns the problem as text when it is invalid. */
export function parseBinSpec(text: string): BinSpec[] | string {
  const tokens = text.split(',')
  if (tokens.length > MAX_BINS) return `at most ${MAX_BINS} bins, got ${tokens.length}`
  const bins: BinSpec[] = []
  for (const [i, token] of tokens.entries()) {
    const name = `bin${i + 1}`
    if (token === 'I') {
      bins.push({ name, kind: 'integer', bytes: 8 })
      continue
    }
    const match = /^([SB])(\d+)$/.exec(token)
    if (match === null) return `bin "${token}" is not I, S<bytes> or B<bytes>`
    const bytes = Number(match[2])
    if (bytes < 1 || bytes > MAX_BIN_VALUE_BYTES) return `bin "${token}" size must be 1..${MAX_BIN_VALUE_BYTES} bytes`
    bins.push({ name, kind: match[1] === 'S' ? 'string' : 'blob', bytes })
  }
  return bins
}

/** One WRITE op per bin with values drawn from random. */
export function writeOps(bins: readonly BinSpec[], random: Random): OutOp[] {
  return bins.map((bin) => ({ type: OpType.WRITE, particleType: particleTypeOf(bin), name: bin.name, value: binValue(bin, random) }))
}

export function particleTypeOf(bin: BinSpec): number {
  switch (bin.kind) {
    case 'integer': return ParticleType.INTEGER
    case 'string': return ParticleType.STRING
    case 'blob': return ParticleType.BLOB
  }
}

function binValue(bin: BinSpec, random: Random): Buffer {
  const value = Buffer.allocUnsafe(bin.bytes)
  if (bin.kind === 'integer') {
    value.writeUInt32BE(0, 0)
    value.writeUInt32BE(random.nextUint32() >>> 1, 4)
    return value
  }
  // Strings are printable ASCII; blobs any byte.
  for (let i = 0; i < value.length; i++) value[i] = bin.kind === 'string' ? 0x61 + random.below(26) : random.below(256)
  return value
}
