// Cluster metadata (Aerospike's SMD) through the membership: UDF modules, secondary-index
// definitions, truncate points and reclusters live as entries of `membership.metadata`, so they
// reach every node, a node joining later included, and outlive any node. This node
//   - applies every entry once it has its first view (before any partition plan),
//   - applies every change the watch brings, idempotently (a change may be seen twice: once in the
//     entries at join, once from the watch),
//   - offers the write side the info commands use in a cluster: each write goes to the store and
//     resolves once this node applied it from the watch, so a command answered ok is in effect here.
// The store is the only road to a change: a node never applies its own write first, so every node
// applies the same changes in the same (revision) order.
import type { Scheduler } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { sameDefinition, type IndexDefinition } from '../sindex/definition.ts'
import { indexesOf } from '../sindex/namespace-indexes.ts'
import type { UdfRuntime } from '../udf/runtime.ts'
import type { ClusterMetadata, Membership } from './membership.ts'
import {
  RECLUSTER_KEY, decodeCutoff, decodeIndex, decodeUdf, encodeCutoff, encodeIndex, encodeUdf, nextRecluster, parseMetadataKey, sindexKey, sindexPrefix, truncateKey, udfKey,
} from './metadata-entries.ts'

export interface MetadataSyncOptions {
  membership: Membership
  udf: UdfRuntime
  namespaces: ReadonlyMap<string, Namespace>
  /** Moves a truncate cutoff on this node (the node's truncate: it logs and starts the sweep). */
  truncate(namespace: Namespace, setName: string | undefined, cutoffMs: number): void
  /** A recluster was asked (on any node): this node publishes its quiesce state. */
  recluster(): void
  scheduler: Scheduler
  log: Logger
}

/** A metadata write that failed or was not applied here in time; the command may be retried (writes are idempotent). */
export class MetadataWriteError extends Error {
  readonly code = 'ERR_METADATA_WRITE'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MetadataWriteError'
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export class MetadataSync {
  private readonly metadata: ClusterMetadata
  private readonly membership: Membership
  private readonly udf: UdfRuntime
  private readonly namespaces: ReadonlyMap<string, Namespace>
  private readonly truncateHere: MetadataSyncOptions['truncate']
  private readonly reclusterHere: () => void
  private readonly scheduler: Scheduler
  private readonly log: Logger
  private started = false

  constructor(options: MetadataSyncOptions) {
    this.membership = options.membership
    this.metadata = options.membership.metadata
    this.udf = options.udf
    this.namespaces = options.namespaces
    this.truncateHere = options.truncate
    this.reclusterHere = options.recluster
    this.scheduler = options.scheduler
    this.log = options.log
  }

  /** Follows the metadata; call before the membership joins, so that nothing is missed. */
  start(): void {
    if (this.started) return
    this.started = true
    let appliedAll = false
    // The entries are complete when the first view is published (join's snapshot).
    this.membership.onView(() => {
      if (appliedAll) return
      appliedAll = true
      this.applyAll()
    })
    this.metadata.onChange((key, value) => this.apply(key, value))
  }

  // --- the write side (info commands in a cluster) -----------------------------------------

  /** Registers a module on every node (udf-put checked and compiled it). */
  putUdf(fileName: string, contentBase64: string): Promise<void> {
    return this.write(udfKey(fileName), encodeUdf(contentBase64))
  }

  removeUdf(fileName: string): Promise<void> {
    return this.removeIfPresent(udfKey(fileName))
  }

  /**
   * Creates an index on every node (sindex-create checked it against this node's indexes). A
   * rename (`renamedFrom`: the same definition under another name) drops the old name's entry
   * after the new one is in, so a node joining later never sees two names for one index for long.
   */
  async createIndex(def: IndexDefinition, renamedFrom: string | undefined): Promise<void> {
    await this.write(sindexKey(def.namespace, def.name), encodeIndex(def))
    if (renamedFrom !== undefined) await this.removeIfPresent(sindexKey(def.namespace, renamedFrom))
  }

  deleteIndex(namespace: string, name: string): Promise<void> {
    return this.removeIfPresent(sindexKey(namespace, name))
  }

  /**
   * Moves the cutoff of a namespace or set on every node; a cutoff at or before the one in the
   * store changes nothing. Compare-and-swap, so that of two truncates at once the later cutoff stays.
   */
  async truncate(namespace: string, setName: string | undefined, cutoffMs: number): Promise<void> {
    const key = truncateKey(namespace, setName)
    const revision = await this.storeWrite(key, () => this.metadata.update(key, (current) => {
      return current !== undefined && (decodeCutoff(current) ?? -1) >= cutoffMs ? undefined : encodeCutoff(cutoffMs)
    }))
    await this.appliedHere(key, revision)
  }

  /** Every node publishes its quiesce state (answers once this node applied the entry). */
  recluster(): Promise<void> {
    return this.write(RECLUSTER_KEY, nextRecluster(this.metadata.entries().get(RECLUSTER_KEY)))
  }

  /** An entry that is not there (as this node last saw) is not removed: nothing would be applied to wait for. */
  private async removeIfPresent(key: string): Promise<void> {
    if (!this.metadata.entries().has(key)) return
    const revision = await this.storeWrite(key, () => this.metadata.remove(key))
    // Another node removed it first: its removal is applied once this node sees it, as any other change.
    if (revision !== undefined) await this.appliedHere(key, revision)
  }

  private async write(key: string, value: string): Promise<void> {
    if (Buffer.byteLength(key) + Buffer.byteLength(value) > limits.maxMetadataEntryBytes) {
      throw new MetadataWriteError(`cluster metadata entry ${key} is over ${limits.maxMetadataEntryBytes} bytes: make it smaller`)
    }
    await this.appliedHere(key, await this.storeWrite(key, () => this.metadata.put(key, value)))
  }

  private async storeWrite<T>(key: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      throw new MetadataWriteError(`could not write cluster metadata ${key}: ${messageOf(error)}; retry once the membership store answers`, { cause: error })
    }
  }

  /** Waits (bounded) until this node applied the write from the watch. */
  private appliedHere(key: string, revision: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = this.scheduler.after(limits.metadataApplyTimeoutMs, () => {
        reject(new MetadataWriteError(`cluster metadata ${key} was written (revision ${revision}) but not applied on this node within ${limits.metadataApplyTimeoutMs} ms: it will be once the watch catches up`))
      })
      this.metadata.seen(revision).then(
        () => {
          timer.cancel()
          resolve()
        },
        (error: unknown) => {
          timer.cancel()
          reject(new MetadataWriteError(`cluster metadata ${key} was written but this node stopped following the cluster: ${messageOf(error)}`, { cause: error }))
        },
      )
    })
  }

  // --- the apply side ----------------------------------------------------------------------

  /**
   * Every entry, in key order; the indexes of every namespace are made to match the entries. A
   * recluster is an event: one from before this node joined is not for it.
   */
  private applyAll(): void {
    const entries = [...this.metadata.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    for (const [key, value] of entries) {
      const kind = parseMetadataKey(key)?.kind
      if (kind !== 'sindex' && kind !== 'recluster') this.apply(key, value)
    }
    for (const name of this.namespaces.keys()) this.reconcileIndexes(name)
  }

  private apply(key: string, value: string | undefined): void {
    const parsed = parseMetadataKey(key)
    // Kinds this version does not know (a later version's) are left to the nodes that do.
    if (parsed === undefined) return
    try {
      if (parsed.kind === 'udf') this.applyUdf(parsed.fileName, value)
      else if (parsed.kind === 'sindex') this.reconcileIndexes(parsed.namespace)
      else if (parsed.kind === 'recluster') this.reclusterHere()
      else if (value !== undefined) this.applyTruncate(parsed.namespace, parsed.setName, value)
    } catch (error) {
      this.log.error({ key, err: messageOf(error) }, 'a cluster metadata entry could not be applied on this node')
    }
  }

  private applyUdf(fileName: string, value: string | undefined): void {
    if (value === undefined) {
      this.udf.remove(fileName)
      return
    }
    const content = decodeUdf(value)
    if (content === undefined) {
      this.log.warn({ fileName }, 'a cluster metadata UDF entry is not a module: ignored')
      return
    }
    if (this.udf.modules.get(fileName)?.contentBase64 === content) return
    const error = this.udf.put(fileName, content, Buffer.from(content, 'base64'))
    // udf-put compiled it before writing: a failure here means this node's Lua differs.
    if (error !== undefined) this.log.error({ fileName, line: error.line, message: error.message }, 'a UDF module of the cluster does not compile on this node')
  }

  /** Truncate points only move forward: an entry at or before this node's cutoff changes nothing. */
  private applyTruncate(namespaceName: string, setName: string | undefined, value: string): void {
    const ns = this.namespaces.get(namespaceName)
    const cutoffMs = decodeCutoff(value)
    if (ns === undefined || cutoffMs === undefined) return
    // A set this node does not have yet gets one, so that its cutoff also holds for records that
    // arrive later (by migration) from before it.
    const currentMs = setName === undefined ? ns.truncateLutMs : ns.sets.getOrCreate(setName)?.truncateLutMs
    if (currentMs === undefined) {
      this.log.error({ ns: namespaceName, set: setName }, 'a truncated set of the cluster cannot be created on this node: too many sets')
      return
    }
    if (cutoffMs <= currentMs) return
    this.truncateHere(ns, setName, cutoffMs)
  }

  /**
   * Makes a namespace's indexes those its entries define, in key order: a definition already there
   * is kept (its build goes on), one changed under the same name is rebuilt, the same definition
   * under a new name renames the index, and an index without an entry is dropped. Every node ends
   * with the same indexes whatever order it saw the entries in.
   */
  private reconcileIndexes(namespaceName: string): void {
    const ns = this.namespaces.get(namespaceName)
    if (ns === undefined) return
    const prefix = sindexPrefix(namespaceName)
    const wanted: IndexDefinition[] = []
    for (const [key, value] of [...this.metadata.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      if (!key.startsWith(prefix)) continue
      const parsed = parseMetadataKey(key)
      const def = parsed?.kind === 'sindex' ? decodeIndex(parsed.namespace, parsed.name, value) : undefined
      if (def === undefined) this.log.warn({ key }, 'a cluster metadata index entry is not an index definition: ignored')
      else wanted.push(def)
    }
    const indexes = indexesOf(ns)
    for (const def of wanted) {
      const existing = indexes.get(def.name)
      if (existing !== undefined && !sameDefinition(existing.def, def)) indexes.delete(def.name)
      const outcome = indexes.create(def)
      if (!outcome.ok) this.log.error({ ns: namespaceName, index: def.name, message: outcome.message }, 'an index of the cluster could not be created on this node')
    }
    const names = new Set(wanted.map((def) => def.name))
    for (const index of indexes.all()) if (!names.has(index.def.name)) indexes.delete(index.def.name)
  }
}
