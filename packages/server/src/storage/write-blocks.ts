// Records are appended into fixed-size write blocks. An overwrite appends a new version and leaves
// the old one as dead space; a block whose live bytes reach zero is freed at once, and defrag
// (storage/defrag.ts) empties blocks that fall under the low-water mark.
// This is the memory engine: each block is a Buffer. A file engine keeps the same blocks in files.

export interface BlockLocation {
  block: number
  offset: number
}

export class WriteBlocks {
  readonly blockSizeBytes: number
  private readonly buffers: (Buffer | undefined)[] = []
  /** Bytes of live records per block. */
  private readonly live: number[] = []
  /** Write position (end of the last record) per block. */
  private readonly fill: number[] = []
  private readonly freeBlocks: number[] = []
  private current = -1
  private liveTotal = 0

  constructor(blockSizeBytes: number) {
    this.blockSizeBytes = blockSizeBytes
  }

  /** Bytes of live record data in all blocks. */
  get liveBytes(): number {
    return this.liveTotal
  }

  /** Bytes held by allocated blocks. */
  get allocatedBytes(): number {
    return (this.buffers.length - this.freeBlocks.length) * this.blockSizeBytes
  }

  get blocksInUse(): number {
    return this.buffers.length - this.freeBlocks.length
  }

  /** Reserves n contiguous bytes for a new record; the caller writes them into buffer(block). */
  reserve(n: number): BlockLocation {
    if (n > this.blockSizeBytes) throw new RangeError(`record of ${n} bytes does not fit a ${this.blockSizeBytes}-byte write block`)
    if (this.current < 0 || this.fill[this.current]! + n > this.blockSizeBytes) this.openBlock()
    const block = this.current
    const offset = this.fill[block]!
    this.fill[block] = offset + n
    this.live[block]! += n
    this.liveTotal += n
    return { block, offset }
  }

  buffer(block: number): Buffer {
    const buffer = this.buffers[block]
    if (buffer === undefined) throw new Error(`write block ${block} is not allocated`)
    return buffer
  }

  /** Marks a record's bytes dead; frees its block when nothing live remains in it. */
  release(block: number, bytes: number): void {
    this.live[block]! -= bytes
    this.liveTotal -= bytes
    if (this.live[block] === 0 && block !== this.current) this.freeBlock(block)
  }

  /** End of the written region of a block, to walk its records. */
  fillOf(block: number): number {
    return this.fill[block] ?? 0
  }

  /** Blocks other than the current one whose live fraction is under lwmPct. */
  sparseBlocks(lwmPct: number): number[] {
    const out: number[] = []
    for (let b = 0; b < this.buffers.length; b++) {
      if (b === this.current || this.buffers[b] === undefined) continue
      if (this.live[b]! * 100 < this.blockSizeBytes * lwmPct) out.push(b)
    }
    return out
  }

  isAllocated(block: number): boolean {
    return this.buffers[block] !== undefined
  }

  private openBlock(): void {
    const previous = this.current
    const reused = this.freeBlocks.pop()
    const block = reused ?? this.buffers.length
    this.buffers[block] = Buffer.allocUnsafeSlow(this.blockSizeBytes)
    this.live[block] = 0
    this.fill[block] = 0
    this.current = block
    if (previous >= 0 && this.live[previous] === 0) this.freeBlock(previous)
  }

  private freeBlock(block: number): void {
    this.buffers[block] = undefined
    this.fill[block] = 0
    this.freeBlocks.push(block)
  }
}
