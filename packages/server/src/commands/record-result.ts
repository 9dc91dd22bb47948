// What a single-record command gives back: a reply now (the fast path: no promise, no closure), a
// reply whose change must settle before it may leave, or a reply later (the command queued behind
// another change of its record).
import { ResultCode } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import { headerReply, type CommandReply } from './reply.ts'

export type RecordCommandResult = CommandReply | { later: Promise<CommandReply> }

/** The reply once its change has settled: the reply itself, or SERVER_ERROR when the change could not be made durable. */
export function whenSettled(result: RecordCommandResult): Promise<CommandReply> {
  if ('later' in result) return result.later
  const settled = result.settled
  if (settled === undefined) return Promise.resolve(result)
  return settled.then(
    () => ({ reply: result.reply }),
    // The change is applied but not durable (or not on every copy): the client must not count on it.
    (err: unknown) => err instanceof CommandError
      ? { reply: headerReply(err.resultCode), problem: err.message }
      : { reply: headerReply(ResultCode.SERVER_ERROR), problem: `change not made durable: ${err instanceof Error ? err.message : String(err)}` },
  )
}
