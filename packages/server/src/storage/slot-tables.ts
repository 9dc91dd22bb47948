// The slot tables of one primary index, carved out of shared chunks: each chunk holds
// `limits.slotTablesPerChunk` tables of one size (a power of two), fewer if they would pass
// `limits.maxSlotChunkBytes`. V8 gives every ArrayBuffer an extension that each Mark-Compact
// sweeps; with a buffer per partition's table (4,096 per index) that sweep took up to ~1 ms of a
// full collection's pause. Chunks make it a few dozen.
//
// A table is a view into its chunk. A partition that grows frees its smaller table back to its
// chunk, and a chunk whose tables are all free is dropped: partitions grow together (digests are
// uniform), so a grown index keeps no chunks of the sizes it passed through.
import { limits } from '../limits.ts'

const SLOT_BYTES = Int32Array.BYTES_PER_ELEMENT

interface Chunk {
  readonly data: Int32Array
  /** Slot offsets of the tables nobody holds. */
  readonly free: number[]
  used: number
}

export class SlotTables {
  /** Chunks by the slots of their tables. */
  private readonly bySize = new Map<number, Chunk[]>()

  /** A zeroed table of `slots` slots (a power of two). */
  allocate(slots: number): Int32Array {
    let chunks = this.bySize.get(slots)
    if (chunks === undefined) {
      chunks = []
      this.bySize.set(slots, chunks)
    }
    let chunk = chunks.find((candidate) => candidate.free.length > 0)
    if (chunk === undefined) {
      chunk = newChunk(slots)
      chunks.push(chunk)
    }
    const at = chunk.free.pop()!
    chunk.used++
    const table = chunk.data.subarray(at, at + slots)
    // A table given back holds the slots of the partition that had it.
    table.fill(0)
    return table
  }

  /** Gives back a table from `allocate`; it must not be used afterwards. */
  free(table: Int32Array): void {
    const chunks = this.bySize.get(table.length)
    const i = chunks?.findIndex((chunk) => chunk.data.buffer === table.buffer) ?? -1
    if (i < 0) throw new Error('slot tables: freeing a table they did not give out')
    const chunk = chunks![i]!
    chunk.free.push(table.byteOffset / SLOT_BYTES)
    chunk.used--
    if (chunk.used === 0) chunks!.splice(i, 1)
  }

  /** Bytes of the chunks held, free tables included. */
  get reservedBytes(): number {
    let bytes = 0
    for (const chunks of this.bySize.values()) for (const chunk of chunks) bytes += chunk.data.byteLength
    return bytes
  }
}

function newChunk(slots: number): Chunk {
  const tables = Math.max(1, Math.min(limits.slotTablesPerChunk, Math.floor(limits.maxSlotChunkBytes / (slots * SLOT_BYTES))))
  // Popped from the end: the first table handed out is the chunk's first.
  const free = Array.from({ length: tables }, (_, i) => (tables - 1 - i) * slots)
  return { data: new Int32Array(slots * tables), free, used: 0 }
}
