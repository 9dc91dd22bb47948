// Writes: put, operate and touch. The ops run in order on a working copy of the record's bins;
// the new version is stored only if every op succeeded, so a failed command changes nothing.
import { Info2, Info3, OpType, ResultCode, type Message, type OutOp } from '@aerolite/protocol'
import { readBins, recordKey, type StoredKey } from '../record/layout.ts'
import type { Bin } from '../record/bins.ts'
import { OP_FAMILIES } from '../ops/families.ts'
import { applyOps, recordView } from './apply-ops.ts'
import { CommandError } from '../command-error.ts'
import { checkKey } from './read.ts'
import { headerReply, opsReply, type CommandReply } from './reply.ts'
import { checkSetName, writeCause, type RecordRequest } from './request.ts'
import { checkRecordFilter } from './filter.ts'
import { checkGeneration, commitStore, findRecord, type FoundRecord } from './commit.ts'

export function executeWrite(req: RecordRequest): CommandReply {
  const { namespace } = req
  const existing = findRecord(namespace, req.digest, req.partitionId)
  try {
    return write(req, existing)
  } catch (err) {
    if (!(err instanceof CommandError)) throw err
    namespace.counters.clientWriteError++
    // Failures report the generation of the record as it stands, as Aerospike's replies do.
    return { reply: headerReply(err.resultCode, existing.generation, 0) }
  }
}

function write(req: RecordRequest, existing: FoundRecord): CommandReply {
  const { message, namespace } = req
  const exists = existing.liveId >= 0
  checkPolicies(req, existing)
  if (exists) checkRecordFilter(req, existing.liveId)

  let bins: Bin[] = []
  let storedKey: StoredKey | undefined
  if (exists) {
    const { buf, at } = namespace.location(existing.liveId)
    storedKey = recordKey(buf, at)
    if ((message.info3 & (Info3.CREATE_OR_REPLACE | Info3.REPLACE_ONLY)) === 0) bins = readBins(buf, at)
  }
  const ctx = { bins, record: recordView(req, existing.liveId), readOnly: false, ops: OP_FAMILIES }
  const applied = applyOps(message, ctx)
  const writtenBins = namespace.config.conflictResolveWrites ? writtenBinNames(message) : undefined
  const change = { bins: ctx.bins, wireTtl: message.recordTtl, key: req.key ?? storedKey, startsOver: applied.deleted, writtenBins }
  const outcome = commitStore(req, existing, change, writeCause(req))
  namespace.counters.clientWriteSuccess++
  // A write that removed the record answers like a delete: no generation, no void time.
  const answer = outcome.removed
    ? reply(message, ResultCode.OK, 0, 0, applied.results)
    : reply(message, ResultCode.OK, outcome.generation, outcome.voidTime, applied.results)
  return outcome.settled === undefined ? { reply: answer } : { reply: answer, settled: outcome.settled }
}

const MODIFY_OPS: ReadonlySet<number> = new Set([OpType.WRITE, OpType.CDT_MODIFY, OpType.INCR, OpType.EXP_MODIFY, OpType.APPEND, OpType.PREPEND, OpType.BIT_MODIFY, OpType.HLL_MODIFY])

/** The bins the message's ops write, whether or not their values change (conflict-resolve-writes stamps them). */
function writtenBinNames(message: Message): Set<string> {
  const names = new Set<string>()
  for (const op of message.ops) if (MODIFY_OPS.has(op.type)) names.add(op.name.toString('utf8'))
  return names
}

/** Existence, generation and key checks, before any op runs. */
function checkPolicies(req: RecordRequest, existing: FoundRecord): void {
  const { message, namespace } = req
  if (existing.liveId >= 0) {
    if ((message.info2 & Info2.CREATE_ONLY) !== 0) throw new CommandError(ResultCode.RECORD_EXISTS)
    checkKey(req, namespace, existing.liveId)
    checkSetName(req, existing.liveId, true)
  } else if ((message.info3 & (Info3.UPDATE_ONLY | Info3.REPLACE_ONLY)) !== 0) {
    throw new CommandError(ResultCode.RECORD_NOT_FOUND)
  }
  checkGeneration(namespace, message, existing.generation)
}

function reply(message: Message, resultCode: number, generation: number, voidTime: number, results: OutOp[]): Buffer {
  return results.length > 0 ? opsReply(message, { resultCode, generation, voidTime }, results) : headerReply(resultCode, generation, voidTime)
}
