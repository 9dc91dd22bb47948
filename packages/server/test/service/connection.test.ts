// A fault inside one command answers that command with SERVER_ERROR; the connection and the node go on.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type AddressInfo } from 'node:net'
import { once } from 'node:events'
import pino from 'pino'
import { FrameParser, ProtoType, ResultCode, decodeMessage, emptyHeader, encodeMessage, type Frame } from '@aerolite/protocol'
import { ClientConnection } from '../../src/service/connection.ts'
import { headerReply } from '../../src/commands/reply.ts'

test('a command that throws answers 1 (SERVER_ERROR) and the next command on the connection is served', async () => {
  let calls = 0
  const server = createServer((socket) => {
    new ClientConnection(socket, {
      info: () => Buffer.alloc(0),
      message: () => {
        calls++
        if (calls === 1) throw new TypeError('a bug')
        return { reply: headerReply(ResultCode.OK) }
      },
    }, pino({ level: 'silent' }), { maxFrameBytes: 1 << 20, idleTimeoutMs: 0, onReaped() {}, onBadFrame() {} })
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
  client.write(Buffer.concat([request, request]))
  for (let waited = 0; frames.length < 2 && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10))
  client.destroy()
  server.close()
  assert.deepEqual(frames.map((f) => decodeMessage(f.body).resultCode), [ResultCode.SERVER_ERROR, ResultCode.OK])
})
