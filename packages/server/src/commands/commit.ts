// The one road for every change a command makes to a record: put, operate, delete, record UDFs,
// read-touch and background jobs all end here. The record rules are applied here and only here:
// generation checks (with their counters), an empty record is a delete, stop-writes, set
// membership, TTL, the next generation and the record size limit. A change that must settle before
// it is acknowledged (commit-to-device today, replication next) registers itself as in flight, and
// the command answers once it settled.
import { Info2, Info3, ResultCode, type Message } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import { BLOCK_HEADER_BYTES } from '../storage/block-format.ts'
import type { Bin } from '../record/bins.ts'
import { recordVersionedBins, type StoredKey } from '../record/layout.ts'
import { newestOf, versionsAfterWrite, type BinVersions, type WrittenRecord } from '../record/bin-versions.ts'
import { nextGeneration, resolveVoidTime } from '../namespace/ttl.ts'
import type { ChangeCause } from '../namespace/change-cause.ts'
import type { Namespace, NewVersion } from '../namespace/namespace.ts'
import { CommandError } from '../command-error.ts'
import type { RecordRequest } from './request.ts'

/** The record as the command found it. */
export interface FoundRecord {
  /** Entry of any version, expired or not (a write replaces it in place); -1 if none. */
  anyId: number
  /** Entry of the live version; -1 if none. */
  liveId: number
  generation: number
}

export interface StoreChange {
  bins: Bin[]
  /** The wire TTL to apply (the request's, or one the command chose). */
  wireTtl: number
  key: StoredKey | undefined
  /** The record starts over (new set membership). */
  startsOver: boolean
  /** Keep the generation (read-touch: not a client write, so writers' generation checks still pass). */
  keepGeneration?: boolean
  /** The bins the command's ops wrote: under conflict-resolve-writes they take its time even when their value stays. */
  writtenBins?: ReadonlySet<string>
  /** The per-bin versions and last-update time, when the command decided them (a shipped merge: commands/xdr-bin-merge.ts). */
  binVersions?: BinVersions
  lastUpdateMs?: number
}

export interface CommitOutcome {
  removed: boolean
  generation: number
  voidTime: number
  /** Resolves once the change is settled (durable); undefined when it already is. Rejects when it cannot be. */
  settled: Promise<void> | undefined
}

/** Looks the record up once: the entry of any version, and whether it is live. */
export function findRecord(namespace: Namespace, digest: Uint8Array, pid: number): FoundRecord {
  const anyId = namespace.findAny(digest, pid)
  const liveId = anyId >= 0 && namespace.isLive(anyId) ? anyId : -1
  return { anyId, liveId, generation: liveId >= 0 ? namespace.generationOf(liveId) : 0 }
}

/** The request's generation policy (equal, or greater than) against the record's generation. */
export function checkGeneration(namespace: Namespace, message: Message, generation: number): void {
  const equalFails = (message.info2 & Info2.GENERATION) !== 0 && message.generation !== generation
  const greaterFails = (message.info2 & Info2.GENERATION_GT) !== 0 && !(message.generation > generation)
  if (equalFails || greaterFails) {
    namespace.counters.failGeneration++
    throw new CommandError(ResultCode.GENERATION_ERROR)
  }
}

/** Largest record (uncompressed, as encoded) a namespace stores: max-record-size, within a write block. */
export function maxRecordBytes(namespace: Namespace): number {
  const fitsBlock = namespace.blocks.blockSizeBytes - BLOCK_HEADER_BYTES
  const configured = namespace.config.maxRecordSizeBytes
  return configured === 0 ? fitsBlock : Math.min(configured, fitsBlock)
}

/** A version's size, measured once; past the namespace's bound the version is refused with RECORD_TOO_BIG (counted). */
export function checkedRecordBytes(namespace: Namespace, version: NewVersion): number {
  const size = namespace.versionBytes(version)
  const maxBytes = maxRecordBytes(namespace)
  if (size > maxBytes) {
    namespace.counters.failRecordTooBig++
    throw new CommandError(ResultCode.RECORD_TOO_BIG, `record of ${size} bytes is over the namespace's limit of ${maxBytes}`)
  }
  return size
}

/** Stores change as the record's next version, or removes the record when no bins are left. */
export function commitStore(req: RecordRequest, found: FoundRecord, change: StoreChange, cause: ChangeCause): CommitOutcome {
  const { namespace } = req
  const exists = found.liveId >= 0
  if (change.bins.length === 0) {
    // A record left without bins is deleted; there must have been one to delete.
    if (!exists) throw new CommandError(ResultCode.RECORD_NOT_FOUND)
    return commitRemove(req, found.anyId, found.generation, cause)
  }
  if (namespace.isStopWrites()) {
    namespace.counters.stopWritesRejections++
    throw new CommandError(ResultCode.SERVER_FULL)
  }
  let setId = exists ? namespace.setIdOf(found.liveId) : 0
  if ((!exists || change.startsOver) && req.setName.length > 0) {
    const set = namespace.sets.getOrCreate(req.setName)
    if (set === undefined) throw new CommandError(ResultCode.PARAMETER_ERROR, `more than ${limits.maxSetsPerNamespace} sets`)
    setId = set.id
  }
  const existingVoidTime = exists ? namespace.voidTimeOf(found.liveId) : undefined
  const voidTime = resolveVoidTime(change.wireTtl, namespace.config, existingVoidTime, namespace.nowVoidTime())
  // Under conflict-resolve-writes the versions come from the record as found, unless the command decided them.
  const before = namespace.config.conflictResolveWrites && change.binVersions === undefined ? versionedBefore(req, found) : undefined
  // A version shipped from another cluster keeps the time it was made there, as its copy there does.
  const lastUpdateMs = change.lastUpdateMs ?? req.shippedVersion?.lastUpdateMs ?? localWriteLutMs(req, setId, before)
  const version = {
    generation: change.keepGeneration === true ? found.generation : nextGeneration(exists ? found.generation : deletedGeneration(req)),
    voidTime,
    lastUpdateMs,
    setId,
    key: change.key,
    bins: change.bins,
    binVersions: change.binVersions ?? (before === undefined ? undefined : versionsAfterWrite(before, change.bins, change.writtenBins, { lastUpdateMs, srcId: req.shippedVersion?.srcId ?? req.srcId }, lastUpdateMs - namespace.config.tombRaiderEligibleAgeSeconds * 1000)),
    encodedBytes: 0,
  }
  version.encodedBytes = checkedRecordBytes(namespace, version)
  namespace.store(req.digest, found.anyId, version, cause, req.partitionId)
  return { removed: false, generation: version.generation, voidTime, settled: settleChange(namespace, req.digest, commitLevelMaster(req)) }
}

/**
 * Under conflict-resolve-writes, the record as the write found it with the version of each bin: a
 * record created over a delete has that delete as its floor (bins of the deleted record that
 * another region still ships are older than it), or the bin versions bin convergence left with it.
 */
export function versionedBefore(req: RecordRequest, found: FoundRecord): WrittenRecord {
  const { namespace } = req
  if (found.liveId >= 0) {
    const { buf, at } = namespace.location(found.liveId)
    return recordVersionedBins(buf, at, req.srcId)
  }
  const deleted = namespace.tombstones.deleteOf(req.partitionId, req.digest)
  if (deleted === undefined) return { bins: [], versions: { floor: undefined, bins: new Map() } }
  const cemetery = namespace.tombstones.binVersionsOf(req.partitionId, req.digest)
  return { bins: [], versions: cemetery ?? { floor: { lastUpdateMs: deleted.lastUpdateMs, srcId: req.srcId }, bins: new Map() } }
}

/**
 * A local write's last-update time. Under conflict-resolve-writes it is later than every version
 * the record holds, even one shipped from a region whose clock runs ahead: a write stamped older
 * than what it overwrote would lose to that version in the other region and never converge.
 */
function localWriteLutMs(req: RecordRequest, setId: number, before: WrittenRecord | undefined): number {
  const nowMs = req.namespace.writeLutMs(req.namespace.sets.byIdOf(setId))
  const newestMs = before === undefined ? undefined : newestOf(before.versions)?.lastUpdateMs
  return newestMs === undefined || newestMs < nowMs ? nowMs : newestMs + 1
}

/**
 * The generation a record created now continues from: its durable delete's, when a tombstone
 * remembers one. Restarting at 1 would make the new record lose, under the generation
 * conflict-resolution policy, to the older delete on a copy that missed the new write.
 */
function deletedGeneration(req: RecordRequest): number {
  return req.namespace.tombstones.deleteOf(req.partitionId, req.digest)?.generation ?? 0
}

/** Removes a record (entry id of its current version); binVersions: what bin convergence keeps of it. */
export function commitRemove(req: RecordRequest, id: number, generation: number, cause: ChangeCause, binVersions?: BinVersions): CommitOutcome {
  const { namespace } = req
  const shipped = req.shippedVersion
  // Under conflict-resolve-writes a delete made here is later than every version the record holds too.
  const deletedAtMs = shipped?.lastUpdateMs ?? (namespace.config.conflictResolveWrites ? localWriteLutMs(req, namespace.setIdOf(id), versionedBefore(req, { anyId: id, liveId: id, generation })) : undefined)
  namespace.remove(id, req.digest, cause, req.partitionId, deletedAtMs === undefined ? undefined : { generation, lastUpdateMs: deletedAtMs, binVersions })
  return { removed: true, generation: nextGeneration(generation), voidTime: 0, settled: settleChange(namespace, req.digest, commitLevelMaster(req)) }
}

/**
 * The wait of a change just made (durable, and held by the other copies), registered as in flight on
 * its record until it settles. With commit-level master the command answers once the change is
 * durable here; later commands on the record still wait for the replicas.
 */
export function settleChange(namespace: Namespace, digest: Buffer, commitLevelMaster = false): Promise<void> | undefined {
  const durable = namespace.whenDurable()
  const replicated = namespace.replication?.pendingFor(digest)
  const settled = durable === undefined ? replicated : replicated === undefined ? durable : Promise.all([durable, replicated]).then(() => undefined)
  if (settled !== undefined) namespace.inFlight.register(digest, settled)
  if (commitLevelMaster && replicated !== undefined) {
    // Nobody waits on the replicas' answer: a failure there only marks the copy dirty.
    replicated.catch(() => undefined)
    return durable
  }
  return settled
}

/** The client asked for commit-level master (answer once the master applied the change). */
export function commitLevelMaster(req: RecordRequest): boolean {
  return (req.message.info3 & Info3.COMMIT_MASTER) !== 0
}
