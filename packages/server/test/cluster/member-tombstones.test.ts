// Deletes stay deleted across a merge, in a memory namespace too: two members on one manual Env,
// joined by a fabric the test can cut one way. The master deletes a record while its replica cannot
// hear it (the replica keeps the record, the master's copy turns dirty); the master then loses its
// lease, so at the next view the replica acts as master and merges the dirty copy. The delete's
// tombstone travels with the merge and wins over the replica's older version; once the partition is
// settled no tombstone is left. Or the dirty master stays master: it refills its replica instead.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, computeDigest, integerParticle, partitionId } from '@aerolite/protocol'
import { ClusterMember, type MemberFabric } from '../../src/cluster/cluster-member.ts'
import type { FabricMessageHandler } from '../../src/cluster/fabric-link.ts'
import type { Membership } from '../../src/cluster/membership.ts'
import { makeView, type MemberInfo, type View } from '../../src/cluster/view.ts'
import { defaultNamespaceConfig } from '../../src/config/index.ts'
import { manualEnv, type ManualEnv } from '../../src/env/manual-env.ts'
import { Namespace } from '../../src/namespace/namespace.ts'
import { readBins } from '../../src/record/layout.ts'
import { memoryLogger } from '../storage/harness.ts'

/** Delivers requests between members in later turns; a cut direction fails its requests at once. */
class TestFabric {
  readonly cut = new Set<string>()
  private readonly handlers = new Map<string, Map<number, FabricMessageHandler>>()
  private readonly env: ManualEnv

  constructor(env: ManualEnv) {
    this.env = env
  }

  linkOf(self: string): MemberFabric {
    const own = new Map<number, FabricMessageHandler>()
    this.handlers.set(self, own)
    return {
      request: (to, type, payload) => new Promise<Buffer>((resolve, reject) => {
        const handler = this.handlers.get(to)?.get(type)
        if (this.cut.has(`${self}>${to}`) || handler === undefined) return reject(new Error(`${self} cannot reach ${to}`))
        this.env.scheduler.soon(() => handler(self, payload, (reply) => this.env.scheduler.soon(() => resolve(reply))))
      }),
      onMessage: (type, handler) => { own.set(type, handler) },
      setView: () => {},
    }
  }
}

interface TestNode {
  info: MemberInfo
  namespace: Namespace
  member: ClusterMember
  newView(view: View): void
  loseLease(): void
}

function memberInfo(nodeId: string): MemberInfo {
  return { nodeId, service: { host: '127.0.0.1', port: 3000 }, fabric: { host: '127.0.0.1', port: 3001 }, rackIds: {}, build: 'test' }
}

async function startNode(env: ManualEnv, fabric: TestFabric, nodeId: string, first: View): Promise<TestNode> {
  const { log } = memoryLogger()
  const namespace = new Namespace(defaultNamespaceConfig('test'), env, log)
  await namespace.open(log)
  const viewListeners: Array<(view: View) => void> = []
  const leaseLost: Array<() => void> = []
  const membership: Membership = {
    join: async () => first,
    currentView: () => first,
    onView: (listener) => { viewListeners.push(listener) },
    holdsLease: () => true,
    onLeaseChange: () => {},
    onLeaseLost: (listener) => { leaseLost.push(listener) },
    metadata: { entries: () => new Map(), put: async () => 0, remove: async () => 0, update: async () => 0, onChange: () => {}, seen: async () => {} },
    leave: async () => {},
    halt: () => {},
  }
  const info = memberInfo(nodeId)
  const member = new ClusterMember({
    env, log, namespaces: new Map([['test', namespace]]), membership, fabric: fabric.linkOf(nodeId), keepServingWithoutLease: false, settings: { migrateThreads: 1, migrateMaxNumIncoming: 4, minClusterSize: 1 },
    runProxied: () => Promise.reject(new Error('unused')),
  })
  void member.join(info)
  return {
    info, namespace, member,
    newView: (view) => { for (const listener of viewListeners) listener(view) },
    loseLease: () => { for (const listener of leaseLost) listener() },
  }
}

async function settle(env: ManualEnv, nodes: TestNode[]): Promise<void> {
  for (let i = 0; i < 200 && !nodes.every((n) => n.member.isSettled()); i++) await env.scheduler.advance(100)
  assert.ok(nodes.every((n) => n.member.isSettled()), 'the cluster settles')
}

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
