// The secondary indexes of one namespace. It listens to every record change of the namespace (writes,
// deletes, expiry, truncation) and keeps each index current; a new index is built from the records
// already there, at once for a small namespace, else a few partitions per event-loop turn with its
// progress in load_pct.
import { ResultCode } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Namespace, RecordListener, RecordLocation } from '../namespace/namespace.ts'
import type { Bin } from '../record/bins.ts'
import { readBins } from '../record/layout.ts'
import { sameDefinition, type CollectionType, type IndexDefinition, type KeyType } from './definition.ts'
import { SecondaryIndex } from './secondary-index.ts'

export interface IndexLookup {
  name: string | undefined
  expression: Buffer | undefined
  binName: string
  keyType: KeyType
  collection: CollectionType
  context: Buffer | undefined
}

export type CreateOutcome = { ok: true } | { ok: false; resultCode: number; message: string }

/** keep: the same index is there; rename: the same definition is there under `from`; add: a new index. */
export type CreateCheck =
  | { ok: true; action: 'keep' | 'add' }
  | { ok: true; action: 'rename'; from: string }
  | { ok: false; resultCode: number; message: string }

const REGISTRY = new WeakMap<Namespace, NamespaceIndexes>()

/** The indexes of a namespace, created (and listening) on first use. */
export function indexesOf(namespace: Namespace): NamespaceIndexes {
  let indexes = REGISTRY.get(namespace)
  if (indexes === undefined) {
    indexes = new NamespaceIndexes(namespace)
    REGISTRY.set(namespace, indexes)
    namespace.listeners.push(indexes)
  }
  return indexes
}

function lazyBins(loc: RecordLocation | undefined): () => readonly Bin[] {
  let bins: Bin[] | undefined
  return () => (bins ??= loc === undefined ? [] : readBins(loc.buf, loc.at))
}

export class NamespaceIndexes implements RecordListener {
  private readonly namespace: Namespace
  private readonly byName = new Map<string, SecondaryIndex>()

  constructor(namespace: Namespace) {
    this.namespace = namespace
  }

  all(): SecondaryIndex[] {
    return [...this.byName.values()]
  }

  get(name: string): SecondaryIndex | undefined {
    return this.byName.get(name)
  }

  /** What create(def) would do, without doing it (a cluster checks before every node creates). */
  check(def: IndexDefinition): CreateCheck {
    const existing = this.byName.get(def.name)
    if (existing !== undefined) {
      // Aerospike accepts the same definition again and refuses a different one under the name.
      if (sameDefinition(existing.def, def)) return { ok: true, action: 'keep' }
      return { ok: false, resultCode: ResultCode.INDEX_FOUND!, message: "'indexname' already exists with different definition" }
    }
    // The same definition under a new name renames the index, as in Aerospike 8.1.
    const same = this.all().find((index) => sameDefinition(index.def, def))
    if (same !== undefined) return { ok: true, action: 'rename', from: same.def.name }
    if (this.byName.size >= limits.maxIndexesPerNamespace) {
      return { ok: false, resultCode: ResultCode.INDEX_MAXCOUNT!, message: 'already at sindex definition limit' }
    }
    return { ok: true, action: 'add' }
  }

  create(def: IndexDefinition): CreateOutcome {
    const check = this.check(def)
    if (!check.ok) return check
    if (check.action === 'keep') return { ok: true }
    if (check.action === 'rename') {
      const same = this.byName.get(check.from)!
      this.byName.delete(check.from)
      same.def = def
      this.byName.set(def.name, same)
      return { ok: true }
    }
    const index = new SecondaryIndex(def, this.namespace)
    this.byName.set(def.name, index)
    if (this.namespace.objects <= limits.syncIndexBuildMaxRecords) {
      for (let pid = 0; pid < limits.partitions; pid++) index.indexPartition(pid)
      index.loadPct = 100
      index.loadTimeMs = Math.round(this.namespace.env.clock.monotonicMs() - index.createdMs)
    } else {
      void this.build(index)
    }
    return { ok: true }
  }

  /** True if the index existed. */
  delete(name: string): boolean {
    const index = this.byName.get(name)
    if (index === undefined) return false
    index.dropped = true
    this.byName.delete(name)
    return true
  }

  /** The index a query means: by name, by expression, or by bin, type, collection and context. */
  find(lookup: IndexLookup): SecondaryIndex | undefined {
    if (lookup.name !== undefined) {
      const index = this.byName.get(lookup.name)
      return index !== undefined && index.def.keyType === lookup.keyType ? index : undefined
    }
    for (const index of this.byName.values()) {
      const d = index.def
      if (d.keyType !== lookup.keyType || d.collection !== lookup.collection) continue
      if (lookup.expression !== undefined) {
        if (d.expression !== undefined && d.expression.equals(lookup.expression)) return index
        continue
      }
      if (d.expression !== undefined || d.binName !== lookup.binName) continue
      const sameContext = d.context === undefined || lookup.context === undefined ? d.context === lookup.context : d.context.equals(lookup.context)
      if (sameContext) return index
    }
    return undefined
  }

  recordChanged(pid: number, digest: Uint8Array, id: number, before: RecordLocation | undefined, after: RecordLocation | undefined): void {
    if (this.byName.size === 0) return
    const beforeBins = lazyBins(before)
    const afterBins = lazyBins(after)
    for (const index of this.byName.values()) {
      index.update(pid, digest, id, index.bvalsOf(before, beforeBins), index.bvalsOf(after, afterBins))
    }
  }

  private async build(index: SecondaryIndex): Promise<void> {
    for (let pid = 0; pid < limits.partitions; pid++) {
      if (index.dropped) return
      index.indexPartition(pid)
      if ((pid + 1) % limits.indexBuildPartitionsPerTurn === 0) {
        index.loadPct = Math.floor(((pid + 1) * 100) / limits.partitions)
        await this.namespace.env.scheduler.yieldTurn()
      }
    }
    index.loadPct = 100
    index.loadTimeMs = Math.round(this.namespace.env.clock.monotonicMs() - index.createdMs)
  }
}
