// A failed flush stops writes (SERVER_FULL, stop_writes) until a flush succeeds again, and the
// flusher keeps trying after each error, even when the failed step left nothing to write (a sync):
// a node whose disk has room again leaves stop-writes by itself.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, ResultCode, integerParticle } from '@aerolite/protocol'
import { manualEnv } from '../../src/env/manual-env.ts'
import { Namespace } from '../../src/namespace/namespace.ts'
import { put, write } from '../commands/harness.ts'
import { deviceConfig, memoryLogger } from './harness.ts'

async function openOnMemoryDisk(commitToDevice: boolean) {
  const env = manualEnv({ seed: 1 })
  env.disk.mkdir('/data')
  const { log } = memoryLogger()
  const ns = new Namespace(deviceConfig(['/data/test.dat'], (s) => { s.commitToDevice = commitToDevice }), env, log)
  await ns.open(log)
  return { env, ns }
}

function putValue(ns: Namespace, key: string, value: number): number {
  return put(ns, key, [write('v', ParticleType.INTEGER, integerParticle(value))]).resultCode
}

test('a failed sync stops writes until a later sync succeeds, though nothing was left to write', async () => {
  const { env, ns } = await openOnMemoryDisk(true)
  assert.equal(putValue(ns, 'a', 1), ResultCode.OK)
  await env.scheduler.advance(50)
  env.disk.failNextSync('EIO')
  ns.store(Buffer.alloc(20, 7), -1, { generation: 1, voidTime: 0, lastUpdateMs: ns.nowMs(), setId: 0, key: undefined, bins: [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(2) }] }, 'client')
  let outcome: unknown = 'pending'
  ns.whenDurable()!.then(() => (outcome = 'ok'), (err: unknown) => (outcome = err))
  await env.scheduler.advance(50)
  assert.match(String(outcome), /EIO/)
  assert.equal(ns.isStopWrites(), true)
  assert.equal(putValue(ns, 'b', 3), ResultCode.SERVER_FULL)
  // The next flush tick past the wait after an error syncs again, and writes resume.
  await env.scheduler.advance(2500)
  assert.equal(ns.flusher!.ioError, undefined)
  assert.equal(ns.isStopWrites(), false)
  assert.equal(ns.storageAcceptsWrites(), true)
  assert.equal(putValue(ns, 'b', 3), ResultCode.OK)
})

test('a full disk stops writes while it is full, and they resume once it has room', async () => {
  const { env, ns } = await openOnMemoryDisk(false)
  env.disk.failWith('ENOSPC')
  assert.equal(putValue(ns, 'a', 1), ResultCode.OK, 'held in memory until the flush fails')
  await env.scheduler.advance(1500)
  assert.equal(ns.isStopWrites(), true)
  assert.equal(putValue(ns, 'b', 2), ResultCode.SERVER_FULL)
  await env.scheduler.advance(3000)
  assert.equal(ns.isStopWrites(), true, 'still full')
  env.disk.failWith(undefined)
  await env.scheduler.advance(2500)
  assert.equal(ns.isStopWrites(), false)
  assert.equal(putValue(ns, 'b', 2), ResultCode.OK)
})
