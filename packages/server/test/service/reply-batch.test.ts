// Replies held during a turn leave together at its end, each writer once, in the order they joined.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { manualEnv } from '../../src/env/manual-env.ts'
import { ReplyBatch, type BatchedWriter } from '../../src/service/reply-batch.ts'

test('writers that joined during a turn are flushed once each, in order, when the turn ends; a later join waits for the next turn', async () => {
  const env = manualEnv()
  // The turn of a simulated network ends when its scheduler runs what soon() queued.
  const batch = new ReplyBatch({ turnEnd: (run) => { env.scheduler.soon(run) } })
  const flushed: string[] = []
  const writer = (name: string): BatchedWriter => ({ flushReplies: () => flushed.push(name) })
  const a = writer('a')
  const b = writer('b')
  batch.add(a)
  batch.add(b)
  assert.deepEqual(flushed, [], 'nothing is written during the turn')
  assert.equal(env.scheduler.queuedTasks, 1, 'one flush per turn, whatever the number of writers')
  await env.scheduler.drain()
  assert.deepEqual(flushed, ['a', 'b'])
  batch.add(a)
  assert.deepEqual(flushed, ['a', 'b'])
  await env.scheduler.drain()
  assert.deepEqual(flushed, ['a', 'b', 'a'])
})

test('writers that join while the turn\'s writers are flushed are flushed with them, none in place of another', async () => {
  const env = manualEnv()
  const batch = new ReplyBatch({ turnEnd: (run) => { env.scheduler.soon(run) } })
  const flushed: string[] = []
  const writer = (name: string): BatchedWriter => ({ flushReplies: () => flushed.push(name) })
  batch.add({ flushReplies: () => { flushed.push('a'); batch.add(writer('late1')); batch.add(writer('late2')) } })
  batch.add(writer('b'))
  await env.scheduler.drain()
  assert.deepEqual(flushed, ['a', 'b', 'late1', 'late2'])
  assert.equal(env.scheduler.queuedTasks, 0)
})
