// Deletes stay deleted across a merge, in a memory namespace too: two members on one manual Env,
// joined by a fabric the test can cut one way. The master deletes a record while its replica cannot
// hear it (the replica keeps the record, the master's copy turns dirty); the master then loses its
// lease, so at the next view the replica acts as master and merges the dirty copy. The delete's
// tombstone travels with the merge and wins over the replica's older version; once the partition is
// settled no tombstone is left. Or the dirty master stays master: it refills its replica instead.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, computeDigest, integerParticle, partitionId } from '@aerolite/protocol'
import { makeView } from '../../src/cluster/view.ts'
import { manualEnv, type ManualEnv } from '../../src/env/manual-env.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { readBins } from '../../src/record/layout.ts'
import { TestFabric, memberInfo, settle, startNode, type TestNode } from './member-harness.ts'

const digestOf = (key: string): Buffer => computeDigest('demo', ParticleType.STRING, Buffer.from(key))

function put(ns: Namespace, key: string, value: number): void {
  const digest = digestOf(key)
  const bins = [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(value) }]
  const existing = ns.findAny(digest)
  const generation = existing < 0 ? 1 : ns.generationOf(existing) + 1
  const version = { generation, voidTime: 0, lastUpdateMs: ns.nowMs(), setId: ns.sets.getOrCreate('demo')!.id, key: undefined, bins }
  ns.store(digest, existing, version, 'client')
}

function remove(ns: Namespace, key: string): void {
  const digest = digestOf(key)
  ns.remove(ns.find(digest), digest, 'client')
}

function valueOf(ns: Namespace, key: string): number | undefined {
  const id = ns.find(digestOf(key))
  if (id < 0) return undefined
  const { buf, at } = ns.location(id)
  return Number(readBins(buf, at)[0]!.value.readBigInt64BE(0))
}

interface Scene {
  env: ManualEnv
  fabric: TestFabric
  nodes: [TestNode, TestNode]
  master: TestNode
  replica: TestNode
  pid: number
  gone: string
  back: string
}

/**
 * Two settled members; two records of one partition written through its master, then the link
 * from the master to its replica cut: the master deletes `gone`, deletes `back` and writes it again.
 */
async function replicaMissesChanges(): Promise<Scene> {
  const env = manualEnv({ seed: 3 })
  const fabric = new TestFabric(env)
  const first = makeView(1, [memberInfo('A1'), memberInfo('B2')])
  const a = await startNode(env, fabric, 'A1', first)
  const b = await startNode(env, fabric, 'B2', first)
  await settle(env, [a, b])

  const keys = ['gone', 'back']
  const pid = partitionId(digestOf(keys[0]!))
  for (let i = 0; partitionId(digestOf(keys[1]!)) !== pid; i++) keys[1] = `back${i}`
  const [gone, back] = keys as [string, string]
  const masterIndex = a.member.planOf('test')!.master(pid)
  const [master, replica] = first.members[masterIndex]!.nodeId === 'A1' ? [a, b] : [b, a]

  put(master.namespace, gone, 1)
  put(master.namespace, back, 1)
  put(master.namespace, 'healthy', 1)
  await env.scheduler.advance(10)
  assert.equal(valueOf(replica.namespace, gone), 1)
  remove(master.namespace, 'healthy')
  await env.scheduler.advance(10)
  assert.equal(valueOf(replica.namespace, 'healthy'), undefined)
  assert.equal(master.namespace.tombstones.size + replica.namespace.tombstones.size, 0, 'a delete every owner confirmed leaves no tombstone')

  fabric.cut.add(`${master.info.nodeId}>${replica.info.nodeId}`)
  remove(master.namespace, gone)
  await env.scheduler.advance(10)
  remove(master.namespace, back)
  await env.scheduler.advance(10)
  put(master.namespace, back, 2)
  await env.scheduler.advance(10)
  assert.equal(valueOf(replica.namespace, gone), 1, 'the replica missed the delete')
  assert.equal(valueOf(replica.namespace, back), 1)
  assert.equal(master.namespace.tombstones.size, 1, 'the master keeps the tombstone of the delete its replica missed')
  assert.equal(master.namespace.tombstones.deleteOf(pid, digestOf(gone))?.generation, 1)
  fabric.cut.clear()
  return { env, fabric, nodes: [a, b], master, replica, pid, gone, back }
}

async function nextView(scene: Scene, revision: number): Promise<void> {
  const view = makeView(revision, scene.nodes.map((n) => n.info))
  for (const node of scene.nodes) node.newView(view)
  await settle(scene.env, scene.nodes)
}

async function checkConverged(scene: Scene): Promise<void> {
  for (const node of scene.nodes) {
    assert.equal(valueOf(node.namespace, scene.gone), undefined, `${node.info.nodeId}: the deleted record did not come back`)
    assert.equal(valueOf(node.namespace, scene.back), 2, `${node.info.nodeId}: the write after the delete survived`)
    assert.equal(node.namespace.tombstones.size, 0, `${node.info.nodeId}: no tombstone once settled`)
  }
  for (const node of scene.nodes) await node.member.leave()
}

test('a delete the replica missed stays deleted when the master\'s dirty copy is merged; a newer write survives; no tombstone is left', async () => {
  const scene = await replicaMissesChanges()
  // The master loses its lease and comes back: the replica acts as master and merges the dirty copy.
  scene.master.loseLease()
  const receivedBefore = scene.replica.member.migrationCounters.recordsReceived
  await nextView(scene, 2)
  assert.equal(scene.replica.member.migrationCounters.recordsReceived - receivedBefore, 2, 'the merge brought the new version and the tombstone')
  await checkConverged(scene)
})

test('a dirty master that stays master refills its replica, which loses the record it missed the delete of', async () => {
  const scene = await replicaMissesChanges()
  await nextView(scene, 2)
  assert.equal(scene.master.member.planOf('test')!.master(scene.pid), scene.master.member.memberIndex, 'the master stays master')
  await checkConverged(scene)
})
