// Storing the outcome of a record-changing command under the write rules every write obeys:
// an empty record is a delete, stop-writes, set membership, TTL (default, max, nsup), the next
// generation and max-record-size. Used by writes (commands/write.ts) and UDF applies.
import { ResultCode } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Bin } from '../record/bins.ts'
import type { StoredKey } from '../record/layout.ts'
import { nextGeneration, resolveVoidTime } from '../namespace/ttl.ts'
import { CommandError } from '../command-error.ts'
import type { RecordRequest } from './request.ts'
import type { Namespace } from '../namespace/namespace.ts'

/** The record as the command found it. */
export interface FoundRecord {
  /** Entry of any version, expired or not (a write replaces it in place); -1 if none. */
  anyId: number
  /** Entry of the live version; -1 if none. */
  liveId: number
  generation: number
}

export interface VersionChange {
  bins: Bin[]
  /** The wire TTL to apply (the request's, or one the command chose). */
  wireTtl: number
  key: StoredKey | undefined
  /** The record starts over (new set membership). */
  startsOver: boolean
}

export interface StoredOutcome {
  removed: boolean
  generation: number
  voidTime: number
}

/** Looks the record up once: the entry of any version, and whether it is live. */
export function findRecord(namespace: Namespace, digest: Uint8Array): FoundRecord {
  const anyId = namespace.findAny(digest)
  const liveId = anyId >= 0 && namespace.isLive(anyId) ? anyId : -1
  return { anyId, liveId, generation: liveId >= 0 ? namespace.generationOf(liveId) : 0 }
}

/** Stores change as the record's next version, or removes the record when no bins are left. */
export function storeVersion(req: RecordRequest, found: FoundRecord, change: VersionChange): StoredOutcome {
  const { namespace } = req
  const exists = found.liveId >= 0
  if (change.bins.length === 0) {
    // A record left without bins is deleted; there must have been one to delete.
    if (!exists) throw new CommandError(ResultCode.RECORD_NOT_FOUND)
    namespace.remove(found.anyId, req.digest, 'client')
    return { removed: true, generation: nextGeneration(found.generation), voidTime: 0 }
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
  const voidTime = resolveVoidTime(change.wireTtl, namespace.config, exists ? namespace.voidTimeOf(found.liveId) : undefined, namespace.nowVoidTime())
  const version = {
    generation: nextGeneration(found.generation),
    voidTime,
    lastUpdateMs: namespace.nowMs(),
    setId,
    key: change.key,
    bins: change.bins,
  }
  const size = namespace.versionBytes(version)
  const maxBytes = Math.min(namespace.config.maxRecordSizeBytes || namespace.blocks.blockSizeBytes, namespace.blocks.blockSizeBytes)
  if (size > maxBytes) {
    namespace.counters.failRecordTooBig++
    throw new CommandError(ResultCode.RECORD_TOO_BIG)
  }
  namespace.store(req.digest, found.anyId, version, 'client')
  return { removed: false, generation: version.generation, voidTime }
}
