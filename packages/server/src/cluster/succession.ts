// The natural succession list of a partition: the members ordered by a 64-bit hash of (node id,
// partition id), ties broken by node id. Rendezvous hashing: a node joining or leaving moves only
// the partitions where it is (or enters) the head of the list, so most partitions keep their owners.
//
// The hash: FNV-1a 64 over the 8 big-endian node-id bytes gives a per-node seed (once per node);
// per partition, SplitMix64's finaliser of seed + (pid + 1) * golden gamma. The per-partition part
// runs in 32-bit halves so that 4096 partitions x 64 nodes take milliseconds, with no BigInt and
// no allocation per partition.

import { mul64Into } from '../word64.ts'

const NODE_ID = /^[0-9A-Fa-f]{1,16}$/

const FNV_OFFSET = 0xcbf29ce484222325n
const FNV_PRIME = 0x100000001b3n
const MASK64 = (1n << 64n) - 1n

const GAMMA_HI = 0x9e3779b9
const GAMMA_LO = 0x7f4a7c15
const MIX1_HI = 0xbf58476d
const MIX1_LO = 0x1ce4e5b9
const MIX2_HI = 0x94d049bb
const MIX2_LO = 0x133111eb

/** The 64-bit node id of its hex text (as `node` answers it); throws on anything else. */
export function parseNodeId(nodeId: string): bigint {
  if (!NODE_ID.test(nodeId)) throw new Error(`node id "${nodeId}" is not 1 to 16 hex digits`)
  return BigInt(`0x${nodeId}`)
}

function fnv1a64(id: bigint): bigint {
  let hash = FNV_OFFSET
  for (let shift = 56n; shift >= 0n; shift -= 8n) hash = ((hash ^ ((id >> shift) & 0xffn)) * FNV_PRIME) & MASK64
  return hash
}

// Results of the 64-bit helpers below ([hi, lo]), returned through one scratch array so that the
// hot loop allocates nothing (single-threaded; no helper is re-entered).
const out64 = new Uint32Array(2)

/** SplitMix64's output function of seed + step into out64. */
function mixedKey(seedHi: number, seedLo: number, stepHi: number, stepLo: number): void {
  const sumLo = seedLo + stepLo
  let lo = sumLo >>> 0
  let hi = (seedHi + stepHi + (sumLo > 0xffffffff ? 1 : 0)) >>> 0
  // z = (z ^ (z >>> 30)) * MIX1
  lo = (lo ^ ((lo >>> 30) | (hi << 2))) >>> 0
  hi = (hi ^ (hi >>> 30)) >>> 0
  mul64Into(out64, hi, lo, MIX1_HI, MIX1_LO)
  // z = (z ^ (z >>> 27)) * MIX2
  hi = out64[0]!
  lo = out64[1]!
  mul64Into(out64, (hi ^ (hi >>> 27)) >>> 0, (lo ^ ((lo >>> 27) | (hi << 5))) >>> 0, MIX2_HI, MIX2_LO)
  // z ^ (z >>> 31)
  hi = out64[0]!
  lo = out64[1]!
  out64[0] = hi ^ (hi >>> 31)
  out64[1] = lo ^ ((lo >>> 31) | (hi << 1))
}

/** Orders a fixed set of nodes per partition; per-node work is done once, in the constructor. */
export class SuccessionOrder {
  /** Number of nodes. */
  readonly size: number
  private readonly idHi: Uint32Array
  private readonly idLo: Uint32Array
  private readonly seedHi: Uint32Array
  private readonly seedLo: Uint32Array
  private readonly keyLo: Uint32Array
  /** The top 53 bits of each key as a double: one comparison orders all but near-equal keys. */
  private readonly keyTop: Float64Array
  /** Counting sort on the top key bits first (keys are uniform: about one node per bucket). */
  private readonly bucketShift: number
  private readonly bucketOf: Uint32Array
  private readonly bucketStart: Uint32Array

  /** `nodeIds`: hex node ids, distinct; `fill` answers indexes into this array. */
  constructor(nodeIds: readonly string[]) {
    const n = nodeIds.length
    if (n > 0xffff) throw new Error(`succession of ${n} nodes: at most 65535`)
    this.size = n
    this.idHi = new Uint32Array(n)
    this.idLo = new Uint32Array(n)
    this.seedHi = new Uint32Array(n)
    this.seedLo = new Uint32Array(n)
    this.keyLo = new Uint32Array(n)
    this.keyTop = new Float64Array(n)
    const bucketBits = Math.min(16, Math.ceil(Math.log2(Math.max(n, 1))) + 1)
    this.bucketShift = 32 - bucketBits
    this.bucketOf = new Uint32Array(n)
    this.bucketStart = new Uint32Array((1 << bucketBits) + 1)
    const seen = new Set<bigint>()
    for (let i = 0; i < n; i++) {
      const id = parseNodeId(nodeIds[i]!)
      if (seen.has(id)) throw new Error(`node id ${nodeIds[i]} appears twice`)
      seen.add(id)
      this.idHi[i] = Number(id >> 32n)
      this.idLo[i] = Number(id & 0xffffffffn)
      const seed = fnv1a64(id)
      this.seedHi[i] = Number(seed >> 32n)
      this.seedLo[i] = Number(seed & 0xffffffffn)
    }
  }

  /** The 64-bit succession hash of node `index` for `pid` (what `fill` orders by, ascending). */
  hash(index: number, pid: number): bigint {
    mul64Into(out64, 0, pid + 1, GAMMA_HI, GAMMA_LO)
    mixedKey(this.seedHi[index]!, this.seedLo[index]!, out64[0]!, out64[1]!)
    return (BigInt(out64[0]!) << 32n) | BigInt(out64[1]!)
  }

  /** Writes the node indexes in natural succession order for `pid` to out[offset, offset + size). */
  fill(pid: number, out: Uint16Array, offset = 0): void {
    mul64Into(out64, 0, pid + 1, GAMMA_HI, GAMMA_LO)
    const stepHi = out64[0]!
    const stepLo = out64[1]!
    const { keyLo, keyTop, bucketOf, bucketStart, bucketShift } = this
    const n = this.size
    bucketStart.fill(0)
    for (let i = 0; i < n; i++) {
      mixedKey(this.seedHi[i]!, this.seedLo[i]!, stepHi, stepLo)
      const hi = out64[0]!
      const lo = out64[1]!
      keyLo[i] = lo
      keyTop[i] = hi * 0x200000 + (lo >>> 11)
      const bucket = hi >>> bucketShift
      bucketOf[i] = bucket
      bucketStart[bucket + 1]!++
    }
    for (let b = 1; b < bucketStart.length; b++) bucketStart[b]! += bucketStart[b - 1]!
    for (let i = 0; i < n; i++) out[offset + bucketStart[bucketOf[i]!]!++] = i
    // Buckets are in order; an insertion sort orders the few nodes that share one.
    for (let k = offset + 1; k < offset + n; k++) {
      const node = out[k]!
      const top = keyTop[node]!
      let j = k
      while (j > offset) {
        const prev = out[j - 1]!
        const prevTop = keyTop[prev]!
        if (prevTop < top || (prevTop === top && !this.before(node, prev))) break
        out[j] = prev
        j--
      }
      out[j] = node
    }
  }

  /** Full order of two keys whose top 53 bits are equal: low bits, then node id. */
  private before(a: number, b: number): boolean {
    const { keyLo, idHi, idLo } = this
    if (keyLo[a] !== keyLo[b]) return keyLo[a]! < keyLo[b]!
    if (idHi[a] !== idHi[b]) return idHi[a]! < idHi[b]!
    return idLo[a]! < idLo[b]!
  }
}

/** The natural succession list of `pid` as indexes into `nodeIds` (one-off use; tables use SuccessionOrder). */
export function naturalSuccession(pid: number, nodeIds: readonly string[]): number[] {
  const order = new SuccessionOrder(nodeIds)
  const out = new Uint16Array(order.size)
  order.fill(pid, out)
  return [...out]
}
