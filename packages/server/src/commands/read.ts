// Reads: all bins, selected bins, or the header only (exists / getHeader).
import { Info1, OpType, ResultCode, type OutOp } from '@aerolite/protocol'
import { recordBinCount, recordBinsStart, recordKey, recordTotalBytes, readBins } from '../record/layout.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { CommandError } from '../command-error.ts'
import { headerReply, opsReply, rawOpsReply, type CommandReply } from './reply.ts'
import { checkSetName, sameKey, type RecordRequest } from './request.ts'
import { checkRecordFilter } from './filter.ts'
import { touchOnRead } from './read-touch.ts'
import { OP_FAMILIES } from '../ops/families.ts'
import { binNames } from '../name-cache.ts'
import { applyOps, onlyPlainReads, recordView } from './apply-ops.ts'

export function executeRead(req: RecordRequest): CommandReply {
  const { namespace } = req
  const id = namespace.find(req.digest, req.partitionId)
  if (id < 0) {
    namespace.counters.clientReadNotFound++
    return { reply: headerReply(ResultCode.RECORD_NOT_FOUND) }
  }
  checkKey(req, namespace, id)
  checkSetName(req, id, false)
  checkRecordFilter(req, id)
  // The reply reports the record as read; a read-touch takes effect for later reads.
  const generation = namespace.generationOf(id)
  const voidTime = namespace.voidTimeOf(id)
  const touch = touchOnRead(req, id)
  namespace.counters.clientReadSuccess++
  const reply = readReply(req, id, generation, voidTime)
  return touch?.settled === undefined ? { reply } : { reply, settled: touch.settled }
}

function readReply(req: RecordRequest, id: number, generation: number, voidTime: number): Buffer {
  const { message, namespace } = req
  const meta = { resultCode: ResultCode.OK, generation, voidTime }
  if ((message.info1 & Info1.NOBINDATA) !== 0) return headerReply(ResultCode.OK, generation, voidTime)
  const { buf, at } = namespace.location(id)
  if (!onlyPlainReads(message)) {
    // An operate of read-only ops (list, map, bit, HLL, expression reads) runs them on a copy.
    const ctx = { bins: readBins(buf, at), record: recordView(req, id), readOnly: true, ops: OP_FAMILIES }
    return opsReply(message, meta, applyOps(message, ctx).results)
  }
  const readAll = (message.info1 & Info1.GET_ALL) !== 0 || message.ops.length === 0
  if (readAll) {
    const start = recordBinsStart(buf, at)
    return rawOpsReply(message, meta, recordBinCount(buf, at), buf.subarray(start, at + recordTotalBytes(buf, at)))
  }
  const bins = readBins(buf, at)
  const out: OutOp[] = []
  for (const op of message.ops) {
    const name = binNames.decode(op.name)
    for (const bin of bins) {
      if (bin.name === name) {
        out.push({ type: OpType.READ, particleType: bin.particleType, name: bin.name, value: bin.value })
        break
      }
    }
  }
  return opsReply(message, meta, out)
}

/** A request that carries the user key must match the key stored with the record. */
export function checkKey(req: RecordRequest, namespace: Namespace, id: number): void {
  if (req.key === undefined) return
  const { buf, at } = namespace.location(id)
  const stored = recordKey(buf, at)
  if (stored !== undefined && !sameKey(stored, req.key)) throw new CommandError(ResultCode.KEY_MISMATCH)
}
