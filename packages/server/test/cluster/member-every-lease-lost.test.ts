// Every member loses its lease at once (the membership store unreachable for all of them past the
// TTL). The first node back forms a view alone and makes its copies full, though it holds nothing
// of the partitions it did not own. Before, it then filled the others as they came back, which
// replaced (dropped) their copies: acknowledged writes were lost. Now a node that registers again
// after every member lost its lease marks the copies that were full dirty, so the working master
// gathers them (a merge) before it fills them. When the cluster went on without the node, its
// copies are still replaced, so a delete it missed cannot come back.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, computeDigest, integerParticle, partitionId } from '@aerolite/protocol'
import { makeView, type View } from '../../src/cluster/view.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import { TestFabric, memberInfo, settle, startNode, type TestNode } from './member-harness.ts'

const RECORDS = 300

async function threeNodesWithRecords(seed: number): Promise<{ env: ReturnType<typeof manualEnv>; nodes: TestNode[]; digests: Buffer[] }> {
  const env = manualEnv({ seed })
  const fabric = new TestFabric(env)
  const all = makeView(1, ['A1', 'B2', 'C3'].map(memberInfo))
  const nodes = await Promise.all(['A1', 'B2', 'C3'].map((id) => startNode(env, fabric, id, all)))
  for (const node of nodes) node.newView(all)
  await settle(env, nodes)
  const digests: Buffer[] = []
  for (let i = 0; i < RECORDS; i++) {
    const digest = computeDigest('demo', ParticleType.STRING, Buffer.from(`k${i}`))
    digests.push(digest)
    // Written on the master and replicated to the other owner, as a client's write.
    const master = nodes[nodes[0]!.member.planOf('test')!.master(partitionId(digest))]!
    const ns = master.namespace
    ns.store(digest, -1, { generation: 1, voidTime: 0, lastUpdateMs: ns.nowMs(), setId: ns.sets.getOrCreate('demo')!.id, key: undefined, bins: [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(i) }] }, 'client')
  }
  await env.scheduler.advance(1000)
  assert.equal(nodes.reduce((sum, node) => sum + node.namespace.objects, 0), 2 * RECORDS, 'each record on its two owners')
  return { env, nodes, digests }
}

function holds(node: TestNode, digest: Buffer): boolean {
  return node.namespace.index.find(partitionId(digest), digest) >= 0
}

function show(nodes: TestNode[], view: View): void {
  for (const node of nodes) node.newView(view)
}

test('every lease lost: the node back first does not replace the others\' copies; every record survives on its owners', async () => {
  const { env, nodes, digests } = await threeNodesWithRecords(11)
  const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
  for (const node of nodes) node.loseLease()
  // C registers first and forms a view alone; A, then B, come back.
  c.registerAgain(false)
  show([c], makeView(10, [c.info]))
  await settle(env, [c])
  a.registerAgain(false)
  show([a, c], makeView(11, [a.info, c.info]))
  await env.scheduler.advance(50)
  b.registerAgain(false)
  show(nodes, makeView(12, [a.info, b.info, c.info]))
  await settle(env, nodes)
  await env.scheduler.advance(1000)
  const plan = a.member.planOf('test')!
  for (const digest of digests) {
    const pid = partitionId(digest)
    for (const owner of plan.owners(pid)) assert.ok(holds(nodes[owner]!, digest), `partition ${pid}: owner ${nodes[owner]!.info.nodeId} holds the record`)
  }
  assert.equal(nodes.reduce((sum, node) => sum + node.namespace.objects, 0), 2 * RECORDS, 'no copy left over on a node that owns none')
})

test('a node that lost its lease while the others went on has its copies replaced: a record deleted meanwhile does not come back', async () => {
  const { env, nodes, digests } = await threeNodesWithRecords(12)
  const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
  c.loseLease()
  const without = makeView(10, [a.info, b.info])
  show(nodes, without)
  await settle(env, [a, b])
  // Deletes while C is away: by each partition's master, replicated to its other owner.
  const plan = a.member.planOf('test')!
  const deleted = digests.filter((digest) => holds(nodes[plan.master(partitionId(digest))]!, digest)).slice(0, 20)
  for (const digest of deleted) {
    const ns = nodes[plan.master(partitionId(digest))]!.namespace
    ns.remove(ns.index.find(partitionId(digest), digest), digest, 'client')
  }
  await env.scheduler.advance(1000)
  c.registerAgain(true)
  show(nodes, makeView(11, [a.info, b.info, c.info]))
  await settle(env, nodes)
  await env.scheduler.advance(1000)
  for (const digest of deleted) for (const node of nodes) assert.equal(holds(node, digest), false, `${node.info.nodeId} does not hold a deleted record`)
})
