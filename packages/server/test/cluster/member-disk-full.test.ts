// A replica whose disk is full refuses the replica writes it cannot store (SERVER_FULL): the master
// answers TIMEOUT (in doubt) and its copy turns dirty, and the replica's copy is behind: it serves
// no read as a full copy and reports itself not full. Once its disk takes writes again it asks for a
// new view (nothing in the current one would make the writes up), and that view's plan refills it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, ResultCode, computeDigest, integerParticle, partitionId } from '@aerolite/protocol'
import { CommandError } from '../../src/command-error.ts'
import { makeView } from '../../src/cluster/view.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import { MemoryDisk } from '../../src/env/memory-disk.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { deviceConfig } from '../storage/harness.ts'
import { TestFabric, memberInfo, settle, startNode, type TestNode } from './member-harness.ts'

function write(ns: Namespace, key: string, value: number): { digest: Buffer; wait: Promise<void> | undefined } {
  const digest = computeDigest('demo', ParticleType.STRING, Buffer.from(key))
  const existing = ns.findAny(digest)
  ns.store(digest, existing, { generation: existing < 0 ? 1 : ns.generationOf(existing) + 1, voidTime: 0, lastUpdateMs: ns.nowMs(), setId: ns.sets.getOrCreate('demo')!.id, key: undefined, bins: [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(value) }] }, 'client')
  return { digest, wait: ns.replication!.pendingFor(digest) }
}

function keyMasteredBy(master: TestNode): string {
  for (let i = 0; ; i++) if (master.namespace.mastersPartition(partitionId(computeDigest('demo', ParticleType.STRING, Buffer.from(`k${i}`))))) return `k${i}`
}

/** How a write's wait ended ('ok' or its error), once the scheduler ran 100 ms. */
async function outcomeOf(env: ReturnType<typeof manualEnv>, wait: Promise<void> | undefined): Promise<unknown> {
  let outcome: unknown = 'pending'
  if (wait === undefined) return 'ok'
  wait.then(() => (outcome = 'ok'), (err: unknown) => (outcome = err))
  await env.scheduler.advance(100)
  return outcome
}

test('a replica whose disk was full is refilled at the view it asks for once the disk has room again', async () => {
  const env = manualEnv({ seed: 39 })
  const fabric = new TestFabric(env)
  const first = makeView(1, [memberInfo('A1'), memberInfo('B2')])
  const storage = (): { config: ReturnType<typeof deviceConfig>; disk: MemoryDisk } => {
    const disk = new MemoryDisk(env.scheduler)
    disk.mkdir('/data')
    return { config: deviceConfig(['/data/test.dat']), disk }
  }
  const bStorage = storage()
  const a = await startNode(env, fabric, 'A1', first, undefined, {}, storage())
  const b = await startNode(env, fabric, 'B2', first, undefined, {}, bStorage)
  await settle(env, [a, b])
  const key = keyMasteredBy(a)
  const first1 = write(a.namespace, key, 1)
  assert.equal(await outcomeOf(env, first1.wait), 'ok')
  const pid = partitionId(first1.digest)
  await env.scheduler.advance(1500)
  assert.equal(b.member.partitionMastery('test', pid), 'full-copy')

  // B2's disk fills up: its next flush fails, and from then on its storage refuses writes.
  bStorage.disk.failWith('ENOSPC')
  assert.equal(await outcomeOf(env, write(a.namespace, key, 2).wait), 'ok', 'held in memory until the flush fails')
  await env.scheduler.advance(1500)
  assert.ok(b.namespace.flusher!.ioError !== undefined, 'the flush failed')
  const refused = await outcomeOf(env, write(a.namespace, key, 3).wait)
  assert.ok(refused instanceof CommandError && refused.resultCode === ResultCode.TIMEOUT, `in doubt: ${String(refused)}`)
  assert.equal(b.namespace.generationOf(b.namespace.find(first1.digest)), 2, 'the replica kept the older version')
  assert.equal(b.member.partitionMastery('test', pid), 'elsewhere', 'a copy that missed a write is not full')

  // No new view while the disk is still full: a refill would fail the same way.
  await env.scheduler.advance(3000)
  assert.equal(b.republished(), 0)
  assert.equal(a.republished(), 0, 'nor does the master: the replica answered that it refused the write, and asks itself')

  // Room again: the flusher's retry succeeds, writes resume, and B2 asks for a new view.
  bStorage.disk.failWith(undefined)
  await env.scheduler.advance(2500)
  assert.equal(b.namespace.flusher!.ioError, undefined)
  assert.equal(b.namespace.isStopWrites(), false)
  assert.equal(b.republished(), 1)

  const next = makeView(2, [a.info, b.info])
  a.newView(next)
  b.newView(next)
  await settle(env, [a, b])
  assert.equal(b.namespace.generationOf(b.namespace.find(first1.digest)), 3, 'the replica was refilled with the master\'s version')
  assert.equal(b.member.partitionMastery('test', pid), 'full-copy')
  await env.scheduler.advance(3000)
  assert.equal(b.republished(), 1, 'asked once')
})

test('a node whose copy missed a replica write is not settled until the view it asks for has refilled it', async () => {
  // Found by the simulator (seeds 207, 241: a disk full for 2.2 s): the cluster called itself
  // settled while the copy was behind, between the refusal and the view that refills it, so a
  // check of the copies (or an operator's cluster-stable) in that window found them different.
  const env = manualEnv({ seed: 241 })
  const fabric = new TestFabric(env)
  const first = makeView(1, [memberInfo('A1'), memberInfo('B2')])
  const storage = (): { config: ReturnType<typeof deviceConfig>; disk: MemoryDisk } => {
    const disk = new MemoryDisk(env.scheduler)
    disk.mkdir('/data')
    return { config: deviceConfig(['/data/test.dat']), disk }
  }
  const bStorage = storage()
  const a = await startNode(env, fabric, 'A1', first, undefined, {}, storage())
  const b = await startNode(env, fabric, 'B2', first, undefined, {}, bStorage)
  await settle(env, [a, b])
  const key = keyMasteredBy(a)
  const digest = write(a.namespace, key, 1).digest
  await env.scheduler.advance(1500)
  assert.ok(b.member.isSettled())

  bStorage.disk.failWith('ENOSPC')
  write(a.namespace, key, 2)
  await env.scheduler.advance(1500)
  const refused = await outcomeOf(env, write(a.namespace, key, 3).wait)
  assert.ok(refused instanceof CommandError && refused.resultCode === ResultCode.TIMEOUT, `in doubt: ${String(refused)}`)
  assert.equal(b.member.isSettled(), false, 'a copy that missed a write is a migration still owed')
  assert.equal(b.member.migrationProgress('test').rxRemaining, 1, 'counted as a partition to receive')

  // The disk has room again and the storage takes writes, but the view that refills the copy has
  // not come yet: still not settled.
  bStorage.disk.failWith(undefined)
  for (let i = 0; i < 40 && b.namespace.flusher!.ioError !== undefined; i++) await env.scheduler.advance(50)
  assert.equal(b.namespace.flusher!.ioError, undefined)
  assert.equal(b.republished(), 0, 'not asked yet')
  assert.equal(b.member.isSettled(), false)
  assert.equal(b.namespace.generationOf(b.namespace.find(digest)), 2, 'the copies differ meanwhile')

  await env.scheduler.advance(1500)
  assert.equal(b.republished(), 1)
  const next = makeView(2, [a.info, b.info])
  a.newView(next)
  b.newView(next)
  await settle(env, [a, b])
  assert.equal(b.namespace.generationOf(b.namespace.find(digest)), 3, 'refilled: settled means the copies agree')
  assert.equal(b.member.migrationProgress('test').rxRemaining, 0)
})
