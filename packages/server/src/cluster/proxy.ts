// Proxies: a single-record command (or batch row) that reached a node which is not its partition's
// master, because the client's partition map is stale, is forwarded to the master over the fabric
// and the master's reply relayed as it is. A proxy that fails answers TIMEOUT (9): the clients retry.
import { ResultCode, decodeMessage, encodeMessage, type Message } from '@aerolite/protocol'
import { headerReply, type CommandReply } from '../commands/reply.ts'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import { MessageType, type FabricLink } from './fabric-link.ts'
import { FabricError } from './fabric/errors.ts'

export interface ProxyCounters {
  /** Commands this node forwarded: answered, failed, timed out (Aerospike's client_proxy_complete, _error, _timeout). */
  complete: number
  error: number
  timeout: number
}

export function newProxyCounters(): ProxyCounters {
  return { complete: 0, error: 0, timeout: 0 }
}

export function proxyCommand(fabric: FabricLink, master: string, message: Message, hops: number, counters: ProxyCounters): Promise<CommandReply> {
  const payload = Buffer.concat([Buffer.from([hops + 1]), encodeMessage(message, message.fields, message.ops)])
  return fabric.request(master, MessageType.PROXY, payload, limits.proxyTimeoutMs).then(
    (reply) => {
      counters.complete++
      return { reply }
    },
    (err: unknown) => {
      if (err instanceof FabricError && err.code === 'ERR_FABRIC_TIMEOUT') counters.timeout++
      else counters.error++
      return { reply: headerReply(ResultCode.TIMEOUT), problem: `proxy to ${master} failed: ${err instanceof Error ? err.message : String(err)}` }
    },
  )
}

/** The master's side: runs forwarded commands on the single-record road and replies with their answers. */
export function serveProxies(fabric: FabricLink, run: (message: Message, hops: number) => Promise<CommandReply>, log: Logger): void {
  fabric.onMessage(MessageType.PROXY, (from, payload, reply) => {
    if (reply === undefined) return
    let message: Message
    try {
      // The payload is the fabric's receive buffer: the command may run later, so it keeps a copy.
      message = decodeMessage(Buffer.from(payload.subarray(1)))
    } catch (err) {
      log.warn({ from, err: err instanceof Error ? err.message : String(err) }, 'malformed proxied command')
      return reply(headerReply(ResultCode.PARAMETER_ERROR))
    }
    run(message, payload[0] ?? 0).then(
      (answer) => reply(answer.reply),
      (err: unknown) => {
        log.error({ from, err: err instanceof Error ? err.stack : String(err) }, 'proxied command failed')
        reply(headerReply(ResultCode.SERVER_ERROR))
      },
    )
  })
}
