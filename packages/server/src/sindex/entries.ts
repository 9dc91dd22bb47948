// The entries of one secondary index: per partition, a sorted run of (index value, record) pairs in
// two typed arrays, ordered by index value then digest, as Aerospike orders its per-partition index
// trees (so a query walks partitions in order and resumes after an (index value, digest) pair).
// Partitions without entries hold nothing; 12 bytes per entry plus spare capacity.

/** Orders a record's digest against digest bytes: the namespace's record view. */
export interface DigestOrder {
  compareDigestTo(id: number, digest: Uint8Array, digestAt?: number): number
}

class PartitionRun {
  bvals = new BigInt64Array(4)
  ids = new Uint32Array(4)
  length = 0

  grow(): void {
    const bvals = new BigInt64Array(this.bvals.length * 2)
    bvals.set(this.bvals)
    const ids = new Uint32Array(this.ids.length * 2)
    ids.set(this.ids)
    this.bvals = bvals
    this.ids = ids
  }
}

export interface Entry {
  bval: bigint
  id: number
}

export class IndexEntries {
  private readonly runs: Array<PartitionRun | undefined>
  private readonly records: DigestOrder
  private count = 0

  constructor(partitions: number, records: DigestOrder) {
    this.runs = new Array<PartitionRun | undefined>(partitions)
    this.records = records
  }

  get size(): number {
    return this.count
  }

  get memoryBytes(): number {
    let bytes = 0
    for (const run of this.runs) if (run !== undefined) bytes += run.bvals.byteLength + run.ids.byteLength
    return bytes
  }

  /** First position whose (bval, digest) is >= the given pair. */
  private lowerBound(run: PartitionRun, bval: bigint, digest: Uint8Array | undefined): number {
    let lo = 0
    let hi = run.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const b = run.bvals[mid]!
      const before = b < bval || (b === bval && digest !== undefined && this.records.compareDigestTo(run.ids[mid]!, digest) < 0)
      if (before) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Adds an entry; adding one that exists changes nothing (an index build may meet a record twice). */
  insert(pid: number, bval: bigint, id: number, digest: Uint8Array): void {
    let run = this.runs[pid]
    if (run === undefined) {
      run = new PartitionRun()
      this.runs[pid] = run
    }
    const at = this.lowerBound(run, bval, digest)
    if (at < run.length && run.bvals[at] === bval && run.ids[at] === id) return
    if (run.length === run.bvals.length) run.grow()
    run.bvals.copyWithin(at + 1, at, run.length)
    run.ids.copyWithin(at + 1, at, run.length)
    run.bvals[at] = bval
    run.ids[at] = id
    run.length++
    this.count++
  }

  remove(pid: number, bval: bigint, id: number, digest: Uint8Array): void {
    const run = this.runs[pid]
    if (run === undefined) return
    const at = this.lowerBound(run, bval, digest)
    if (at >= run.length || run.bvals[at] !== bval || run.ids[at] !== id) return
    run.bvals.copyWithin(at, at + 1, run.length)
    run.ids.copyWithin(at, at + 1, run.length)
    run.length--
    this.count--
    if (run.length === 0) this.runs[pid] = undefined
  }

  /**
   * Entries of a partition with lo <= bval <= hi, after the resume pair if one is given, copied out
   * so the caller may yield while records change.
   */
  range(pid: number, lo: bigint, hi: bigint, after: { bval: bigint; digest: Buffer } | undefined): Entry[] {
    const run = this.runs[pid]
    if (run === undefined) return []
    let at: number
    if (after !== undefined && after.bval >= lo) {
      at = this.lowerBound(run, after.bval, after.digest)
      // Skip the resume entry itself.
      while (at < run.length && run.bvals[at] === after.bval && this.records.compareDigestTo(run.ids[at]!, after.digest) <= 0) at++
    } else {
      at = this.lowerBound(run, lo, undefined)
    }
    const out: Entry[] = []
    for (; at < run.length && run.bvals[at]! <= hi; at++) out.push({ bval: run.bvals[at]!, id: run.ids[at]! })
    return out
  }
}
