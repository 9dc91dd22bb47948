// A scriptable node for client tests: answers info requests from a table and every AS_MSG with a
// header-only reply carrying a chosen result code. Listens on a port chosen at run time.
import { createServer, type Server, type Socket } from 'node:net'
import { FrameParser, MESSAGE_HEADER_BYTES, ProtoType, encodeFrame, formatInfoResponse, parseInfoRequest } from '@aerolite/protocol'

export interface FakeNode {
  host: string
  port: number
  /** Info command -> value; change it at any time. */
  info: Map<string, string>
  /** Result code of message replies. */
  resultCode: number
  /** Bytes per write when replying (to split replies across reads); 0 = whole. */
  replyChunkBytes: number
  /** When false, message requests get no reply at all. */
  answerMessages: boolean
  messagesReceived: number
  sockets: Set<Socket>
  close(): Promise<void>
}

export async function startFakeNode(info: Record<string, string> = {}): Promise<FakeNode> {
  const sockets = new Set<Socket>()
  const node: FakeNode = {
    host: '127.0.0.1',
    port: 0,
    info: new Map(Object.entries(info)),
    resultCode: 0,
    replyChunkBytes: 0,
    answerMessages: true,
    messagesReceived: 0,
    sockets,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    }),
  }
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    const parser = new FrameParser(1024 * 1024)
    socket.on('data', (chunk: Buffer) => {
      for (const frame of parser.push(chunk)) {
        let reply: Buffer
        if (frame.type === ProtoType.INFO) {
          reply = encodeFrame(ProtoType.INFO, formatInfoResponse(parseInfoRequest(frame.body).map((line) => ({ line, value: node.info.get(line) ?? 'ERROR:4:unrecognized command' }))))
        } else {
          node.messagesReceived++
          if (!node.answerMessages) continue
          const body = Buffer.alloc(MESSAGE_HEADER_BYTES)
          body[0] = MESSAGE_HEADER_BYTES
          body[5] = node.resultCode
          reply = encodeFrame(ProtoType.MESSAGE, body)
        }
        write(socket, reply, node.replyChunkBytes)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  node.port = address.port
  return node
}

function write(socket: Socket, bytes: Buffer, chunkBytes: number): void {
  if (chunkBytes <= 0) {
    socket.write(bytes)
    return
  }
  for (let at = 0; at < bytes.length; at += chunkBytes) socket.write(bytes.subarray(at, at + chunkBytes))
}
