// What scans and queries (foreground and background) share: namespace, set, the partitions to walk
// (whole, or resumed after a digest and index value), max records, records per second, the bin
// selection and, for an aggregation, the stream UDF. A number is the result code of a malformed request.
import { DIGEST_BYTES, FieldType, Info1, OpType, ResultCode, partitionId, type Message } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Namespace } from '../namespace/namespace.ts'
import type { CompiledExpression } from '../ops/exp/index.ts'
import { isAggregation, parseAggregation } from './aggregate.ts'
import type { UdfCall } from './udf-call.ts'
import { CommandError } from '../command-error.ts'
import { messageFilter } from './filter.ts'
import type { BinSelection } from './record-stream.ts'
import type { CommandContext } from './context.ts'
import type { PartitionOwnership } from './partition-mastery.ts'

/** Where a partition resumes: after this digest (and, in an index, after this index value). */
export interface ResumePoint {
  digest: Buffer
  bval: bigint | undefined
}

export interface PartitionRequest extends BinSelection {
  message: Message
  namespace: Namespace
  /** undefined = every set; -1 = a set that does not exist (no records match). */
  setId: number | undefined
  setName: string
  /** Partitions to walk from their start. */
  fullPartitions: number[]
  /** Partitions to resume. */
  resume: Map<number, ResumePoint>
  /** The request lists no partitions: it means the whole namespace, and the client tracks no partition of it. */
  wholeNamespace: boolean
  /** Which partitions this node masters, in a cluster (partition-mastery.ts). */
  ownership: PartitionOwnership | undefined
  /** 0 = no limit. */
  maxRecords: number
  /** 0 = no throttle. */
  recordsPerSecond: number
  /** The client's job id (TASK_ID); 0 when absent. */
  taskId: bigint
  /** The filter expression records must pass (skipped silently otherwise). */
  filter: CompiledExpression | undefined
  /** The stream UDF of an aggregation (UDF_OP 1); the records go to it instead of the client. */
  aggregation: UdfCall | undefined
}

export function parsePartitionRequest(message: Message, context: CommandContext): PartitionRequest | number {
  let namespace: Namespace | undefined
  let setName = ''
  let pids: number[] | undefined
  let digests: Buffer[] = []
  let bvals: bigint[] | undefined
  let maxRecords = 0
  let recordsPerSecond = 0
  let taskId = 0n
  for (const field of message.fields) {
    const d = field.data
    switch (field.type) {
      case FieldType.NAMESPACE:
        namespace = context.namespace(d.toString('utf8'))
        if (namespace === undefined) return ResultCode.NAMESPACE_NOT_FOUND
        break
      case FieldType.SET:
        if (d.length > limits.maxSetNameBytes) return ResultCode.PARAMETER_ERROR
        setName = d.toString('utf8')
        break
      case FieldType.PID_ARRAY:
        if (d.length % 2 !== 0) return ResultCode.PARAMETER_ERROR
        pids = []
        for (let i = 0; i < d.length; i += 2) {
          const pid = d.readUInt16LE(i)
          if (pid >= limits.partitions) return ResultCode.PARAMETER_ERROR
          pids.push(pid)
        }
        break
      case FieldType.DIGEST_ARRAY:
        if (d.length % DIGEST_BYTES !== 0) return ResultCode.PARAMETER_ERROR
        digests = []
        for (let i = 0; i < d.length; i += DIGEST_BYTES) digests.push(d.subarray(i, i + DIGEST_BYTES))
        break
      case FieldType.BVAL_ARRAY:
        if (d.length % 8 !== 0) return ResultCode.PARAMETER_ERROR
        bvals = []
        for (let i = 0; i < d.length; i += 8) bvals.push(d.readBigInt64LE(i))
        break
      case FieldType.MAX_RECORDS:
        if (d.length !== 8) return ResultCode.PARAMETER_ERROR
        maxRecords = Number(d.readBigUInt64BE(0))
        break
      case FieldType.RECORDS_PER_SECOND:
        if (d.length !== 4) return ResultCode.PARAMETER_ERROR
        recordsPerSecond = d.readUInt32BE(0)
        break
      case FieldType.TASK_ID:
        if (d.length !== 8) return ResultCode.PARAMETER_ERROR
        taskId = d.readBigUInt64BE(0)
        break
    }
  }
  if (namespace === undefined) return ResultCode.NAMESPACE_NOT_FOUND
  if (bvals !== undefined && bvals.length !== digests.length) return ResultCode.PARAMETER_ERROR
  const resume = new Map<number, ResumePoint>()
  digests.forEach((digest, i) => resume.set(partitionId(digest), { digest, bval: bvals?.[i] }))
  // No partition list at all means the whole namespace (old-style scans).
  const wholeNamespace = pids === undefined && resume.size === 0
  const fullPartitions = pids ?? (wholeNamespace ? Array.from({ length: limits.partitions }, (_, i) => i) : [])
  const set = setName === '' ? undefined : namespace.sets.get(setName)
  const setId = setName === '' ? undefined : (set?.id ?? -1)
  const noBins = (message.info1 & Info1.NOBINDATA) !== 0
  let binNames: string[] | undefined
  if (!noBins && (message.info1 & Info1.READ) !== 0 && message.ops.length > 0) {
    binNames = []
    for (const op of message.ops) {
      if (op.type !== OpType.READ) return ResultCode.UNSUPPORTED_FEATURE
      const name = op.name.toString('utf8')
      if (!binNames.includes(name)) binNames.push(name)
    }
  }
  const aggregation = isAggregation(message) ? parseAggregation(message) : undefined
  if (typeof aggregation === 'number') return aggregation
  let filter: CompiledExpression | undefined
  try {
    filter = messageFilter(message)
  } catch (err) {
    if (err instanceof CommandError) return err.resultCode
    throw err
  }
  return { message, namespace, setId, setName, fullPartitions, resume, wholeNamespace, ownership: context.ownership, maxRecords, recordsPerSecond, binNames, noBins, taskId, filter, aggregation }
}
