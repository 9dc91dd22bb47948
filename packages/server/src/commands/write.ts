// Writes: put, operate and touch. The ops run in order on a working copy of the record's bins;
// the new version is stored only if every op succeeded, so a failed command changes nothing.
import { Info1, Info2, Info3, OpType, ParticleType, ResultCode, type Op, type OutOp } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import { readBins, recordKey, type StoredKey } from '../record/layout.ts'
import type { Bin } from '../record/bins.ts'
import { nextGeneration, resolveVoidTime } from '../namespace/ttl.ts'
import { applyConcat, applyIncrement, applyWrite } from '../ops/scalar.ts'
import { CommandError } from './command-error.ts'
import { checkKey } from './read.ts'
import { headerReply, opsReply } from './reply.ts'
import type { RecordRequest } from './request.ts'

const NIL = Buffer.alloc(0)

export function executeWrite(req: RecordRequest): Buffer {
  const { message, namespace } = req
  const index = namespace.index
  const anyId = namespace.findAny(req.digest)
  const liveId = namespace.find(req.digest)
  const exists = liveId >= 0
  const generation = exists ? index.generation(liveId) : 0
  try {
    return write(req, anyId, liveId)
  } catch (err) {
    if (!(err instanceof CommandError)) throw err
    namespace.counters.clientWriteError++
    if (err.resultCode === ResultCode.GENERATION_ERROR) namespace.counters.failGeneration++
    if (err.resultCode === ResultCode.RECORD_TOO_BIG) namespace.counters.failRecordTooBig++
    return headerReply(err.resultCode, generation, 0)
  }
  function write(req: RecordRequest, anyId: number, liveId: number): Buffer {
    const checkInfo3 = message.info3
    if (exists) {
      if ((message.info2 & Info2.CREATE_ONLY) !== 0) throw new CommandError(ResultCode.RECORD_EXISTS)
      checkKey(req, namespace, liveId)
    } else if ((checkInfo3 & (Info3.UPDATE_ONLY | Info3.REPLACE_ONLY)) !== 0) {
      throw new CommandError(ResultCode.RECORD_NOT_FOUND)
    }
    if ((message.info2 & Info2.GENERATION) !== 0 && message.generation !== generation) throw new CommandError(ResultCode.GENERATION_ERROR)
    if ((message.info2 & Info2.GENERATION_GT) !== 0 && !(message.generation > generation)) throw new CommandError(ResultCode.GENERATION_ERROR)

    let bins: Bin[] = []
    let storedKey: StoredKey | undefined
    let setId = 0
    if (exists) {
      const { buf, at } = namespace.location(liveId)
      storedKey = recordKey(buf, at)
      setId = index.setId(liveId)
      if ((checkInfo3 & (Info3.CREATE_OR_REPLACE | Info3.REPLACE_ONLY)) === 0) bins = readBins(buf, at)
    }
    const respondAll = (message.info2 & Info2.RESPOND_ALL_OPS) !== 0
    const results: OutOp[] = []
    let touched = false
    let deleted = false
    for (const op of message.ops) {
      const name = op.name.toString('utf8')
      switch (op.type) {
        case OpType.READ:
          readInto(results, bins, name, op, message.info1, respondAll)
          continue
        case OpType.TOUCH:
          if (!exists) throw new CommandError(ResultCode.RECORD_NOT_FOUND)
          touched = true
          break
        case OpType.DELETE:
          bins = []
          deleted = true
          break
        case OpType.WRITE:
          checkBinName(name)
          applyWrite(bins, name, op)
          break
        case OpType.INCR:
          checkBinName(name)
          applyIncrement(bins, name, op)
          break
        case OpType.APPEND:
        case OpType.PREPEND:
          checkBinName(name)
          applyConcat(bins, name, op, op.type === OpType.PREPEND)
          break
        case OpType.CDT_READ: case OpType.CDT_MODIFY: case OpType.EXP_READ: case OpType.EXP_MODIFY:
        case OpType.BIT_READ: case OpType.BIT_MODIFY: case OpType.HLL_READ: case OpType.HLL_MODIFY:
          throw new CommandError(ResultCode.UNSUPPORTED_FEATURE, `op type ${op.type} is not supported yet`)
        default:
          throw new CommandError(ResultCode.PARAMETER_ERROR, `unknown op type ${op.type}`)
      }
      if (respondAll) results.push({ type: OpType.READ, particleType: ParticleType.NULL, name, value: NIL })
    }
    if (bins.length > limits.maxBinsPerRecord) throw new CommandError(ResultCode.PARAMETER_ERROR, 'too many bins')

    if (bins.length === 0) {
      // A write that leaves no bins deletes the record (or creates nothing).
      if (exists || anyId >= 0) namespace.remove(anyId, req.digest)
      namespace.counters.clientWriteSuccess++
      return results.length > 0 ? opsReply(message, { resultCode: ResultCode.OK, generation: 0, voidTime: 0 }, results) : headerReply(ResultCode.OK)
    }
    if (namespace.isStopWrites()) {
      namespace.counters.stopWritesRejections++
      throw new CommandError(ResultCode.SERVER_FULL)
    }
    if (!exists || deleted) {
      if (req.setName.length > 0) {
        const set = namespace.sets.getOrCreate(req.setName)
        if (set === undefined) throw new CommandError(ResultCode.PARAMETER_ERROR, 'too many sets in the namespace')
        setId = set.id
      }
    }
    const voidTime = resolveVoidTime(message.recordTtl, namespace.config, exists ? index.voidTime(liveId) : undefined, namespace.nowVoidTime())
    const version = {
      generation: nextGeneration(generation),
      voidTime,
      lastUpdateMs: namespace.nowMs(),
      setId,
      key: req.key ?? storedKey,
      bins,
    }
    const size = namespace.versionBytes(version)
    const maxBytes = namespace.config.maxRecordSizeBytes || namespace.blocks.blockSizeBytes
    if (size > maxBytes || size > namespace.blocks.blockSizeBytes) throw new CommandError(ResultCode.RECORD_TOO_BIG)
    namespace.store(req.digest, anyId, version)
    void touched
    namespace.counters.clientWriteSuccess++
    const meta = { resultCode: ResultCode.OK, generation: version.generation, voidTime }
    return results.length > 0 ? opsReply(message, meta, results) : headerReply(ResultCode.OK, version.generation, voidTime)
  }
}

function checkBinName(name: string): void {
  if (Buffer.byteLength(name) > limits.maxBinNameBytes) throw new CommandError(ResultCode.BIN_NAME_TOO_LONG)
  if (name.length === 0) throw new CommandError(ResultCode.PARAMETER_ERROR, 'empty bin name')
}

/** A read inside an operate sees the bins as the preceding ops left them. */
function readInto(results: OutOp[], bins: readonly Bin[], name: string, op: Op, info1: number, respondAll: boolean): void {
  if (name.length === 0 || (info1 & Info1.GET_ALL) !== 0) {
    for (const bin of bins) results.push({ type: OpType.READ, particleType: bin.particleType, name: bin.name, value: bin.value })
    return
  }
  for (const bin of bins) {
    if (bin.name === name) {
      results.push({ type: OpType.READ, particleType: bin.particleType, name, value: bin.value })
      return
    }
  }
  if (respondAll) results.push({ type: OpType.READ, particleType: ParticleType.NULL, name, value: op.value.subarray(0, 0) })
}
