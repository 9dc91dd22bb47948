// A fill whose end the receiver applied but whose answer the master never got is sent again: the
// receiver, already full, takes it again instead of refusing it forever, so the master learns the
// owner is full and the cluster settles (before, cluster-stable stayed false until the next view).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, computeDigest, integerParticle } from '@aerolite/protocol'
import { MessageType } from '../../src/cluster/fabric-link.ts'
import { makeView } from '../../src/cluster/view.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import { TestFabric, memberInfo, settle, startNode } from './member-harness.ts'

test('a fill sent again after its end\'s answer was lost is taken again, and the cluster settles', async () => {
  const env = manualEnv({ seed: 5 })
  const fabric = new TestFabric(env)
  const alone = makeView(1, [memberInfo('A1')])
  const a = await startNode(env, fabric, 'A1', alone)
  await settle(env, [a])
  for (let i = 0; i < 200; i++) {
    const digest = computeDigest('demo', ParticleType.STRING, Buffer.from(`k${i}`))
    a.namespace.store(digest, -1, { generation: 1, voidTime: 0, lastUpdateMs: a.namespace.nowMs(), setId: a.namespace.sets.getOrCreate('demo')!.id, key: undefined, bins: [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(i) }] }, 'client')
  }
  const both = makeView(2, [memberInfo('A1'), memberInfo('B2')])
  const b = await startNode(env, fabric, 'B2', both)
  fabric.loseNextReply.add(MessageType.MIGRATE_DONE)
  a.newView(both)
  await settle(env, [a, b])
  assert.equal(fabric.loseNextReply.size, 0, 'a reply was lost')
  assert.equal(b.namespace.objects, 200, 'the replica holds every record')
})
