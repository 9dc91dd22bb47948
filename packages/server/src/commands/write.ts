// Writes: put, operate and touch. The ops run in order on a working copy of the record's bins;
// the new version is stored only if every op succeeded, so a failed command changes nothing.
import { Info2, Info3, ResultCode, type Message, type OutOp } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import { readBins, recordKey, type StoredKey } from '../record/layout.ts'
import type { Bin } from '../record/bins.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { nextGeneration, resolveVoidTime } from '../namespace/ttl.ts'
import { applyOps, recordView } from './apply-ops.ts'
import { CommandError } from './command-error.ts'
import { checkKey } from './read.ts'
import { headerReply, opsReply } from './reply.ts'
import { checkSetName, type RecordRequest } from './request.ts'
import { checkRecordFilter } from './filter.ts'

/** The record as the write found it. */
interface Existing {
  /** Entry of any version, expired or not (a write replaces it in place); -1 if none. */
  anyId: number
  /** Entry of the live version; -1 if none (absent or expired). */
  liveId: number
  generation: number
}

export function executeWrite(req: RecordRequest): Buffer {
  const { namespace } = req
  const liveId = namespace.find(req.digest)
  const existing: Existing = {
    anyId: namespace.findAny(req.digest),
    liveId,
    generation: liveId >= 0 ? namespace.index.generation(liveId) : 0,
  }
  try {
    return write(req, existing)
  } catch (err) {
    if (!(err instanceof CommandError)) throw err
    countFailure(namespace, err.resultCode)
    // Failures report the generation of the record as it stands, as Aerospike's replies do.
    return headerReply(err.resultCode, existing.generation, 0)
  }
}

function write(req: RecordRequest, existing: Existing): Buffer {
  const { message, namespace } = req
  const exists = existing.liveId >= 0
  checkPolicies(req, existing)
  if (exists) checkRecordFilter(req, existing.liveId)

  let bins: Bin[] = []
  let storedKey: StoredKey | undefined
  let setId = 0
  if (exists) {
    const { buf, at } = namespace.location(existing.liveId)
    storedKey = recordKey(buf, at)
    setId = namespace.index.setId(existing.liveId)
    if ((message.info3 & (Info3.CREATE_OR_REPLACE | Info3.REPLACE_ONLY)) === 0) bins = readBins(buf, at)
  }
  const ctx = { bins, record: recordView(req, existing.liveId), readOnly: false }
  const applied = applyOps(message, ctx)
  bins = ctx.bins

  if (bins.length === 0) {
    // A write that leaves no bins deletes the record; there must have been one to delete.
    if (!exists) throw new CommandError(ResultCode.RECORD_NOT_FOUND)
    namespace.remove(existing.anyId, req.digest)
    namespace.counters.clientWriteSuccess++
    return reply(message, ResultCode.OK, 0, 0, applied.results)
  }
  if (namespace.isStopWrites()) {
    namespace.counters.stopWritesRejections++
    throw new CommandError(ResultCode.SERVER_FULL)
  }
  if ((!exists || applied.deleted) && req.setName.length > 0) {
    const set = namespace.sets.getOrCreate(req.setName)
    if (set === undefined) throw new CommandError(ResultCode.PARAMETER_ERROR, `more than ${limits.maxSetsPerNamespace} sets`)
    setId = set.id
  }
  const voidTime = resolveVoidTime(message.recordTtl, namespace.config, exists ? namespace.index.voidTime(existing.liveId) : undefined, namespace.nowVoidTime())
  const version = {
    generation: nextGeneration(existing.generation),
    voidTime,
    lastUpdateMs: namespace.nowMs(),
    setId,
    key: req.key ?? storedKey,
    bins,
  }
  const size = namespace.versionBytes(version)
  const maxBytes = Math.min(namespace.config.maxRecordSizeBytes || namespace.blocks.blockSizeBytes, namespace.blocks.blockSizeBytes)
  if (size > maxBytes) throw new CommandError(ResultCode.RECORD_TOO_BIG)
  namespace.store(req.digest, existing.anyId, version)
  namespace.counters.clientWriteSuccess++
  return reply(message, ResultCode.OK, version.generation, voidTime, applied.results)
}

/** Existence, generation and key checks, before any op runs. */
function checkPolicies(req: RecordRequest, existing: Existing): void {
  const { message, namespace } = req
  if (existing.liveId >= 0) {
    if ((message.info2 & Info2.CREATE_ONLY) !== 0) throw new CommandError(ResultCode.RECORD_EXISTS)
    checkKey(req, namespace, existing.liveId)
    checkSetName(req, existing.liveId, true)
  } else if ((message.info3 & (Info3.UPDATE_ONLY | Info3.REPLACE_ONLY)) !== 0) {
    throw new CommandError(ResultCode.RECORD_NOT_FOUND)
  }
  if ((message.info2 & Info2.GENERATION) !== 0 && message.generation !== existing.generation) throw new CommandError(ResultCode.GENERATION_ERROR)
  if ((message.info2 & Info2.GENERATION_GT) !== 0 && !(message.generation > existing.generation)) throw new CommandError(ResultCode.GENERATION_ERROR)
}

interface Applied {
  bins: Bin[]
  results: OutOp[]
  /** A delete op ran: the record starts over (new set membership, no old bins). */
  deleted: boolean
}

function reply(message: Message, resultCode: number, generation: number, voidTime: number, results: OutOp[]): Buffer {
  return results.length > 0 ? opsReply(message, { resultCode, generation, voidTime }, results) : headerReply(resultCode, generation, voidTime)
}

function countFailure(namespace: Namespace, resultCode: number): void {
  namespace.counters.clientWriteError++
  if (resultCode === ResultCode.GENERATION_ERROR) namespace.counters.failGeneration++
  if (resultCode === ResultCode.RECORD_TOO_BIG) namespace.counters.failRecordTooBig++
}
