// commit-to-device: a command that may have written answers only once its writes are on disk and
// synced. The node wraps each dispatch result here; a write in a namespace with unsynced writes
// becomes a one-frame stream that waits for the flusher's next group commit, so concurrent writers
// share one fdatasync. Reads answer at once.
import { FieldType, Info1, Info2, ResultCode, findField, type Message } from '@aerolite/protocol'
import type { DispatchResult } from './dispatch.ts'
import { headerReply } from './reply.ts'
import type { Namespace } from '../namespace/namespace.ts'

function mayWrite(message: Message): boolean {
  return (message.info2 & Info2.WRITE) !== 0 || (message.info1 & Info1.BATCH) !== 0 || findField(message, FieldType.UDF_FUNCTION) !== undefined
}

function durability(namespaces: Iterable<Namespace>): Promise<unknown> | undefined {
  const pending: Promise<void>[] = []
  for (const ns of namespaces) {
    const p = ns.whenDurable()
    if (p !== undefined) pending.push(p)
  }
  return pending.length === 0 ? undefined : Promise.all(pending)
}

export function afterCommit(message: Message, result: DispatchResult, namespaces: Iterable<Namespace>): DispatchResult {
  if (!mayWrite(message)) return result
  if ('reply' in result) {
    const durable = durability(namespaces)
    if (durable === undefined) return result
    return {
      stream: async function* () {
        try {
          await durable
        } catch {
          // The write is applied but could not be made durable: the client must not count on it.
          yield headerReply(ResultCode.SERVER_ERROR)
          return
        }
        yield result.reply
      },
    }
  }
  // A batch runs its rows as it streams: the last frame waits for the rows' writes.
  const inner = result.stream
  return {
    stream: async function* (control) {
      let held: Buffer | undefined
      for await (const frame of inner(control)) {
        if (held !== undefined) yield held
        held = frame
      }
      const durable = durability(namespaces)
      if (durable !== undefined) await durable.catch(() => undefined)
      if (held !== undefined) yield held
    },
  }
}
