// What a persistent namespace keeps in its files' headers besides the records: set names (a set id
// must be on disk before any record that uses it), truncate times, the eviction void time and how far
// XDR shipped; and, at a clean shutdown, the index snapshot for a fast restart (restore.ts reads both
// back).
import type { Logger } from '../log.ts'
import type { DataFiles } from '../storage/data-files.ts'
import { newSnapshotId, snapshotPathOf, writeIndexSnapshot, type IndexSnapshot } from '../storage/index-snapshot.ts'
import type { Namespace } from './namespace.ts'

export class PersistedMeta {
  private readonly namespace: Namespace
  private readonly files: DataFiles
  /** A set was created since the headers were last written. */
  private pending = false

  constructor(namespace: Namespace, files: DataFiles) {
    this.namespace = namespace
    this.files = files
  }

  /**
   * A new set needs its id in the headers. The command creating it does not wait: the flusher
   * writes the headers (writePending) before it writes any block, so before any record of the set.
   */
  markPending(): void {
    this.pending = true
  }

  /** Writes the headers if a set was created since they were last written (the flusher, before writing blocks). */
  writePending(): void {
    if (this.pending) this.write()
  }

  /** Writes set names, truncate times, the eviction void time and the XDR shipped points into every file's header, durably. */
  write(cleanSnapshotId: string | null = null): void {
    const ns = this.namespace
    this.pending = false
    const setTruncateLutMs: Record<string, number> = {}
    for (const set of ns.sets.all()) if (set.truncateLutMs > 0) setTruncateLutMs[set.name] = set.truncateLutMs
    try {
      const xdrShippedMs = Object.fromEntries(ns.xdrShippedMs)
      this.files.writeMeta({ sets: ns.sets.names(), truncateLutMs: ns.truncateLutMs, setTruncateLutMs, evictVoidTime: ns.evictVoidTime, cleanSnapshotId, xdrShippedMs })
    } catch (err) {
      this.pending = true
      throw err
    }
  }

  /** Saves the index for a fast restart and names the snapshot in the headers (a clean shutdown, everything flushed). */
  saveIndexSnapshot(log: Logger): void {
    const ns = this.namespace
    const { clock, disk, random } = ns.env
    const id = newSnapshotId(random)
    const startedMs = clock.monotonicMs()
    writeIndexSnapshot(disk, snapshotPathOf(this.files.paths[0]!), id, snapshotState(ns), ns.index, ns.tombstones.index)
    this.write(id)
    log.info({ ns: ns.name, objects: ns.objects, ms: Math.round(clock.monotonicMs() - startedMs) }, 'index snapshot written for a fast restart')
  }
}

/** Per-block and per-set state an index snapshot needs besides the index itself. */
function snapshotState(ns: Namespace): IndexSnapshot {
  const blocks = []
  for (let b = 0; b < ns.blocks.highestBlock; b++) {
    if (!ns.blocks.isAllocated(b)) continue
    blocks.push({ block: b, seq: ns.blocks.seqOf(b), fill: ns.blocks.fillOf(b), liveBytes: ns.blocks.liveOf(b) })
  }
  const sets = ns.sets.all().map((set) => ({ id: set.id, objects: set.objects, dataUsedBytes: set.dataUsedBytes }))
  return { blocks, sets }
}
