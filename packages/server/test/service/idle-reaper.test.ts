// proto-fd-idle-ms on the node's own time: driven here by a manual Env, no real waiting.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { manualEnv } from '../../src/env/manual-env.ts'
import { IdleReaper } from '../../src/service/idle-reaper.ts'

test('a connection is reaped once it sent nothing for the idle time, counted from its last activity', async () => {
  const env = manualEnv()
  let reaped = 0
  const reaper = new IdleReaper(1000, env, () => false, () => reaped++)
  await env.scheduler.advance(600)
  reaper.touch()
  await env.scheduler.advance(900)
  assert.equal(reaped, 0, 'activity 900 ms ago: not idle yet')
  await env.scheduler.advance(100)
  assert.equal(reaped, 1)
  await env.scheduler.advance(5000)
  assert.equal(reaped, 1, 'reaped once')
})

test('a busy connection is not reaped; once it is done the idle time runs out and it is', async () => {
  const env = manualEnv()
  let busy = true
  let reaped = 0
  new IdleReaper(1000, env, () => busy, () => reaped++)
  await env.scheduler.advance(10_000)
  assert.equal(reaped, 0)
  busy = false
  await env.scheduler.advance(1000)
  assert.equal(reaped, 1)
})

test('a stopped reaper never reaps', async () => {
  const env = manualEnv()
  let reaped = 0
  const reaper = new IdleReaper(1000, env, () => false, () => reaped++)
  reaper.stop()
  await env.scheduler.advance(5000)
  assert.equal(reaped, 0)
})
