// Deletes. A durable delete is accepted; in memory there is nothing older to resurrect, so the
// record is removed outright (a persistent namespace leaves a tombstone).
import { ResultCode } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import { checkKey } from './read.ts'
import { headerReply, type CommandReply } from './reply.ts'
import { checkSetName, writeCause, type RecordRequest } from './request.ts'
import { checkRecordFilter } from './filter.ts'
import { checkGeneration, commitRemove } from './commit.ts'

export function executeDelete(req: RecordRequest): CommandReply {
  const { message, namespace } = req
  const id = namespace.find(req.digest, req.partitionId)
  if (id < 0) {
    // A shipped delete is remembered anyway: an older shipped write arriving after it must lose.
    if (req.shippedVersion !== undefined) namespace.rememberDelete(req.partitionId, req.digest, { generation: 0, lastUpdateMs: req.shippedVersion.lastUpdateMs }, namespace.sets.get(req.setName)?.id ?? 0)
    namespace.counters.clientDeleteNotFound++
    return { reply: headerReply(ResultCode.RECORD_NOT_FOUND) }
  }
  const generation = namespace.generationOf(id)
  try {
    checkKey(req, namespace, id)
    checkSetName(req, id, false)
    checkGeneration(namespace, message, generation)
    checkRecordFilter(req, id)
  } catch (err) {
    if (!(err instanceof CommandError)) throw err
    namespace.counters.clientDeleteError++
    return { reply: headerReply(err.resultCode, generation) }
  }
  const outcome = commitRemove(req, id, generation, writeCause(req))
  namespace.counters.clientDeleteSuccess++
  const reply = headerReply(ResultCode.OK)
  return outcome.settled === undefined ? { reply } : { reply, settled: outcome.settled }
}
