// A master whose replica write a member of the view did not confirm (the member unreachable: its
// channel redialling after a crash, a cut link) answers TIMEOUT and its copy turns dirty. Only a
// view's plan repairs that (the dirty master refills the other owners), and the member may stay in
// the view: so the master is not settled meanwhile and, once it reaches every other member again,
// asks for a new view (found by the simulator, seed 802: the copies differed in a settled cluster).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, ResultCode, computeDigest, integerParticle, partitionId } from '@aerolite/protocol'
import { CommandError } from '../../src/command-error.ts'
import { makeView } from '../../src/cluster/view.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
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

async function outcomeOf(env: ReturnType<typeof manualEnv>, wait: Promise<void> | undefined): Promise<unknown> {
  let outcome: unknown = 'pending'
  if (wait === undefined) return 'ok'
  wait.then(() => (outcome = 'ok'), (err: unknown) => (outcome = err))
  await env.scheduler.advance(100)
  return outcome
}

test('a master whose replica write a member of the view missed is not settled, and asks for a new view once it reaches every member; that view refills the replica', async () => {
  const env = manualEnv({ seed: 802 })
  const fabric = new TestFabric(env)
  const first = makeView(1, [memberInfo('A1'), memberInfo('B2')])
  const a = await startNode(env, fabric, 'A1', first)
  const b = await startNode(env, fabric, 'B2', first)
  await settle(env, [a, b])
  const key = keyMasteredBy(a)

  // A1 cannot reach B2 (B2 can reach A1): the replica write fails, the command is in doubt.
  fabric.cut.add('A1>B2')
  const { digest, wait } = write(a.namespace, key, 1)
  const refused = await outcomeOf(env, wait)
  assert.ok(refused instanceof CommandError && refused.resultCode === ResultCode.TIMEOUT, `in doubt: ${String(refused)}`)
  assert.ok(a.namespace.find(digest) >= 0 && b.namespace.find(digest) < 0, 'the copies differ')
  assert.equal(a.member.isSettled(), false, 'the master owes the replica the change')
  assert.equal(a.member.migrationProgress('test').txRemaining, 1)

  // While B2 cannot be reached, no new view: its copy report could not get there either.
  await env.scheduler.advance(3000)
  assert.equal(a.republished(), 0)

  // Reachable again: one new view, whose plan refills B2 from the dirty master.
  fabric.cut.delete('A1>B2')
  await env.scheduler.advance(2500)
  assert.equal(a.republished(), 1)
  const next = makeView(2, [a.info, b.info])
  a.newView(next)
  b.newView(next)
  await settle(env, [a, b])
  assert.ok(b.namespace.find(digest) >= 0, 'the replica was refilled with the master\'s version')
  assert.equal(a.member.migrationProgress('test').txRemaining, 0)
  await env.scheduler.advance(3000)
  assert.equal(a.republished(), 1, 'asked once')
})
