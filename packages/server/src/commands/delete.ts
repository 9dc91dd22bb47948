// Deletes. A durable delete is accepted; in memory there is nothing older to resurrect, so the
// record is removed outright (the persistent engine will leave a tombstone).
import { Info2, ResultCode } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import { checkKey } from './read.ts'
import { headerReply } from './reply.ts'
import { checkSetName, type RecordRequest } from './request.ts'
import { checkRecordFilter } from './filter.ts'

export function executeDelete(req: RecordRequest): Buffer {
  const { message, namespace } = req
  const id = namespace.find(req.digest)
  if (id < 0) {
    namespace.counters.clientDeleteNotFound++
    return headerReply(ResultCode.RECORD_NOT_FOUND)
  }
  const generation = namespace.generationOf(id)
  try {
    checkKey(req, namespace, id)
    checkSetName(req, id, false)
    if ((message.info2 & Info2.GENERATION) !== 0 && message.generation !== generation) throw new CommandError(ResultCode.GENERATION_ERROR)
    if ((message.info2 & Info2.GENERATION_GT) !== 0 && !(message.generation > generation)) throw new CommandError(ResultCode.GENERATION_ERROR)
    checkRecordFilter(req, id)
  } catch (err) {
    if (!(err instanceof CommandError)) throw err
    namespace.counters.clientDeleteError++
    return headerReply(err.resultCode, generation)
  }
  namespace.remove(id, req.digest, 'client')
  namespace.counters.clientDeleteSuccess++
  return headerReply(ResultCode.OK)
}
