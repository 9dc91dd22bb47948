// A node back in the cluster after it left (paused past its lease, say) may hold records of
// partitions it no longer owns, whose owners are full already: the partition is settled from the
// view's start. No fill or handover of it comes in that view, and a surplus copy was dropped only
// at those events, so it stayed forever (the simulator's seed 115: copies-differ, a node that owns
// no copy holds records). Now each member drops such copies as its plans are made.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, computeDigest, integerParticle, partitionId } from '@aerolite/protocol'
import { makeView, type View } from '../../src/cluster/view.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import { TestFabric, memberInfo, settle, startNode, type TestNode } from './member-harness.ts'

const RECORDS = 300

function show(nodes: TestNode[], view: View): void {
  for (const node of nodes) node.newView(view)
}

function holds(node: TestNode, digest: Buffer): boolean {
  return node.namespace.index.find(partitionId(digest), digest) >= 0
}

test('a node back after the others settled without it drops its copies of partitions it no longer owns, settled from the start of the view', async () => {
  const env = manualEnv({ seed: 115 })
  const fabric = new TestFabric(env)
  const [a, b, c] = await Promise.all(['A1', 'B2', 'C3'].map((id) => startNode(env, fabric, id, makeView(1, ['A1', 'B2', 'C3'].map(memberInfo))))) as [TestNode, TestNode, TestNode]
  const nodes = [a, b, c]
  show(nodes, makeView(1, [a.info, b.info, c.info]))
  await settle(env, nodes)
  // B goes (a crash): A and C own every partition, and take writes.
  b.loseLease()
  show([a, c], makeView(2, [a.info, c.info]))
  await settle(env, [a, c])
  const digests: Buffer[] = []
  for (let i = 0; i < RECORDS; i++) {
    const digest = computeDigest('demo', ParticleType.STRING, Buffer.from(`k${i}`))
    digests.push(digest)
    const ns = [a, c][a.member.planOf('test')!.master(partitionId(digest))]!.namespace
    ns.store(digest, -1, { generation: 1, voidTime: 0, lastUpdateMs: ns.nowMs(), setId: ns.sets.getOrCreate('demo')!.id, key: undefined, bins: [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(i) }] }, 'client')
  }
  await env.scheduler.advance(1000)
  assert.equal(a.namespace.objects + c.namespace.objects, 2 * RECORDS, 'each record on A and C')
  // A stops (a pause past its lease): B is back, and B and C settle without A (B is filled).
  a.loseLease()
  b.registerAgain(true)
  show([b, c], makeView(3, [b.info, c.info]))
  await settle(env, [b, c])
  // A continues: all three again. Where B and C own a partition, both are full from the start.
  a.registerAgain(true)
  show(nodes, makeView(4, [a.info, b.info, c.info]))
  await settle(env, nodes)
  await env.scheduler.advance(1000)
  const plan = a.member.planOf('test')!
  let settledAtStart = 0
  for (const digest of digests) {
    const pid = partitionId(digest)
    const owners = plan.owners(pid)
    if (!owners.includes(0)) settledAtStart++
    nodes.forEach((node, member) => assert.equal(holds(node, digest), owners.includes(member), `partition ${pid}: ${node.info.nodeId} holds the record exactly when it owns the partition`))
  }
  assert.ok(settledAtStart > 0, 'some records are of partitions A does not own')
  assert.equal(a.namespace.objects + b.namespace.objects + c.namespace.objects, 2 * RECORDS, 'no copy left over on a node that owns none')
})
