// One secondary index: its definition, its entries and its build progress.
import type { Value } from '@aerolite/protocol'
import type { Namespace, RecordLocation } from '../namespace/namespace.ts'
import { limits } from '../limits.ts'
import { readBins, recordDigest, recordSetId } from '../record/layout.ts'
import type { Bin } from '../record/bins.ts'
import type { IndexDefinition } from './definition.ts'
import { IndexEntries } from './entries.ts'
import { expressionValueOf } from './expression.ts'
import { indexedValues, recordBvals, type ExpressionValue } from './keys.ts'

const NONE: bigint[] = []

export class SecondaryIndex {
  /** Replaced only by a rename (same definition, new name). */
  def: IndexDefinition
  readonly entries: IndexEntries
  readonly createdMs: number
  /** Percent of the namespace's partitions indexed so far. */
  loadPct = 0
  loadTimeMs = 0
  /** Set when the index is deleted: a running build stops. */
  dropped = false
  private readonly namespace: Namespace
  private readonly expressionValue: ExpressionValue | undefined
  private setId: number | undefined

  constructor(def: IndexDefinition, namespace: Namespace) {
    this.def = def
    this.namespace = namespace
    this.expressionValue = def.expression === undefined ? undefined : expressionValueOf(def.expression, namespace)
    this.entries = new IndexEntries(limits.partitions, namespace)
    this.createdMs = namespace.env.clock.monotonicMs()
  }

  get readable(): boolean {
    return this.loadPct === 100
  }

  /** True when records of this set belong in the index (an index without a set covers all). */
  coversSet(setId: number): boolean {
    if (this.def.setName === '') return true
    if (this.setId === undefined) this.setId = this.namespace.sets.get(this.def.setName)?.id
    return this.setId === setId
  }

  /** The keys of a record version in this index. */
  bvalsOf(loc: RecordLocation | undefined, bins: () => readonly Bin[]): bigint[] {
    if (loc === undefined || !this.coversSet(recordSetId(loc.buf, loc.at))) return NONE
    return recordBvals(this.def, bins(), recordDigest(loc.buf, loc.at), this.expressionValue)
  }

  /** The values a record holds in this index (possibly repeated), whatever its set. */
  valuesOf(bins: readonly Bin[], digest: Buffer): Value[] {
    return indexedValues(this.def, bins, digest, this.expressionValue)
  }

  /** Replaces a record's keys: old ones not kept are removed, new ones added. */
  update(pid: number, digest: Uint8Array, id: number, before: readonly bigint[], after: readonly bigint[]): void {
    if (before.length === 0 && after.length === 0) return
    for (const bval of before) if (!after.includes(bval)) this.entries.remove(pid, bval, id, digest)
    for (const bval of after) if (!before.includes(bval)) this.entries.insert(pid, bval, id, digest)
  }

  /** Indexes the live records of one partition (part of the build). */
  indexPartition(pid: number): void {
    const ns = this.namespace
    for (const id of ns.entriesOf(pid)) {
      if (!ns.isLive(id)) continue
      const loc = ns.location(id)
      const bvals = this.bvalsOf(loc, () => readBins(loc.buf, loc.at))
      if (bvals.length > 0) this.update(pid, recordDigest(loc.buf, loc.at), id, NONE, bvals)
    }
  }

  /** sindex-stat / sindex/<ns>/<name> values. */
  stats(): Array<[string, string | number]> {
    const size = this.entries.size
    return [
      ['entries', size],
      ['used_bytes', this.entries.memoryBytes],
      ['entries_per_bval', 0],
      ['entries_per_rec', 0],
      ['load_pct', this.loadPct],
      ['load_time', this.loadTimeMs],
      ['stat_gc_recs', 0],
    ]
  }
}
