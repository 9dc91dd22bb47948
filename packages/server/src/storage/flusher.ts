// The streaming write buffer's way to disk. Closed (full) blocks are queued and written in order;
// the current block's new bytes are written every flush-max-ms; writers that need durability
// (commit-to-device) wait for the next cycle, which ends with one fdatasync shared by all of them
// (group commit). One cycle runs at a time, so writes reach the disk in the order they were made.
// Freed blocks are invalidated on disk (their header zeroed) only after the cycle that wrote what
// superseded them, and only then reused.
import type { Env, Timer } from '@aerolite/protocol'
import type { Logger } from '../log.ts'
import { BLOCK_HEADER_BYTES } from './block-format.ts'
import type { DataFiles } from './data-files.ts'
import type { BlockSink, WriteBlocks } from './write-blocks.ts'

const NO_HEADER = Buffer.alloc(BLOCK_HEADER_BYTES)
/** After an I/O error, wait this long before trying again. */
const RETRY_AFTER_ERROR_MS = 1000

interface Waiter {
  target: number
  resolve: () => void
  reject: (err: Error) => void
}

export interface FlusherOptions {
  flushMaxMs: number
  commitToDevice: boolean
  log: Logger
  namespace: string
  /** Runs before a cycle writes any block: metadata the blocks depend on (new set ids) goes first. */
  beforeBlockWrites?: () => void
  env: Env
}

export class Flusher implements BlockSink {
  private readonly blocks: WriteBlocks
  private readonly files: DataFiles
  private readonly options: FlusherOptions
  private readonly queue: number[] = []
  private flushedTo = new Map<number, number>()
  private waiters: Waiter[] = []
  private running: Promise<void> | undefined
  private scheduled = false
  private timer: Timer | undefined
  /** Counts bytes handed to the blocks; a waiter waits until durableCount reaches its target. */
  private writtenCount = 0
  private durableCount = 0
  private lastErrorAtMs = Number.NEGATIVE_INFINITY
  /** A sync failed: the next cycle syncs again, even with nothing new to write. */
  private syncOwed = false
  /** Blocks written, per file (Aerospike's `writes` per device). */
  readonly blocksWrittenPerFile: number[]
  /** The last write error, until a cycle succeeds again. */
  ioError: Error | undefined

  constructor(blocks: WriteBlocks, files: DataFiles, options: FlusherOptions) {
    this.blocks = blocks
    this.files = files
    this.options = options
    this.blocksWrittenPerFile = files.paths.map(() => 0)
  }

  /** Closed blocks waiting to be written (Aerospike's write_q). */
  get writeQueueLength(): number {
    return this.queue.length
  }

  /** Closed blocks of one file waiting to be written. */
  writeQueueLengthOf(file: number): number {
    let n = 0
    for (const block of this.queue) if (this.files.fileOf(block) === file) n++
    return n
  }

  /** Changes how often partly filled blocks are written (set-config flush-max-ms). */
  setFlushMaxMs(ms: number): void {
    if (ms === this.options.flushMaxMs) return
    this.options.flushMaxMs = ms
    if (this.timer === undefined) return
    this.timer.cancel()
    this.start()
  }

  start(): void {
    this.timer = this.options.env.scheduler.every(this.options.flushMaxMs, () => {
      // After an error, a cycle runs again even with nothing left to write (the sync or a free
      // failed): only a cycle that succeeds lifts the error, and with it the stop on writes.
      if ((this.hasUnwritten() || this.ioError !== undefined) && this.options.env.clock.monotonicMs() - this.lastErrorAtMs >= RETRY_AFTER_ERROR_MS) this.schedule()
    })
  }

  /** Records that bytes were written into the blocks (called by every store). */
  noteWrite(): void {
    this.writtenCount++
  }

  blockClosed(block: number): void {
    this.queue.push(block)
    this.schedule()
  }

  /** Resolves once everything written so far is on disk and synced; undefined when it already is. */
  whenDurable(): Promise<void> | undefined {
    if (this.durableCount >= this.writtenCount) return undefined
    return new Promise((resolve, reject) => {
      this.waiters.push({ target: this.writtenCount, resolve, reject })
      this.schedule()
    })
  }

  /** Writes and syncs everything; used at shutdown and by tests. */
  async flushAll(): Promise<void> {
    while (this.running !== undefined) await this.running
    this.running = this.cycle(true).finally(() => {
      this.running = undefined
    })
    await this.running
    if (this.ioError !== undefined) throw this.ioError
  }

  stop(): void {
    this.timer?.cancel()
  }

  private hasUnwritten(): boolean {
    const current = this.blocks.currentBlock
    return this.queue.length > 0 || this.waiters.length > 0 || (current >= 0 && this.blocks.fillOf(current) > (this.flushedTo.get(current) ?? 0))
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    // Running soon (after the I/O already waiting) lets every writer of this turn join the cycle (group commit).
    this.options.env.scheduler.soon(this.startCycle)
  }

  private readonly startCycle = (): void => {
    this.scheduled = false
    if (this.running !== undefined) return
    this.running = this.cycle(this.options.commitToDevice).finally(() => {
      this.running = undefined
      if (this.ioError === undefined && (this.queue.length > 0 || this.waiters.length > 0)) this.schedule()
    })
  }

  private async cycle(sync: boolean): Promise<void> {
    const target = this.writtenCount
    const frees = this.blocks.takePendingFrees()
    const closed = this.queue.splice(0)
    const waiters = this.waiters
    this.waiters = []
    const current = this.blocks.currentBlock
    const currentEnd = current >= 0 ? this.blocks.fillOf(current) : 0
    let done = 0
    try {
      this.options.beforeBlockWrites?.()
      for (const block of closed) {
        await this.writeRegion(block, this.blocks.fillOf(block), false)
        this.blocks.written(block)
        this.blocksWrittenPerFile[this.files.fileOf(block)]!++
        done++
      }
      if (current >= 0 && currentEnd > (this.flushedTo.get(current) ?? 0)) await this.writeRegion(current, currentEnd, true)
      if (sync || waiters.length > 0 || this.syncOwed) {
        this.syncOwed = true
        await this.files.sync()
        this.syncOwed = false
      }
      for (const block of frees) {
        await this.files.write(block, 0, NO_HEADER)
        this.flushedTo.delete(block)
        this.blocks.completeFree(block)
      }
      this.durableCount = Math.max(this.durableCount, target)
      if (this.ioError !== undefined) this.options.log.info({ ns: this.options.namespace }, 'storage writes succeed again; writes resume')
      this.ioError = undefined
      for (const waiter of waiters) waiter.resolve()
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      if (this.ioError === undefined) this.options.log.error({ ns: this.options.namespace, err: error.message }, 'storage write failed; writes stop until the disk accepts data again')
      this.ioError = error
      this.lastErrorAtMs = this.options.env.clock.monotonicMs()
      this.queue.unshift(...closed.slice(done))
      this.blocks.returnPendingFrees(frees)
      for (const waiter of waiters) waiter.reject(error)
    }
  }

  /** Writes a block's bytes from where the last write stopped up to end, and the zero size after them. */
  private async writeRegion(block: number, end: number, isCurrent: boolean): Promise<void> {
    const from = this.flushedTo.get(block) ?? 0
    if (end <= from) return
    const buffer = this.blocks.buffer(block)
    const stop = Math.min(end + 4, this.blocks.blockSizeBytes)
    // The current block keeps filling during the write: write a copy of the captured region.
    const bytes = isCurrent ? Buffer.from(buffer.subarray(from, stop)) : buffer.subarray(from, stop)
    if (isCurrent && stop > end) bytes.writeUInt32LE(0, end - from)
    await this.files.write(block, from, bytes)
    this.flushedTo.set(block, end)
  }
}
