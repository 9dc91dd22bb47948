// One road for every AS_MSG: decode the addressing, pick the command by its info bits, run it.
import { FieldType, Info1, Info2, ResultCode, findField, type Message } from '@aerolite/protocol'
import { CommandError } from './command-error.ts'
import { executeDelete } from './delete.ts'
import { executeRead } from './read.ts'
import { headerReply } from './reply.ts'
import { parseRecordRequest, type NamespaceLookup } from './request.ts'
import { executeWrite } from './write.ts'

/** Multi-record and UDF commands arrive with other issues; they are refused plainly until then. */
function unsupportedKind(message: Message): string | undefined {
  if ((message.info1 & Info1.BATCH) !== 0) return 'batch'
  if (findField(message, FieldType.UDF_FUNCTION) !== undefined) return 'UDF'
  if (findField(message, FieldType.FILTER) !== undefined) return 'filter expressions'
  if (findField(message, FieldType.DIGEST) === undefined && findField(message, FieldType.NAMESPACE) !== undefined) return 'scan and query'
  return undefined
}

export interface DispatchResult {
  reply: Buffer
  /** Set when the command failed in a way worth a log line. */
  problem?: string
}

export function dispatchMessage(message: Message, namespaces: NamespaceLookup): DispatchResult {
  const unsupported = unsupportedKind(message)
  if (unsupported !== undefined) return { reply: headerReply(ResultCode.UNSUPPORTED_FEATURE), problem: `${unsupported} is not supported yet` }
  const req = parseRecordRequest(message, namespaces)
  if (typeof req === 'number') return { reply: headerReply(req), problem: req === ResultCode.NAMESPACE_NOT_FOUND ? 'namespace not found' : 'malformed record request' }
  try {
    if ((message.info2 & Info2.WRITE) !== 0) {
      return { reply: (message.info2 & Info2.DELETE) !== 0 ? executeDelete(req) : executeWrite(req) }
    }
    if ((message.info1 & Info1.READ) !== 0) return { reply: executeRead(req) }
    return { reply: headerReply(ResultCode.PARAMETER_ERROR), problem: 'message is neither a read nor a write' }
  } catch (err) {
    if (err instanceof CommandError) {
      if (err.resultCode !== ResultCode.KEY_MISMATCH) req.namespace.counters.clientReadError++
      return { reply: headerReply(err.resultCode), problem: err.message }
    }
    throw err
  }
}
