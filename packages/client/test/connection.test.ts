import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { MESSAGE_HEADER_BYTES, ProtoType, encodeFrame, type Frame } from '@aerolite/protocol'
import { Connection, ConnectionError, requestInfo, infoValue, InfoError, type ReplyWaiter } from '../src/index.ts'
import { realEnv } from '@aerolite/server'
import { startFakeNode, type FakeNode } from './fake-node.ts'

const MESSAGE = encodeFrame(ProtoType.MESSAGE, Buffer.concat([Buffer.from([MESSAGE_HEADER_BYTES]), Buffer.alloc(MESSAGE_HEADER_BYTES - 1)]))

let node: FakeNode

before(async () => {
  node = await startFakeNode({ node: 'BB9000000000001', build: '8.1.0.0' })
})

after(async () => {
  await node.close()
})

function collector(): ReplyWaiter & { replies: Frame[]; failures: ConnectionError[]; settled: Promise<void>; expect(n: number): void } {
  let resolve = (): void => {}
  let wanted = Number.POSITIVE_INFINITY
  const c = {
    replies: [] as Frame[],
    failures: [] as ConnectionError[],
    settled: new Promise<void>((r) => (resolve = r)),
    expect(n: number) {
      wanted = n
    },
    onReply(frame: Frame) {
      c.replies.push(frame)
      if (c.replies.length + c.failures.length >= wanted) resolve()
    },
    onFailure(error: ConnectionError) {
      c.failures.push(error)
      if (c.replies.length + c.failures.length >= wanted) resolve()
    },
  }
  return c
}

describe('Connection', () => {
  test('info request and answer', async () => {
    const connection = await Connection.open(node.host, node.port, { env: realEnv })
    const answers = await requestInfo(connection, ['node', 'build'])
    assert.equal(infoValue(answers, 'node', 'fake'), 'BB9000000000001')
    assert.equal(infoValue(answers, 'build', 'fake'), '8.1.0.0')
    assert.throws(() => infoValue(answers, 'replicas', 'fake'), (err: unknown) => err instanceof InfoError && /did not answer info command "replicas"/.test(err.message))
    const bad = await requestInfo(connection, ['nonsense'])
    assert.throws(() => infoValue(bad, 'nonsense', 'fake'), /answered info command "nonsense" with ERROR:4/)
    connection.destroy()
  })

  test('pipelined requests get their replies in order, also when replies arrive one byte at a time', async () => {
    node.replyChunkBytes = 1
    try {
      const connection = await Connection.open(node.host, node.port, { env: realEnv })
      const c = collector()
      c.expect(20)
      for (let i = 0; i < 20; i++) connection.send(MESSAGE, c)
      assert.equal(connection.pendingCount, 20)
      await c.settled
      assert.equal(c.replies.length, 20)
      assert.equal(connection.pendingCount, 0)
      for (const frame of c.replies) assert.equal(frame.body[5], 0)
      connection.destroy()
    } finally {
      node.replyChunkBytes = 0
    }
  })

  test('destroy fails every waiting request with the given error; later sends fail asynchronously', async () => {
    node.answerMessages = false
    try {
      const connection = await Connection.open(node.host, node.port, { env: realEnv })
      const c = collector()
      c.expect(3)
      connection.send(MESSAGE, c)
      connection.send(MESSAGE, c)
      connection.destroy(new ConnectionError('ERR_TIMEOUT', 'too slow'))
      assert.equal(connection.isOpen, false)
      let sync = true
      connection.send(MESSAGE, c)
      assert.equal(c.failures.length, 2, 'the send after destroy does not fail from inside send()')
      sync = false
      await c.settled
      assert.equal(sync, false)
      assert.deepEqual(c.failures.map((f) => f.code), ['ERR_TIMEOUT', 'ERR_TIMEOUT', 'ERR_TIMEOUT'])
    } finally {
      node.answerMessages = true
    }
  })

  test('the peer closing fails waiting requests with ERR_CLOSED', async () => {
    node.answerMessages = false
    try {
      const connection = await Connection.open(node.host, node.port, { env: realEnv })
      const reply = connection.request(MESSAGE)
      await new Promise((r) => setTimeout(r, 20))
      for (const socket of node.sockets) socket.destroy()
      await assert.rejects(reply, (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_CLOSED')
    } finally {
      node.answerMessages = true
    }
  })

  test('a bad frame or an unrequested reply closes the connection with ERR_FRAME', async () => {
    for (const answer of [Buffer.from([9, 9, 9, 9, 9, 9, 9, 9]), Buffer.concat([MESSAGE, MESSAGE])]) {
      const server = createServer((socket) => socket.once('data', () => socket.write(answer)))
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const port = (server.address() as { port: number }).port
      const connection = await Connection.open('127.0.0.1', port, { env: realEnv })
      const first = connection.request(MESSAGE).then(() => undefined, (err: ConnectionError) => err.code)
      const firstOutcome = await first
      // The unrequested second reply arrives in the same read as the first one's.
      assert.equal(firstOutcome, answer.length === 8 ? 'ERR_FRAME' : undefined)
      await assert.rejects(connection.request(MESSAGE), (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_FRAME')
      assert.equal(connection.isOpen, false)
      await new Promise<void>((r) => server.close(() => r()))
    }
  })

  test('connect failures name the address', async () => {
    const server = createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    await new Promise<void>((r) => server.close(() => r()))
    await assert.rejects(Connection.open('127.0.0.1', port, { env: realEnv }), (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_CONNECT' && err.message.includes(`127.0.0.1:${port}`))
  })
})
