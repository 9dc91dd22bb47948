// A fill whose first message waits for one of the receiver's incoming slots must not undo the
// replica writes the receiver applies meanwhile. The target drops its copy when the fill takes a
// slot; a batch the master read before the wait and held at the receiver would then bring back the
// record as it was before those writes, and the acknowledged write would be lost once the target
// masters the partition (simulator seed 16: a restarted node, filled while it was busy). The
// master reads the partition only once its first message (which carries no record) took a slot.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, computeDigest, integerParticle } from '@aerolite/protocol'
import { makeView } from '../../src/cluster/view.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { readBins } from '../../src/record/layout.ts'
import { TestFabric, memberInfo, settle, startNode } from './member-harness.ts'

const digest = computeDigest('demo', ParticleType.STRING, Buffer.from('k'))

function put(ns: Namespace, value: number): void {
  const existing = ns.findAny(digest)
  const generation = existing < 0 ? 1 : ns.generationOf(existing) + 1
  const bins = [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(value) }]
  ns.store(digest, existing, { generation, voidTime: 0, lastUpdateMs: ns.nowMs(), setId: ns.sets.getOrCreate('demo')!.id, key: undefined, bins }, 'client')
}

function valueOf(ns: Namespace): number | undefined {
  const id = ns.find(digest)
  if (id < 0) return undefined
  const { buf, at } = ns.location(id)
  return Number(readBins(buf, at)[0]!.value.readBigInt64BE(0))
}

test('a write replicated while the fill waits for a slot on its target survives the fill', async () => {
  const env = manualEnv({ seed: 16 })
  const fabric = new TestFabric(env)
  const alone = makeView(1, [memberInfo('A1')])
  const a = await startNode(env, fabric, 'A1', alone)
  await settle(env, [a])
  put(a.namespace, 1)
  // B takes no incoming partition for now: the fill's first message waits for a slot.
  const both = makeView(2, [memberInfo('A1'), memberInfo('B2')])
  const b = await startNode(env, fabric, 'B2', both, undefined, { migrateMaxNumIncoming: 0 })
  a.newView(both)
  await env.scheduler.advance(100)
  assert.ok(a.member.migrationsRemaining() > 0, 'the fill of B waits')
  // A masters the partition (its copy is the full one) and replicates the write to B.
  put(a.namespace, 2)
  await env.scheduler.advance(100)
  assert.equal(valueOf(b.namespace), 2, 'the replica write reached B')
  b.settings.migrateMaxNumIncoming = 4
  b.member.settingsChanged()
  await settle(env, [a, b])
  assert.equal(valueOf(a.namespace), 2)
  assert.equal(valueOf(b.namespace), 2, 'the fill did not bring back the version before the write')
  assert.equal(b.namespace.generationOf(b.namespace.find(digest)), 2)
})
