// Records are appended into fixed-size write blocks. An overwrite appends a new version and leaves
// the old one as dead space; a block whose live bytes reach zero is freed, and defrag
// (storage/defrag.ts) empties blocks that fall under the low-water mark.
//
// Every block starts with a header (storage/block-format.ts) holding its sequence number. The
// memory engine keeps every block in a Buffer; with data files (storage/data-files.ts) the blocks
// are also written to disk by the flusher, and the device engine keeps in memory only the blocks
// not yet written, reading the others from disk. A block freed while files are attached stays
// unusable until the flusher has written everything that superseded its records, so a crash never
// finds the old versions overwritten and the new ones missing.
import { ResultCode } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import { CommandError } from '../command-error.ts'
import { RECORD_HEADER_BYTES, recordTotalBytes } from '../record/layout.ts'
import { BLOCK_HEADER_BYTES, writeBlockHeader } from './block-format.ts'
import type { DataFiles } from './data-files.ts'
import { allocateUntracked } from './untracked-memory.ts'

export interface BlockLocation {
  block: number
  offset: number
}

export interface RecordBytes {
  buf: Buffer
  at: number
}

export interface WriteBlocksOptions {
  /** Most blocks that may hold data at once; undefined = no limit (memory engine). */
  capacityBlocks?: number
  files?: DataFiles
  /** Keep every block in memory (memory engine), or only those not yet on disk (device engine). */
  dataInMemory?: boolean
}

/** Told when a block is closed (full) and must be written. */
export interface BlockSink {
  blockClosed(block: number): void
}

const State = { FREE: 0, USED: 1, FREEING: 2 } as const
/** A first read of a record on disk; most records fit, larger ones take a second read. */
const SPECULATIVE_READ_BYTES = 1024

export class WriteBlocks {
  readonly blockSizeBytes: number
  readonly capacityBlocks: number
  readonly files: DataFiles | undefined
  readonly dataInMemory: boolean
  sink: BlockSink | undefined
  private readonly buffers: (Buffer | undefined)[] = []
  private live = new Float64Array(16)
  private fill = new Uint32Array(16)
  private seqs = new Float64Array(16)
  private states = new Uint8Array(16)
  private readonly freeBlocks: number[] = []
  private pendingFrees: number[] = []
  /** The memory engine's buffers of freed blocks, oldest first, so a freed buffer rests a while before reuse. */
  private readonly spareBuffers: Buffer[] = []
  /** Where the memory engine cuts its next new block buffers from, at arenaAt. */
  private arena: Buffer | undefined
  private arenaAt = 0
  /** Blocks the arenas made so far were sized for. */
  private arenaBlocks = 0
  /** Blocks at or past this id were never used. */
  private pristine = 0
  private current = -1
  private nextSeq = 1
  private liveTotal = 0
  private usedCount = 0
  private lastRead: { block: number; offset: number; bytes: RecordBytes } | undefined

  constructor(blockSizeBytes: number, options: WriteBlocksOptions = {}) {
    this.blockSizeBytes = blockSizeBytes
    this.capacityBlocks = options.capacityBlocks ?? Number.MAX_SAFE_INTEGER
    this.files = options.files
    this.dataInMemory = options.dataInMemory ?? true
  }

  /** Bytes of live record data in all blocks. */
  get liveBytes(): number {
    return this.liveTotal
  }

  /** Bytes held by blocks in use (including those waiting to be freed). */
  get allocatedBytes(): number {
    return this.usedCount * this.blockSizeBytes
  }

  get blocksInUse(): number {
    return this.usedCount
  }

  /** Blocks a write may open now. */
  get freeBlockCount(): number {
    return this.freeBlocks.length + Math.max(0, this.capacityBlocks - this.pristine)
  }

  /** Blocks at or past this id were never used. */
  get highestBlock(): number {
    return this.pristine
  }

  get currentBlock(): number {
    return this.current
  }

  /** Reserves n contiguous bytes for a new record; the caller writes them into buffer(block). */
  reserve(n: number): BlockLocation {
    if (n > this.blockSizeBytes - BLOCK_HEADER_BYTES) {
      throw new RangeError(`record of ${n} bytes does not fit a ${this.blockSizeBytes}-byte write block`)
    }
    if (this.current < 0 || this.fill[this.current]! + n > this.blockSizeBytes) this.openBlock()
    const block = this.current
    const offset = this.fill[block]!
    const end = offset + n
    this.fill[block] = end
    this.live[block]! += n
    this.liveTotal += n
    // A zero size after the last record ends the block's record chain for a scan.
    if (end + 4 <= this.blockSizeBytes) this.buffers[block]!.writeUInt32LE(0, end)
    return { block, offset }
  }

  /**
   * A buffer for one block. The memory engine keeps its buffers for the namespace's life: its
   * memory stays at its high-water mark (at most data-size), and new buffers are cut from arenas
   * of untracked memory (storage/untracked-memory.ts), so V8 neither starts collections as the
   * data grows nor sweeps an array buffer per block in each. The device engine drops each buffer
   * once the block is written, so those the collector must see.
   */
  takeBuffer(): Buffer {
    const size = this.blockSizeBytes
    if (!this.dataInMemory) return Buffer.allocUnsafeSlow(size)
    const spare = this.spareBuffers.shift()
    if (spare !== undefined) return spare
    if (this.arena === undefined || this.arenaAt === this.arena.length) {
      const blocks = Math.max(1, Math.min(Math.floor(limits.writeBlockArenaBytes / size), this.capacityBlocks - this.arenaBlocks))
      // Pages never written stay untouched: an arena costs address space until blocks fill it.
      this.arena = allocateUntracked(blocks * size)
      this.arenaAt = 0
      this.arenaBlocks += blocks
    }
    this.arenaAt += size
    return this.arena.subarray(this.arenaAt - size, this.arenaAt)
  }

  /** The in-memory bytes of a block (the current one, one not yet written, or any with the memory engine). */
  buffer(block: number): Buffer {
    const buffer = this.buffers[block]
    if (buffer === undefined) throw new Error(`write block ${block} is not in memory`)
    return buffer
  }

  /** The bytes of the record at a location: a view of a block in memory, or a copy read from disk. */
  recordAt(block: number, offset: number): RecordBytes {
    const buffer = this.buffers[block]
    if (buffer !== undefined) return { buf: buffer, at: offset }
    const cached = this.lastRead
    if (cached !== undefined && cached.block === block && cached.offset === offset) return cached.bytes
    const files = this.requireFiles()
    let buf = Buffer.allocUnsafe(Math.min(SPECULATIVE_READ_BYTES, this.blockSizeBytes - offset))
    files.read(block, offset, buf, 0, buf.length)
    const total = buf.length >= RECORD_HEADER_BYTES ? recordTotalBytes(buf, 0) : 0
    if (total > buf.length) {
      const whole = Buffer.allocUnsafe(total)
      buf.copy(whole, 0)
      files.read(block, offset + buf.length, whole, buf.length, total - buf.length)
      buf = whole
    }
    const bytes = { buf, at: 0 }
    this.lastRead = { block, offset, bytes }
    return bytes
  }

  /** blockBytes() without blocking the event loop on a disk read. */
  async blockBytesAsync(block: number): Promise<Buffer> {
    const buffer = this.buffers[block]
    if (buffer !== undefined) return buffer
    const out = Buffer.allocUnsafe(this.fill[block]!)
    await this.requireFiles().readAsync(block, 0, out, out.length)
    return out
  }

  /** Marks a record's bytes dead; frees its block when nothing live remains in it. */
  release(block: number, bytes: number): void {
    this.live[block]! -= bytes
    this.liveTotal -= bytes
    if (this.live[block] === 0 && block !== this.current && this.states[block] === State.USED) this.freeBlock(block)
  }

  /** End of the written region of a block, to walk its records. */
  fillOf(block: number): number {
    return this.fill[block] ?? 0
  }

  liveOf(block: number): number {
    return this.live[block] ?? 0
  }

  seqOf(block: number): number {
    return this.seqs[block] ?? 0
  }

  /** Blocks in use other than the current one whose live fraction is under lwmPct. */
  sparseBlocks(lwmPct: number): number[] {
    const out: number[] = []
    for (let b = 0; b < this.pristine; b++) {
      if (b === this.current || this.states[b] !== State.USED) continue
      if (this.live[b]! * 100 < this.blockSizeBytes * lwmPct) out.push(b)
    }
    return out
  }

  /** Live bytes, free blocks and blocks under lwmPct among the blocks [from, to) (one file's). */
  rangeStatistics(from: number, to: number, lwmPct: number): { liveBytes: number; freeBlocks: number; sparseBlocks: number } {
    let liveBytes = 0
    let freeBlocks = 0
    let sparseBlocks = 0
    for (let b = from; b < to; b++) {
      if (b >= this.pristine || this.states[b] === State.FREE) {
        freeBlocks++
        continue
      }
      liveBytes += this.live[b]!
      if (b !== this.current && this.states[b] === State.USED && this.live[b]! * 100 < this.blockSizeBytes * lwmPct) sparseBlocks++
    }
    return { liveBytes, freeBlocks, sparseBlocks }
  }

  isAllocated(block: number): boolean {
    return this.states[block] === State.USED
  }

  /** The two lowest sequence numbers on disk and the block of the lowest (Infinity if none). */
  oldestSeqsOnDisk(): { oldest: number; oldestBlock: number; second: number } {
    let oldest = Infinity
    let oldestBlock = -1
    let second = Infinity
    for (let b = 0; b < this.pristine; b++) {
      if (this.states[b] === State.FREE) continue
      const seq = this.seqs[b]!
      if (seq < oldest) {
        second = oldest
        oldest = seq
        oldestBlock = b
      } else if (seq < second) {
        second = seq
      }
    }
    return { oldest, oldestBlock, second }
  }

  // --- for the flusher -------------------------------------------------------------------------

  /** Blocks freed since the last call; the flusher frees them for good once what superseded them is on disk. */
  takePendingFrees(): number[] {
    const out = this.pendingFrees
    this.pendingFrees = []
    return out
  }

  /** Frees the flusher could not complete (a write failed); they wait for its next cycle. */
  returnPendingFrees(blocks: number[]): void {
    this.pendingFrees.unshift(...blocks)
  }

  /** A freed block's bytes on disk are invalidated: it may be reused. */
  completeFree(block: number): void {
    this.usedCount--
    const buffer = this.buffers[block]
    if (buffer !== undefined && this.dataInMemory) this.spareBuffers.push(buffer)
    this.buffers[block] = undefined
    this.states[block] = State.FREE
    this.seqs[block] = 0
    this.fill[block] = 0
    this.freeBlocks.push(block)
    if (this.lastRead?.block === block) this.lastRead = undefined
  }

  /** A closed block reached the disk; the device engine stops holding it in memory. */
  written(block: number): void {
    if (!this.dataInMemory && block !== this.current && this.states[block] === State.USED) this.buffers[block] = undefined
  }

  // --- for a restart ---------------------------------------------------------------------------

  /** Takes a block found on disk back into use; buffer is its bytes when data lives in memory. */
  restoreBlock(block: number, seq: number, fill: number, buffer: Buffer | undefined): void {
    this.ensureCapacity(block + 1)
    this.states[block] = State.USED
    this.seqs[block] = seq
    this.fill[block] = fill
    this.live[block] = 0
    if (this.dataInMemory) this.buffers[block] = buffer
    this.usedCount++
    this.nextSeq = Math.max(this.nextSeq, seq + 1)
    this.pristine = Math.max(this.pristine, block + 1)
  }

  /** Where a restored block's valid records end. */
  setFill(block: number, fill: number): void {
    this.fill[block] = fill
  }

  /** Counts a restored record's bytes as live in its block (negative: a superseded version). */
  claim(block: number, bytes: number): void {
    this.live[block]! += bytes
    this.liveTotal += bytes
  }

  /**
   * Ends a restart (or the opening of new files): blocks left without live records are freed.
   * With files every block is known from here on, and the free ones wait in the free list in
   * striped order; without, never-used blocks come after the highest one used.
   */
  finishRestore(): void {
    if (this.files !== undefined) {
      const order = this.stripedOrder(this.files)
      this.ensureCapacity(this.files.capacityBlocks)
      this.pristine = this.files.capacityBlocks
      // Popped from the end: the first block of the order is handed out first.
      for (let i = order.length - 1; i >= 0; i--) if (this.states[order[i]!] === State.FREE) this.freeBlocks.push(order[i]!)
    } else {
      for (let b = this.pristine - 1; b >= 0; b--) if (this.states[b] === State.FREE) this.freeBlocks.push(b)
    }
    for (let b = 0; b < this.pristine; b++) {
      if (this.states[b] === State.USED && this.live[b] === 0) this.freeBlock(b)
    }
  }

  /**
   * The usable blocks of the files, one from each file in turn, so fresh writes spread over the
   * devices as Aerospike's do. Data-size may allow fewer blocks than the files hold.
   */
  private stripedOrder(files: DataFiles): number[] {
    const perFile = files.blocksPerFile
    const count = files.paths.length
    const order: number[] = []
    for (let n = 0; n < perFile * count && order.length < this.capacityBlocks; n++) order.push((n % count) * perFile + Math.floor(n / count))
    return order
  }

  private requireFiles(): DataFiles {
    if (this.files === undefined) throw new Error('write block is not in memory and the namespace has no files')
    return this.files
  }

  private openBlock(): void {
    const reused = this.freeBlocks.pop()
    if (reused === undefined && this.pristine >= this.capacityBlocks) {
      throw new CommandError(ResultCode.SERVER_FULL, 'no free write block')
    }
    const previous = this.current
    const block = reused ?? this.pristine++
    this.ensureCapacity(block + 1)
    const buffer = this.takeBuffer()
    const seq = this.nextSeq++
    writeBlockHeader(buffer, 0, seq)
    buffer.writeUInt32LE(0, BLOCK_HEADER_BYTES)
    this.buffers[block] = buffer
    this.states[block] = State.USED
    this.seqs[block] = seq
    this.live[block] = 0
    this.fill[block] = BLOCK_HEADER_BYTES
    this.usedCount++
    this.current = block
    if (this.lastRead?.block === block) this.lastRead = undefined
    if (previous >= 0) {
      this.sink?.blockClosed(previous)
      if (this.live[previous] === 0) this.freeBlock(previous)
    }
  }

  private freeBlock(block: number): void {
    if (this.files === undefined) {
      this.completeFree(block)
      return
    }
    this.states[block] = State.FREEING
    this.pendingFrees.push(block)
  }

  private ensureCapacity(blocks: number): void {
    if (blocks <= this.states.length) return
    const size = Math.max(blocks, this.states.length * 2)
    const grow = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(size)
      next.set(old)
      return next
    }
    this.live = grow(this.live, (n) => new Float64Array(n))
    this.fill = grow(this.fill, (n) => new Uint32Array(n))
    this.seqs = grow(this.seqs, (n) => new Float64Array(n))
    this.states = grow(this.states, (n) => new Uint8Array(n))
  }
}
