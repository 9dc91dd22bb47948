// Under XDR conflict resolution (conflict-resolve-writes) a memory namespace in a cluster keeps its
// deletes' tombstones for tomb-raider-eligible-age, on every owner, against older shipped versions
// still on their way; the bin versions a record deleted by bin convergence keeps (a bin cemetery)
// travel with its delete to the replica, and with a merge to the node that gathers the copies.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, computeDigest, integerParticle, partitionId } from '@aerolite/protocol'
import { makeView } from '../../src/cluster/view.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { TestFabric, memberInfo, settle, startNode, type TestNode } from './member-harness.ts'

const digestOf = (key: string): Buffer => computeDigest('demo', ParticleType.STRING, Buffer.from(key))

function put(ns: Namespace, key: string): void {
  const digest = digestOf(key)
  const bins = [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(1) }]
  ns.store(digest, ns.findAny(digest), { generation: 1, voidTime: 0, lastUpdateMs: ns.nowMs(), setId: ns.sets.getOrCreate('demo')!.id, key: undefined, bins }, 'client')
}

const cemetery = (atMs: number) => ({ floor: undefined, bins: new Map([['v', { lastUpdateMs: atMs, srcId: 2 }], ['w', { lastUpdateMs: atMs - 5, srcId: 3 }]]) })

function removeAsMerge(ns: Namespace, key: string, atMs: number): void {
  const digest = digestOf(key)
  ns.remove(ns.find(digest), digest, 'xdr', partitionId(digest), { generation: 1, lastUpdateMs: atMs, binVersions: cemetery(atMs) })
}

test('tombstones of a resolving memory namespace stay on every owner; a bin cemetery replicates and merges', async () => {
  const env = manualEnv({ seed: 5 })
  const fabric = new TestFabric(env)
  const first = makeView(1, [memberInfo('A1'), memberInfo('B2')])
  const a = await startNode(env, fabric, 'A1', first)
  const b = await startNode(env, fabric, 'B2', first)
  for (const node of [a, b]) node.namespace.config.conflictResolveWrites = true
  await settle(env, [a, b])
  const pid = partitionId(digestOf('plain'))
  let other = 'cemetery'
  for (let i = 0; partitionId(digestOf(other)) !== pid; i++) other = `cemetery${i}`
  const masterIndex = a.member.planOf('test')!.master(pid)
  const [master, replica]: TestNode[] = first.members[masterIndex]!.nodeId === 'A1' ? [a, b] : [b, a]

  put(master!.namespace, 'plain')
  put(master!.namespace, other)
  await env.scheduler.advance(10)
  const plain = digestOf('plain')
  master!.namespace.remove(master!.namespace.find(plain), plain, 'client')
  removeAsMerge(master!.namespace, other, 7_000)
  await env.scheduler.advance(10)
  for (const node of [master!, replica!]) {
    assert.ok(node.namespace.tombstones.deleteOf(pid, plain) !== undefined, `${node.info.nodeId} keeps the confirmed delete`)
    assert.deepEqual(node.namespace.tombstones.binVersionsOf(pid, digestOf(other)), cemetery(7_000), `${node.info.nodeId} holds the cemetery`)
  }

  // A cemetery the replica never heard of reaches it with the merge of the master's dirty copy.
  let late = 'late'
  for (let i = 0; partitionId(digestOf(late)) !== pid; i++) late = `late${i}`
  fabric.cut.add(`${master!.info.nodeId}>${replica!.info.nodeId}`)
  put(master!.namespace, late)
  await env.scheduler.advance(10)
  removeAsMerge(master!.namespace, late, 9_000)
  await env.scheduler.advance(10)
  assert.equal(replica!.namespace.tombstones.binVersionsOf(pid, digestOf(late)), undefined, 'the replica missed the delete')
  fabric.cut.clear()
  master!.loseLease()
  const view = makeView(2, [a.info, b.info])
  for (const node of [a, b]) node.newView(view)
  await settle(env, [a, b])
  for (const node of [a, b]) {
    assert.deepEqual(node.namespace.tombstones.binVersionsOf(pid, digestOf(late)), cemetery(9_000), `${node.info.nodeId} holds the merged cemetery`)
    assert.ok(node.namespace.tombstones.deleteOf(pid, plain) !== undefined, `${node.info.nodeId} still keeps the delete once settled`)
  }
  for (const node of [a, b]) await node.member.leave()
})
