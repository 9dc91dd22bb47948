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
import { MemoryDisk } from '../../src/env/memory-disk.ts'
import { Namespace } from '../../src/namespace/namespace.ts'
import { deviceConfig, memoryLogger } from '../storage/harness.ts'
import { TestFabric, memberInfo, settle, startNode, type TestNode } from './member-harness.ts'

const RECORDS = 300

async function threeNodesWithRecords(seed: number): Promise<{ env: ReturnType<typeof manualEnv>; fabric: TestFabric; nodes: TestNode[]; digests: Buffer[] }> {
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
  return { env, fabric, nodes, digests }
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

// The node back first used to plan alone at once: it counted itself full of the partitions it held
// nothing of and took writes there, which the merge with the others' copies (one version per
// record, by generation) or a fill from it then lost. Now a view in which some partition has no
// full copy while members of some member's last cluster are absent waits for them, one lease TTL
// at most, and every node decides so from the copy reports alone.
test('every lease lost: the node back first makes no plan while the members of its last cluster may come back, then merges their copies', async () => {
  const { env, nodes, digests } = await threeNodesWithRecords(13)
  const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
  for (const node of nodes) node.loseLease()
  c.registerAgain(false)
  show([c], makeView(10, [c.info]))
  await env.scheduler.advance(1000)
  assert.equal(c.member.planOf('test'), undefined, 'alone, with A and B absent, C makes no plan')
  a.registerAgain(false)
  show([a, c], makeView(11, [a.info, c.info]))
  await env.scheduler.advance(1000)
  assert.equal(c.member.planOf('test'), undefined, 'B is still absent: no plan')
  assert.equal(a.member.planOf('test'), undefined, 'the same on A, from the same reports')
  b.registerAgain(false)
  show(nodes, makeView(12, [a.info, b.info, c.info]))
  await settle(env, nodes)
  await env.scheduler.advance(1000)
  const plan = a.member.planOf('test')!
  for (const digest of digests) {
    const pid = partitionId(digest)
    for (const owner of plan.owners(pid)) assert.ok(holds(nodes[owner]!, digest), `partition ${pid}: owner ${nodes[owner]!.info.nodeId} holds the record`)
  }
})

test('a node that kept its lease while the others lost theirs waits for them before planning the partitions it holds no full copy of', async () => {
  const { env, nodes, digests } = await threeNodesWithRecords(14)
  const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
  // A renewed its lease just in time after the outage; B's and C's expired in the store.
  b.loseLease()
  c.loseLease()
  show([a], makeView(10, [a.info]))
  await env.scheduler.advance(1000)
  assert.equal(a.member.planOf('test'), undefined, 'A makes no plan: it holds no full copy of the partitions B and C own')
  // B and C see that A kept its lease: the cluster went on, as far as they can tell.
  b.registerAgain(true)
  show([a, b], makeView(11, [a.info, b.info]))
  await env.scheduler.advance(200)
  c.registerAgain(true)
  show(nodes, makeView(12, [a.info, b.info, c.info]))
  await settle(env, nodes)
  await env.scheduler.advance(1000)
  const plan = a.member.planOf('test')!
  for (const digest of digests) {
    const pid = partitionId(digest)
    for (const owner of plan.owners(pid)) assert.ok(holds(nodes[owner]!, digest), `partition ${pid}: owner ${nodes[owner]!.info.nodeId} holds the record`)
  }
})

test('the absent members of the last cluster never come back: the node plans alone after one lease TTL', async () => {
  const { env, nodes } = await threeNodesWithRecords(15)
  const [, , c] = nodes as [TestNode, TestNode, TestNode]
  for (const node of nodes) node.loseLease()
  c.registerAgain(false)
  show([c], makeView(10, [c.info]))
  await env.scheduler.advance(1500)
  assert.equal(c.member.planOf('test'), undefined, 'within the TTL: no plan')
  await settle(env, [c])
  assert.ok(c.member.planOf('test') !== undefined, 'past it, C plans with its own copies')
})

// Seed 477 (and 341) of the simulator: the store down for everyone, and during the outage a node
// killed; it restarted on what its disk had synced (nothing), was back first and alone, and named no
// last cluster (it held no data, so it looked like a new cluster's first member). It planned alone at
// once, counted itself full of every partition and took writes (records at generation 1); the merge
// with the others' dirty copies, back a moment later, kept their older versions (higher generations).
// A node that found its files from an earlier run names an unknown last cluster, data or not.
test('every lease lost and a node restarted on an empty disk: back first and alone, it makes no plan while the members of its last cluster may come back', async () => {
  const { env, fabric, nodes, digests } = await threeNodesWithRecords(16)
  const [a, b, c] = nodes as [TestNode, TestNode, TestNode]
  for (const node of nodes) node.loseLease()
  // B2 is killed during the outage; its disk kept its files and none of its records.
  b.member.stop()
  const disk = new MemoryDisk(env.scheduler)
  disk.mkdir('/data')
  const config = deviceConfig(['/data/test.dat'])
  await new Namespace(config, { ...env, disk }, memoryLogger().log).open(memoryLogger().log)
  disk.crash()
  const b2 = await startNode(env, fabric, 'B2', makeView(10, [b.info]), undefined, {}, { config, disk })
  assert.equal(b2.namespace.restoreReport?.mode, 'cold', 'the restarted node found its files')
  assert.equal(b2.namespace.objects, 0, 'and nothing in them')
  await env.scheduler.advance(1000)
  assert.equal(b2.member.planOf('test'), undefined, 'alone, B2 makes no plan: its last cluster is unknown')
  a.registerAgain(false)
  c.registerAgain(false)
  const restarted = [a, b2, c]
  show(restarted, makeView(11, [a.info, b2.info, c.info]))
  await settle(env, restarted)
  await env.scheduler.advance(1000)
  const plan = a.member.planOf('test')!
  for (const digest of digests) {
    const pid = partitionId(digest)
    for (const owner of plan.owners(pid)) assert.ok(holds(restarted[owner]!, digest), `partition ${pid}: owner ${restarted[owner]!.info.nodeId} holds the record`)
  }
})

test('a new node (its files made now) alone plans at once: a new cluster does not wait', async () => {
  const env = manualEnv({ seed: 17 })
  const disk = new MemoryDisk(env.scheduler)
  disk.mkdir('/data')
  const a = await startNode(env, new TestFabric(env), 'A1', makeView(1, [memberInfo('A1')]), undefined, {}, { config: deviceConfig(['/data/test.dat']), disk })
  assert.equal(a.namespace.restoreReport?.mode, 'fresh')
  await env.scheduler.advance(100)
  assert.ok(a.member.planOf('test') !== undefined, 'planned')
})
