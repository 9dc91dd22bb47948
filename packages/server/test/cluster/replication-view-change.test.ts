// A write whose replica write a view change cut short: the master sends the record again to the
// owners of the new view once its plans are ready and the write is acknowledged, instead of failing
// (TIMEOUT) and leaving a dirty copy; if the new view gives the partition another master, the write
// fails as in doubt (its copy turns dirty, and its node asks for the later view that gathers it).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, computeDigest, integerParticle, partitionId } from '@aerolite/protocol'
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

async function twoNodes() {
  const env = manualEnv({ seed: 9 })
  const fabric = new TestFabric(env)
  const first = makeView(1, [memberInfo('A1'), memberInfo('B2')])
  const a = await startNode(env, fabric, 'A1', first)
  const b = await startNode(env, fabric, 'B2', first)
  await settle(env, [a, b])
  return { env, a, b }
}

/** A key whose partition `master` masters in the view both nodes hold. */
function keyMasteredBy(master: TestNode): string {
  for (let i = 0; ; i++) if (master.namespace.mastersPartition(partitionId(computeDigest('demo', ParticleType.STRING, Buffer.from(`k${i}`))))) return `k${i}`
}

test('a write in flight at a view change is sent again in the new view and acknowledged', async () => {
  const { env, a, b } = await twoNodes()
  const key = keyMasteredBy(a)
  const { digest, wait } = write(a.namespace, key, 7)
  assert.ok(wait !== undefined, 'the write waits on its replica')
  let outcome: unknown = 'pending'
  wait.then(() => (outcome = 'ok'), (err: unknown) => (outcome = err))
  // The same members at a newer revision: a new view, the same owners.
  const next = makeView(2, [a.info, b.info])
  a.newView(next)
  b.newView(next)
  await settle(env, [a, b])
  assert.equal(outcome, 'ok')
  assert.ok(b.namespace.find(digest) >= 0, 'the replica has the record')
})

test('a write in flight when its partition moves to another master fails as in doubt', async () => {
  const { env, a, b } = await twoNodes()
  const key = keyMasteredBy(a)
  const { digest, wait } = write(a.namespace, key, 8)
  let outcome: unknown = 'pending'
  wait!.then(() => (outcome = 'ok'), (err: unknown) => (outcome = err))
  // A1 quiesced: B2 masters every partition once it is full (it is).
  const next = makeView(2, [{ ...a.info, quiesced: true }, b.info])
  a.newView(next)
  b.newView(next)
  await env.scheduler.advance(500)
  assert.match(String(outcome), /not every replica/)
  assert.equal(b.namespace.mastersPartition(partitionId(digest)), true)
  // A1's copy turned dirty after its report: the plan of this view does not know, so A1 is not
  // settled and asks for a new view, whose new master gathers the copy.
  assert.equal(a.member.isSettled(), false)
  await env.scheduler.advance(1500)
  assert.equal(a.republished(), 1)
  const third = makeView(3, [{ ...a.info, quiesced: true }, b.info])
  a.newView(third)
  b.newView(third)
  await settle(env, [a, b])
  assert.ok(b.namespace.find(digest) >= 0, 'the master holds the record')
})
