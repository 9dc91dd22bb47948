// One namespace's shipping to one DC: which of its changes ship (by cause and set), the queue they
// wait in, and the counters. It listens to every change of the namespace; in a cluster only the
// master's own changes (client, UDF, job and touch causes) are noted: replicas and migrations are
// copies of changes their master ships.
import type { Clock } from '@aerolite/protocol'
import type { XdrNamespaceConfig } from '../config/xdr-config.ts'
import type { ChangeCause } from '../namespace/change-cause.ts'
import type { Namespace, RecordListener, RecordLocation } from '../namespace/namespace.ts'
import { recordLastUpdateMs, recordSetId } from '../record/layout.ts'
import type { CompiledExpression } from '../ops/exp/index.ts'
import { changedBinNames, tracksChangedBins } from './changed-bins.ts'
import { ShipQueue } from './ship-queue.ts'
import { ShippedPoints } from './shipped-points.ts'
import { newXdrCounters, type XdrCounters } from './xdr-stats.ts'

/** Causes that ship: what a client (directly, by a UDF or a job) did here. */
const SHIPPED_CAUSES: ReadonlySet<ChangeCause> = new Set(['client', 'udf', 'job', 'touch'])

export class NamespaceShipping implements RecordListener {
  readonly namespace: Namespace
  config: XdrNamespaceConfig
  readonly queue: ShipQueue
  /** How far each partition has shipped. */
  readonly points: ShippedPoints
  readonly counters: XdrCounters = newXdrCounters()
  /** The DC filter (xdr-set-filter): a record ships only when it matches; deletes always ship. */
  filter: { base64: string; expression: CompiledExpression } | undefined
  private readonly clock: Clock

  constructor(namespace: Namespace, config: XdrNamespaceConfig, clock: Clock) {
    this.namespace = namespace
    this.config = config
    this.clock = clock
    this.queue = new ShipQueue(config.transactionQueueLimit)
    this.points = new ShippedPoints(clock.nowMs())
  }

  /** The namespace at the DC. */
  get remoteNamespace(): string {
    return this.config.remoteNamespace ?? this.namespace.name
  }

  recordChanged(pid: number, digest: Uint8Array, _id: number, before: RecordLocation | undefined, after: RecordLocation | undefined, cause: ChangeCause): void {
    if (!this.ships(cause)) return
    const version = after ?? before
    if (version === undefined) return
    const setName = this.namespace.sets.byIdOf(recordSetId(version.buf, version.at))?.name ?? ''
    if (!this.shipsSet(setName)) {
      this.counters.filteredOut++
      return
    }
    if (after === undefined) {
      this.queue.note(digest, pid, this.clock.monotonicMs(), this.clock.nowMs())
      return
    }
    const changedBins = tracksChangedBins(this.config.binPolicy) ? changedBinNames(before, after) : undefined
    this.queue.note(digest, pid, this.clock.monotonicMs(), recordLastUpdateMs(after.buf, after.at), changedBins)
  }

  private ships(cause: ChangeCause): boolean {
    if (SHIPPED_CAUSES.has(cause)) return true
    if (cause === 'xdr') return this.config.forward
    if (cause === 'expiry' || cause === 'eviction') return this.config.shipNsupDeletes
    return false
  }

  shipsSet(setName: string): boolean {
    const { shipOnlySpecifiedSets, shipSets, ignoreSets } = this.config
    if (ignoreSets.includes(setName)) return false
    return !shipOnlySpecifiedSets || shipSets.includes(setName)
  }
}
