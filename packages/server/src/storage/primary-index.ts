// The primary index: one open-addressing hash table of slots per partition, pointing into entry
// columns shared by the namespace. Columns are typed arrays allocated in fixed-size chunks, so ten
// million records are a few hundred arrays, never ten million objects; the partitions' slot tables
// are views into shared chunks too (slot-tables.ts).
//
// Two ways to keep an entry's metadata. When the records live on disk the columns hold all of it
// (digest, generation, void time, last-update time, set id, location, size: 46 bytes). When the
// records live in memory their headers (record/layout.ts) already hold the digest and metadata, so
// the entry is only the record's location (8 bytes) and every accessor reads the record itself.
import { DIGEST_BYTES } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import { RECORD_DIGEST_AT, RECORD_GENERATION_AT, RECORD_LAST_UPDATE_AT, RECORD_SET_ID_AT, RECORD_VOID_TIME_AT } from '../record/layout.ts'
import { SlotTables } from './slot-tables.ts'

const CHUNK = limits.indexChunkEntries
const CHUNK_SHIFT = Math.log2(CHUNK)
const CHUNK_MASK = CHUNK - 1
const MIN_SLOTS = 8
/** Grow a partition's slot table when it would pass 3/4 full. */
const MAX_LOAD_NUMERATOR = 3
const MAX_LOAD_DENOMINATOR = 4

/** Last-update times are 48-bit milliseconds, kept as a low u32 and a high u16. */
const LUT_LOW = 0x1_0000_0000

/** Metadata columns, present when the index does not read records. */
interface MetaColumns {
  digest: Uint8Array
  generation: Uint16Array
  voidTime: Uint32Array
  lutLow: Uint32Array
  lutHigh: Uint16Array
  setId: Uint16Array
  /** Stored bytes of the record. */
  size: Uint32Array
}

interface Chunk {
  block: Uint32Array
  offset: Uint32Array
  meta: MetaColumns | undefined
}

function newChunk(withMeta: boolean): Chunk {
  return {
    block: new Uint32Array(CHUNK),
    offset: new Uint32Array(CHUNK),
    meta: withMeta
      ? {
          digest: new Uint8Array(CHUNK * DIGEST_BYTES),
          generation: new Uint16Array(CHUNK),
          voidTime: new Uint32Array(CHUNK),
          lutLow: new Uint32Array(CHUNK),
          lutHigh: new Uint16Array(CHUNK),
          setId: new Uint16Array(CHUNK),
          size: new Uint32Array(CHUNK),
        }
      : undefined,
  }
}

const LOCATION_BYTES = 4 + 4
const META_BYTES = DIGEST_BYTES + 2 + 4 + 4 + 2 + 2 + 4

/** Where an index without metadata columns reads records: the namespace's write blocks. */
export interface RecordSource {
  buffer(block: number): Buffer
}

/**
 * A slot holds entry id + 1 in its low ENTRY_BITS (0 marks an empty slot) and a few more digest
 * bits above them, so a probe passes over other digests without reading their records.
 */
const ENTRY_BITS = 27
const ENTRY_MASK = (1 << ENTRY_BITS) - 1
/** The most entries one index holds (ids 0 .. MAX_INDEX_ENTRIES - 1): about 134 million records per namespace. */
export const MAX_INDEX_ENTRIES = ENTRY_MASK - 1

/** What entriesOf returns for an empty partition (a zero-length array: nothing to change in it). */
const NO_ENTRIES = new Int32Array(0)
/**
 * The slot table of every partition that never held an entry: zero-length, so nothing writes to
 * it (the first insert grows the table first). 4096 partitions per index need no 4096 arrays.
 */
const NO_SLOTS = new Int32Array(0)

interface PartitionSlots {
  slots: Int32Array
  count: number
}

function slotHash(digest: Uint8Array, at: number): number {
  // Bytes 0-1 chose the partition; the rest of the digest is uniformly random.
  return (digest[at + 4]! | (digest[at + 5]! << 8) | (digest[at + 6]! << 16) | (digest[at + 7]! << 24)) >>> 0
}

/** The digest bits a slot keeps beside the entry id, already shifted into place. */
function slotTag(digest: Uint8Array, at: number): number {
  return (digest[at + 8]! >>> (8 - (32 - ENTRY_BITS))) << ENTRY_BITS
}

export class PrimaryIndex {
  private readonly chunks: Chunk[] = []
  private readonly partitions: PartitionSlots[]
  private readonly slotTables = new SlotTables()
  private freeIds = new Int32Array(64)
  private freeCount = 0
  private nextId = 0
  private total = 0
  private readonly records: RecordSource | undefined

  /** With records, the index reads digests and metadata from them; without, it keeps columns. */
  constructor(partitionCount: number, records?: RecordSource) {
    this.records = records
    this.partitions = Array.from({ length: partitionCount }, () => ({ slots: NO_SLOTS, count: 0 }))
  }

  get size(): number {
    return this.total
  }

  partitionSize(pid: number): number {
    return this.partitions[pid]!.count
  }

  /** Entry id of the digest in partition pid, or -1. */
  find(pid: number, digest: Uint8Array, digestAt = 0): number {
    return this.probe(pid, digest, digestAt, -1, 0)
  }

  /**
   * Entry id of the digest if its version is the one at (block, offset), or -1. A location names
   * one record, so the probe compares locations and never reads a record.
   */
  findLocated(pid: number, digest: Uint8Array, digestAt: number, block: number, offset: number): number {
    return this.probe(pid, digest, digestAt, block, offset)
  }

  /** Walks the digest's probe chain; an entry matches by digest, or by location when block >= 0. */
  private probe(pid: number, digest: Uint8Array, digestAt: number, block: number, offset: number): number {
    const part = this.partitions[pid]!
    const slots = part.slots
    if (part.count === 0) return -1
    const mask = slots.length - 1
    const tag = slotTag(digest, digestAt)
    for (let i = slotHash(digest, digestAt) & mask; ; i = (i + 1) & mask) {
      const slot = slots[i]!
      if (slot === 0) return -1
      if ((slot & ~ENTRY_MASK) !== tag) continue
      const id = (slot & ENTRY_MASK) - 1
      if (block < 0 ? this.digestEquals(id, digest, digestAt) : this.offset(id) === offset && this.block(id) === block) return id
    }
  }

  /** Whether the index has room for another entry. */
  get isFull(): boolean {
    return this.freeCount === 0 && this.nextId >= MAX_INDEX_ENTRIES
  }

  /**
   * Adds a new entry for a digest known to be absent and returns its id. The location comes
   * first: an index that reads records finds the entry's digest there.
   */
  insert(pid: number, digest: Uint8Array, digestAt: number, block: number, offset: number, sizeBytes: number): number {
    const part = this.partitions[pid]!
    if ((part.count + 1) * MAX_LOAD_DENOMINATOR > part.slots.length * MAX_LOAD_NUMERATOR) this.grow(part)
    const id = this.allocateId()
    this.setLocation(id, block, offset, sizeBytes)
    const meta = this.chunks[id >>> CHUNK_SHIFT]!.meta
    if (meta !== undefined) {
      const at = (id & CHUNK_MASK) * DIGEST_BYTES
      for (let i = 0; i < DIGEST_BYTES; i++) meta.digest[at + i] = digest[digestAt + i]!
    }
    this.place(part.slots, slotHash(digest, digestAt), slotTag(digest, digestAt) | (id + 1))
    part.count++
    this.total++
    return id
  }

  /** Removes an entry; backward-shift deletion keeps probe chains intact without tombstones. */
  remove(pid: number, id: number): void {
    const part = this.partitions[pid]!
    const slots = part.slots
    const mask = slots.length - 1
    let i = this.slotOf(part, id)
    for (;;) {
      slots[i] = 0
      let j = i
      for (;;) {
        j = (j + 1) & mask
        const slot = slots[j]!
        if (slot === 0) {
          part.count--
          this.total--
          this.releaseId(id)
          return
        }
        const home = this.homeSlot((slot & ENTRY_MASK) - 1, mask)
        // Move slot j back into the hole at i unless its home lies cyclically in (i, j].
        const inRange = i <= j ? home > i && home <= j : home > i || home <= j
        if (!inRange) {
          slots[i] = slot
          i = j
          break
        }
      }
    }
  }

  /** A copy of the entry ids of one partition, safe to iterate while entries are removed. */
  entriesOf(pid: number): Int32Array {
    const part = this.partitions[pid]!
    const count = part.count
    // Most partitions of a small namespace are empty: one shared empty array, nothing to walk.
    if (count === 0) return NO_ENTRIES
    const out = new Int32Array(count)
    const slots = part.slots
    let n = 0
    for (let i = 0; n < count; i++) {
      const slot = slots[i]!
      if (slot !== 0) out[n++] = (slot & ENTRY_MASK) - 1
    }
    return out
  }

  digestInto(id: number, target: Buffer, at = 0): void {
    const { bytes, from } = this.digestBytes(id)
    target.set(bytes.subarray(from, from + DIGEST_BYTES), at)
  }

  generation(id: number): number {
    const meta = this.chunks[id >>> CHUNK_SHIFT]!.meta
    if (meta !== undefined) return meta.generation[id & CHUNK_MASK]!
    const { buf, at } = this.record(id)
    return buf.readUInt16LE(at + RECORD_GENERATION_AT)
  }

  voidTime(id: number): number {
    const meta = this.chunks[id >>> CHUNK_SHIFT]!.meta
    if (meta !== undefined) return meta.voidTime[id & CHUNK_MASK]!
    const { buf, at } = this.record(id)
    return buf.readUInt32LE(at + RECORD_VOID_TIME_AT)
  }

  lastUpdateMs(id: number): number {
    const meta = this.chunks[id >>> CHUNK_SHIFT]!.meta
    const i = id & CHUNK_MASK
    if (meta !== undefined) return meta.lutHigh[i]! * LUT_LOW + meta.lutLow[i]!
    const { buf, at } = this.record(id)
    return buf.readUIntLE(at + RECORD_LAST_UPDATE_AT, 6)
  }

  /** Stored bytes of the entry's record. */
  sizeOf(id: number): number {
    const meta = this.chunks[id >>> CHUNK_SHIFT]!.meta
    if (meta !== undefined) return meta.size[id & CHUNK_MASK]!
    const { buf, at } = this.record(id)
    return buf.readUInt32LE(at) & 0xffffff
  }

  setId(id: number): number {
    const meta = this.chunks[id >>> CHUNK_SHIFT]!.meta
    if (meta !== undefined) return meta.setId[id & CHUNK_MASK]!
    const { buf, at } = this.record(id)
    return buf.readUInt16LE(at + RECORD_SET_ID_AT)
  }

  block(id: number): number {
    return this.chunks[id >>> CHUNK_SHIFT]!.block[id & CHUNK_MASK]!
  }

  offset(id: number): number {
    return this.chunks[id >>> CHUNK_SHIFT]!.offset[id & CHUNK_MASK]!
  }

  /** Records the metadata of the entry's current version (kept in the record itself when the index reads records). */
  setMeta(id: number, generation: number, voidTime: number, lastUpdateMs: number, setId: number): void {
    const meta = this.chunks[id >>> CHUNK_SHIFT]!.meta
    if (meta === undefined) return
    const i = id & CHUNK_MASK
    meta.generation[i] = generation
    meta.voidTime[i] = voidTime
    meta.lutLow[i] = lastUpdateMs % LUT_LOW
    meta.lutHigh[i] = Math.floor(lastUpdateMs / LUT_LOW)
    meta.setId[i] = setId
  }

  setLocation(id: number, block: number, offset: number, sizeBytes: number): void {
    const chunk = this.chunks[id >>> CHUNK_SHIFT]!
    chunk.block[id & CHUNK_MASK] = block
    chunk.offset[id & CHUNK_MASK] = offset
    if (chunk.meta !== undefined) chunk.meta.size[id & CHUNK_MASK] = sizeBytes
  }

  /** Bytes of memory held by the index, for statistics. */
  get memoryBytes(): number {
    return this.chunks.length * CHUNK * (LOCATION_BYTES + (this.records === undefined ? META_BYTES : 0)) + this.freeIds.byteLength + this.slotTables.reservedBytes
  }

  /** Orders two entries by digest bytes, the order scans walk a partition in. */
  compareDigests(a: number, b: number): number {
    const da = this.digestBytes(a)
    const db = this.digestBytes(b)
    for (let i = 0; i < DIGEST_BYTES; i++) {
      const d = da.bytes[da.from + i]! - db.bytes[db.from + i]!
      if (d !== 0) return d
    }
    return 0
  }

  /** Orders an entry's digest against a digest given as bytes. */
  compareDigestTo(id: number, digest: Uint8Array, digestAt = 0): number {
    const { bytes, from } = this.digestBytes(id)
    for (let i = 0; i < DIGEST_BYTES; i++) {
      const d = bytes[from + i]! - digest[digestAt + i]!
      if (d !== 0) return d
    }
    return 0
  }

  /** The bytes holding an entry's digest: its column, or its record's header. */
  private digestBytes(id: number): { bytes: Uint8Array; from: number } {
    const meta = this.chunks[id >>> CHUNK_SHIFT]!.meta
    if (meta !== undefined) return { bytes: meta.digest, from: (id & CHUNK_MASK) * DIGEST_BYTES }
    const { buf, at } = this.record(id)
    return { bytes: buf, from: at + RECORD_DIGEST_AT }
  }

  private record(id: number): { buf: Buffer; at: number } {
    const chunk = this.chunks[id >>> CHUNK_SHIFT]!
    return { buf: this.records!.buffer(chunk.block[id & CHUNK_MASK]!), at: chunk.offset[id & CHUNK_MASK]! }
  }

  private digestEquals(id: number, digest: Uint8Array, digestAt: number): boolean {
    const { bytes, from } = this.digestBytes(id)
    for (let i = DIGEST_BYTES - 1; i >= 0; i--) if (bytes[from + i] !== digest[digestAt + i]) return false
    return true
  }

  private homeSlot(id: number, mask: number): number {
    return this.entryHash(id) & mask
  }

  private entryHash(id: number): number {
    const { bytes, from } = this.digestBytes(id)
    return slotHash(bytes, from)
  }

  private slotOf(part: PartitionSlots, id: number): number {
    const slots = part.slots
    const mask = slots.length - 1
    for (let i = this.homeSlot(id, mask); ; i = (i + 1) & mask) {
      const slot = slots[i]!
      if ((slot & ENTRY_MASK) === id + 1) return i
      if (slot === 0) throw new Error(`primary index: entry ${id} is not in its partition`)
    }
  }

  /** Puts a slot value into the first free slot from its digest's home. */
  private place(slots: Int32Array, hash: number, slot: number): void {
    const mask = slots.length - 1
    let i = hash & mask
    while (slots[i] !== 0) i = (i + 1) & mask
    slots[i] = slot
  }

  /** Sizes a partition's slot table for `count` entries at once, so a bulk load rehashes nothing. */
  presize(pid: number, count: number): void {
    const part = this.partitions[pid]!
    let size = Math.max(MIN_SLOTS, part.slots.length)
    while (count * MAX_LOAD_DENOMINATOR > size * MAX_LOAD_NUMERATOR) size *= 2
    if (size > part.slots.length) this.resize(part, size)
  }

  private grow(part: PartitionSlots): void {
    this.resize(part, Math.max(MIN_SLOTS, part.slots.length * 2))
  }

  private resize(part: PartitionSlots, size: number): void {
    const old = part.slots
    part.slots = this.slotTables.allocate(size)
    for (const slot of old) if (slot !== 0) this.place(part.slots, this.entryHash((slot & ENTRY_MASK) - 1), slot)
    if (old !== NO_SLOTS) this.slotTables.free(old)
  }

  private allocateId(): number {
    if (this.freeCount > 0) return this.freeIds[--this.freeCount]!
    if (this.nextId >= MAX_INDEX_ENTRIES) throw new RangeError(`primary index: more than ${MAX_INDEX_ENTRIES} entries`)
    const id = this.nextId++
    if ((id >>> CHUNK_SHIFT) >= this.chunks.length) this.chunks.push(newChunk(this.records === undefined))
    return id
  }

  private releaseId(id: number): void {
    if (this.freeCount === this.freeIds.length) {
      const next = new Int32Array(this.freeIds.length * 2)
      next.set(this.freeIds)
      this.freeIds = next
    }
    this.freeIds[this.freeCount++] = id
  }
}
