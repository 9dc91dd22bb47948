// read-touch-ttl-percent: a read of a record within the last N% of its TTL resets the TTL, so hot
// records stay cached. A read's record_ttl carries N (0 = namespace setting, 0xffffffff = never).
import { ResultCode, citrusleafSeconds } from '@aerolite/protocol'
import { readBins, recordKey } from '../record/layout.ts'
import { CommandError } from '../command-error.ts'
import { commitStore, type CommitOutcome } from './commit.ts'
import type { RecordRequest } from './request.ts'

const DONT_TOUCH = 0xffffffff

/** The read-touch percent that applies to a read (0: none). */
function touchPercent(req: RecordRequest): number {
  const percent = req.message.recordTtl === 0 ? req.namespace.config.readTouchTtlPercent : req.message.recordTtl
  return percent === DONT_TOUCH ? 0 : percent
}

/** Whether a read may change its record (a read-touch): in a cluster it runs on the master, like a write. */
export function mayTouchOnRead(req: RecordRequest): boolean {
  return touchPercent(req) !== 0
}

/** Touches the record (entry id `id`, which stays its id) when a touch is due; returns the commit, or undefined when none was made. */
export function touchOnRead(req: RecordRequest, id: number): CommitOutcome | undefined {
  const { namespace } = req
  const percent = touchPercent(req)
  if (percent === 0) return undefined
  const voidTime = namespace.voidTimeOf(id)
  if (voidTime === 0) return undefined
  if (percent > 100) throw new CommandError(ResultCode.PARAMETER_ERROR, `read-touch-ttl-percent ${percent} is over 100`)
  const lastUpdateMs = namespace.lastUpdateMsOf(id)
  const ttlSeconds = voidTime - citrusleafSeconds(lastUpdateMs)
  // Touch once the remaining life is within percent% of the TTL the last write set, i.e. once
  // (100 - percent)% of it has passed. Elapsed time is measured in ms: void times are whole
  // seconds, and comparing them would touch up to a second early.
  const elapsedMs = namespace.nowMs() - lastUpdateMs
  if (ttlSeconds <= 0 || elapsedMs < ttlSeconds * (100 - percent) * 10) return undefined
  const { buf, at } = namespace.location(id)
  const found = { anyId: id, liveId: id, generation: namespace.generationOf(id) }
  // Not a client write: the generation stays, so generation checks of writers still pass.
  const change = { bins: readBins(buf, at), wireTtl: ttlSeconds, key: recordKey(buf, at), startsOver: false, keepGeneration: true }
  try {
    return commitStore(req, found, change, 'touch')
  } catch (err) {
    // A touch the namespace refuses now (stop-writes, a lowered max-ttl) is skipped; the read stands.
    if (err instanceof CommandError) return undefined
    throw err
  }
}
