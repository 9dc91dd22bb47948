// A fault inside one command answers that command with SERVER_ERROR; the connection and the node go on.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { OpType, ParticleType, ProtoType, ResultCode, decodeMessage } from '@aerolite/protocol'
import { connectionUnderTest } from './connection-harness.ts'
import { headerReply, opsReply } from '../../src/commands/reply.ts'

test('a command that throws answers 1 (SERVER_ERROR) and the next command on the connection is served', async () => {
  let calls = 0
  const under = await connectionUnderTest({
    info: () => Buffer.alloc(0),
    message: () => {
      calls++
      if (calls === 1) throw new TypeError('a bug')
      return { reply: headerReply(ResultCode.OK) }
    },
  })
  under.send(2)
  await under.untilFrames(2, 2000)
  under.close()
  assert.deepEqual(under.frames.map((f) => decodeMessage(f.body).resultCode), [ResultCode.SERVER_ERROR, ResultCode.OK])
})

test('a reply that waits for its change to settle holds back the replies after it; a change that cannot settle answers SERVER_ERROR', async () => {
  let calls = 0
  let settleFirst: () => void = () => {}
  const under = await connectionUnderTest({
    info: () => Buffer.alloc(0),
    message: () => {
      calls++
      if (calls === 1) return { reply: headerReply(ResultCode.OK, 1), settled: new Promise<void>((resolve) => { settleFirst = resolve }) }
      if (calls === 2) return { reply: headerReply(ResultCode.OK, 2), settled: Promise.reject(new Error('EIO')) }
      return { reply: headerReply(ResultCode.OK, 3) }
    },
  })
  under.send(3)
  await under.untilFrames(1, 200)
  assert.equal(under.frames.length, 0, 'nothing leaves before the first change settled')
  settleFirst()
  await under.untilFrames(3, 2000)
  under.close()
  assert.deepEqual(under.frames.map((f) => {
    const m = decodeMessage(f.body)
    return [m.resultCode, m.generation]
  }), [[ResultCode.OK, 1], [ResultCode.SERVER_ERROR, 0], [ResultCode.OK, 3]])
})

test('pipelined requests whose replies pass the pending-reply bound are all answered, in order', async () => {
  // 100 replies of 64 KiB in one turn: 6.4 MB held, over limits.maxPendingReplyBytes (4 MiB), so
  // the connection stops reading until they are written, then reads on.
  let calls = 0
  const under = await connectionUnderTest({
    info: () => Buffer.alloc(0),
    message: (request) => {
      calls++
      const bin = { type: OpType.READ, particleType: ParticleType.BLOB, name: 'b', value: Buffer.alloc(64 * 1024) }
      return { reply: opsReply(request, { resultCode: ResultCode.OK, generation: calls, voidTime: 0 }, [bin]) }
    },
  })
  under.send(100)
  under.send(100)
  await under.untilFrames(200, 10_000)
  under.close()
  assert.equal(under.frames.length, 200)
  assert.deepEqual(under.frames.map((f) => decodeMessage(f.body).generation), Array.from({ length: 200 }, (_, i) => i + 1))
})

test('a bad frame closes the connection, and the good frames of the same read before it are dropped, never run', async () => {
  let calls = 0
  const under = await connectionUnderTest({
    info: () => Buffer.alloc(0),
    message: () => {
      calls++
      return { reply: headerReply(ResultCode.OK) }
    },
  })
  // Proto version 9: not one Aerospike speaks.
  under.send(2, Buffer.from([9, ProtoType.MESSAGE, 0, 0, 0, 0, 0, 0]))
  await under.untilFrames(1, 300)
  const connection = under.connection()!
  under.close()
  assert.equal(calls, 0)
  assert.equal(under.frames.length, 0)
  assert.equal(connection.queuedFrames, 0, 'nothing of that read waits to run')
})
