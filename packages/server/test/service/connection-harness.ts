// One ClientConnection over a real loopback socket, with the handlers a test gives it, and a raw
// client that pipelines empty messages and collects the reply frames.
import { createServer, connect, type AddressInfo } from 'node:net'
import { once } from 'node:events'
import pino from 'pino'
import { FrameParser, ProtoType, emptyHeader, encodeMessage, type Frame } from '@aerolite/protocol'
import { ClientConnection, type ConnectionHandlers } from '../../src/service/connection.ts'
import { realEnv } from '../../src/env/real-env.ts'
import { ReplyBatch } from '../../src/service/reply-batch.ts'

export interface ConnectionUnderTest {
  /** The server side, once the client has connected. */
  connection(): ClientConnection | undefined
  /** Reply frames received so far, in order. */
  readonly frames: Frame[]
  /** Sends `count` empty messages in one write, then `after` (raw bytes) in the same write. */
  send(count: number, after?: Buffer): void
  /** Waits until `count` frames arrived, or `limitMs` passed. */
  untilFrames(count: number, limitMs: number): Promise<void>
  close(): void
}

export async function connectionUnderTest(handlers: ConnectionHandlers): Promise<ConnectionUnderTest> {
  let connection: ClientConnection | undefined
  const server = createServer((socket) => {
    connection = new ClientConnection(socket, handlers, pino({ level: 'silent' }), { maxFrameBytes: 1 << 20, idleTimeoutMs: 0, env: realEnv, replyBatch: new ReplyBatch(realEnv.network), onReaped() {}, onBadFrame() {} })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1')
  const parser = new FrameParser(1 << 20)
  const frames: Frame[] = []
  client.on('data', (chunk: Buffer) => frames.push(...parser.push(chunk)))
  const body = encodeMessage(emptyHeader(), [], [])
  const request = Buffer.alloc(8 + body.length)
  request[0] = 2
  request[1] = ProtoType.MESSAGE
  request.writeUIntBE(body.length, 2, 6)
  body.copy(request, 8)
  return {
    connection: () => connection,
    frames,
    send: (count, after = Buffer.alloc(0)) => client.write(Buffer.concat([...Array.from({ length: count }, () => request), after])),
    untilFrames: async (count, limitMs) => {
      for (let waited = 0; frames.length < count && waited < limitMs; waited += 10) await new Promise((r) => setTimeout(r, 10))
    },
    close: () => {
      client.destroy()
      server.close()
    },
  }
}
