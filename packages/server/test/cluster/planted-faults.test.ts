// Planted faults: each of the four deliberate bugs the simulator may switch on changes what the
// cluster does, and only then (the same scene with no fault planted keeps its promise). And no road
// but code reaches them: outside the files that carry the set to where each acts, no source of the
// server or the CLI names it.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { ParticleType, computeDigest, integerParticle, partitionId } from '@aerolite/protocol'
import { Fabric } from '../../src/cluster/fabric/fabric.ts'
import { PLANT_NAMES, type PlantName, type PlantedFaults } from '../../src/cluster/planted-faults.ts'
import { makeView, type View } from '../../src/cluster/view.ts'
import { settleChange } from '../../src/commands/commit.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import { realEnv } from '../../src/env/real-env.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { PLANT_NAMES as EXPORTED_PLANT_NAMES } from '../../src/index.ts'
import { TestFabric, memberInfo, settle, startNode, type TestNode } from './member-harness.ts'

const digestOf = (key: string): Buffer => computeDigest('demo', ParticleType.STRING, Buffer.from(key))

/** A client-like write through the commit road's wait: resolves when the command would answer. */
function put(ns: Namespace, key: string, value: number): Promise<void> | undefined {
  const digest = digestOf(key)
  const bins = [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(value) }]
  const existing = ns.findAny(digest)
  const generation = existing < 0 ? 1 : ns.generationOf(existing) + 1
  ns.store(digest, existing, { generation, voidTime: 0, lastUpdateMs: ns.nowMs(), setId: ns.sets.getOrCreate('demo')!.id, key: undefined, bins }, 'client')
  return settleChange(ns, digest)
}

function remove(ns: Namespace, key: string): Promise<void> | undefined {
  const digest = digestOf(key)
  ns.remove(ns.find(digest), digest, 'client')
  return settleChange(ns, digest)
}

const has = (node: TestNode, key: string): boolean => node.namespace.find(digestOf(key)) >= 0

const plants = (...names: PlantName[]): PlantedFaults => new Set(names)

/** Two settled members (A1, B2) with the faults planted in both. */
async function twoNodes(planted: PlantedFaults) {
  const env = manualEnv({ seed: 11 })
  const fabric = new TestFabric(env)
  const first = makeView(1, [memberInfo('A1'), memberInfo('B2')])
  const a = await startNode(env, fabric, 'A1', first, planted)
  const b = await startNode(env, fabric, 'B2', first, planted)
  await settle(env, [a, b])
  return { env, fabric, a, b }
}

/** A key whose partition `master` masters, and the other node. */
function keyMasteredBy(master: TestNode, prefix = 'k'): string {
  for (let i = 0; ; i++) if (master.namespace.mastersPartition(partitionId(digestOf(`${prefix}${i}`)))) return `${prefix}${i}`
}

describe('ack-before-replica', () => {
  async function writeThenCutMaster(planted: PlantedFaults) {
    const { env, fabric, a, b } = await twoNodes(planted)
    const key = keyMasteredBy(a)
    const wait = put(a.namespace, key, 1)
    const inFlight = a.namespace.inFlight.of(digestOf(key)) !== undefined
    let answered = wait === undefined
    void wait?.then(() => (answered = true))
    // The client's answer, then the master is cut off from its replica (as by a crash).
    while (!answered) await env.scheduler.advance(1)
    const replicaHadItAtAnswer = has(b, key)
    fabric.cut.add('A1>B2')
    await env.scheduler.advance(500)
    return { inFlight, replicaHadItAtAnswer, replicaHasIt: has(b, key), waited: wait !== undefined }
  }

  test('off: the answer waits for the replica, the record is in flight until then', async () => {
    assert.deepEqual(await writeThenCutMaster(plants()), { inFlight: true, replicaHadItAtAnswer: true, replicaHasIt: true, waited: true })
  })

  test('on: the master answers at once, nothing in flight, and a master cut off right after loses the write', async () => {
    assert.deepEqual(await writeThenCutMaster(plants('ack-before-replica')), { inFlight: false, replicaHadItAtAnswer: false, replicaHasIt: false, waited: false })
  })

  test('on: the replica still gets the write later when nothing breaks', async () => {
    const { env, a, b } = await twoNodes(plants('ack-before-replica'))
    const key = keyMasteredBy(a)
    assert.equal(put(a.namespace, key, 1), undefined)
    await env.scheduler.advance(10)
    assert.equal(has(b, key), false, 'not yet')
    await env.scheduler.advance(200)
    assert.equal(has(b, key), true)
  })
})

describe('skip-last-migrated', () => {
  /** A1 alone holds records of one partition; B2 joins and is filled. Records of that partition on each node. */
  async function fillJoiner(planted: PlantedFaults) {
    const env = manualEnv({ seed: 5 })
    const fabric = new TestFabric(env)
    const alone = makeView(1, [memberInfo('A1')])
    const a = await startNode(env, fabric, 'A1', alone, planted)
    await settle(env, [a])
    const pid = partitionId(digestOf('r0'))
    const keys = ['r0']
    for (let i = 1; keys.length < 5; i++) if (partitionId(digestOf(`r${i}`)) === pid) keys.push(`r${i}`)
    for (const key of keys) assert.equal(put(a.namespace, key, 1), undefined, 'one node: nothing to wait on')
    const both = makeView(2, [memberInfo('A1'), memberInfo('B2')])
    const b = await startNode(env, fabric, 'B2', both, planted)
    a.newView(both)
    await settle(env, [a, b])
    const count = (n: TestNode): number => n.namespace.liveEntriesInDigestOrder(pid, undefined).length
    return { onA: count(a), onB: count(b), fullOnB: b.member.planOf('test')!.isFull(b.member.memberIndex, pid) }
  }

  test('off: the filled owner gets every record', async () => {
    assert.deepEqual(await fillJoiner(plants()), { onA: 5, onB: 5, fullOnB: true })
  })

  test('on: the fill leaves out the partition\'s last record, yet ends as complete', async () => {
    assert.deepEqual(await fillJoiner(plants('skip-last-migrated')), { onA: 5, onB: 4, fullOnB: true })
  })
})

describe('no-tombstone-replication', () => {
  /** A record written and deleted through its master; then the master dies and the replica serves alone. */
  async function deleteThenMasterDies(planted: PlantedFaults) {
    const { env, a, b } = await twoNodes(planted)
    const key = keyMasteredBy(a)
    await Promise.all([put(a.namespace, key, 1), env.scheduler.advance(50)])
    assert.equal(has(b, key), true)
    await Promise.all([remove(a.namespace, key), env.scheduler.advance(50)])
    const replicaAfterDelete = has(b, key)
    const alone = makeView(2, [b.info])
    b.newView(alone)
    await settle(env, [b])
    return { masterHasIt: has(a, key), replicaAfterDelete, afterMasterDied: has(b, key) }
  }

  test('off: the delete reaches the replica, the record stays deleted', async () => {
    assert.deepEqual(await deleteThenMasterDies(plants()), { masterHasIt: false, replicaAfterDelete: false, afterMasterDied: false })
  })

  test('on: the replica keeps the record, which comes back when the master dies', async () => {
    assert.deepEqual(await deleteThenMasterDies(plants('no-tombstone-replication')), { masterHasIt: false, replicaAfterDelete: true, afterMasterDied: true })
  })
})

describe('accept-stale-view', () => {
  /** B2 sends a message at view 1 to A1, which moved to view 2: what A1 handled, and its stale count. */
  async function staleMessage(planted: PlantedFaults) {
    const log = pino({ level: 'silent' })
    const a = new Fabric({ env: realEnv, self: { nodeId: 'A1' }, log, plantedFaults: planted })
    const b = new Fabric({ env: realEnv, self: { nodeId: 'B2' }, log })
    try {
      const members = await Promise.all([a, b].map(async (f, i) => ({ ...memberInfo(i === 0 ? 'A1' : 'B2'), fabric: await f.listen('127.0.0.1', 0) })))
      const view = (revision: number): View => makeView(revision, members)
      a.setView(view(1))
      b.setView(view(1))
      const got: string[] = []
      a.onMessage(2, (_from, payload) => { got.push(payload.toString()) })
      a.setView(view(2))
      b.send('A1', 2, Buffer.from('from view 1'))
      const deadline = performance.now() + 10_000
      while (a.counters.messagesIn === 0) {
        if (performance.now() > deadline) assert.fail('the message never arrived')
        await new Promise((resolve) => setImmediate(resolve))
      }
      return { got, droppedStale: a.counters.droppedStale }
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  }

  test('off: a message of an older view is dropped', async () => {
    assert.deepEqual(await staleMessage(plants()), { got: [], droppedStale: 1 })
  })

  test('on: a message of an older view is handled', async () => {
    assert.deepEqual(await staleMessage(plants('accept-stale-view')), { got: ['from view 1'], droppedStale: 0 })
  })
})

describe('only code can plant a fault', () => {
  const root = join(fileURLToPath(import.meta.url), '../../../..')
  const sources = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|mts|js|mjs|json)$/.test(f)).map((f) => join(dir, f))
  const mentions = (file: string): boolean => /planted[-_]?faults/i.test(readFileSync(file, 'utf8'))

  test('the names are the four, exported', () => {
    assert.deepEqual([...PLANT_NAMES], ['ack-before-replica', 'skip-last-migrated', 'no-tombstone-replication', 'accept-stale-view'])
    assert.equal(EXPORTED_PLANT_NAMES, PLANT_NAMES)
  })

  test('outside the node\'s options and the places the faults act, no server source names them', () => {
    const serverSrc = join(root, 'server/src')
    const named = sources(serverSrc).filter(mentions).map((f) => relative(serverSrc, f).split('\\').join('/')).sort()
    assert.deepEqual(named, [
      'cluster/cluster-member.ts', // carries the set to the replicator and the fills
      'cluster/fabric/fabric.ts', // accept-stale-view
      'cluster/migration.ts', // skip-last-migrated
      'cluster/planted-faults.ts',
      'cluster/replication.ts', // ack-before-replica, no-tombstone-replication
      'index.ts',
      'node.ts',
    ])
  })

  test('the CLI never names them (no flag or config can set one)', () => {
    assert.deepEqual(sources(join(root, 'cli/src')).filter(mentions), [])
  })
})
