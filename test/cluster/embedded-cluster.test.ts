// A three-node embedded cluster (replication factor 2) driven by the official client: the client
// finds every node and routes by their replicas answers; every partition has one master and one
// replica; a node killed mid-run loses nothing acknowledged; a node that comes back is filled and
// takes its partitions back; records deleted meanwhile stay deleted and leave no tombstone behind.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { holdsPartition, parseReplicas } from '@aerolite/client'
import { startCluster, type EmbeddedCluster } from '@aerolite/server'
import { Aerospike, NS, type AerospikeClient } from '../compat/helpers.ts'
import { eventually, infoOf, stableWith, statistic } from './embedded-harness.ts'

const RECORDS = process.env.CI === undefined ? 3000 : 1000
const POLICY = { totalTimeout: 10_000, maxRetries: 5, sleepBetweenRetries: 100 }

/** Every partition of `test` has exactly `copies` owners across the live nodes: one master and copies-1 replicas. */
async function checkOwnership(cluster: EmbeddedCluster, alive: number[], copies: number): Promise<void> {
  const masters = new Array<number>(4096).fill(0)
  const replicas = new Array<number>(4096).fill(0)
  for (const i of alive) {
    const answer = (await infoOf(cluster.nodes[i]!, ['replicas'])).get('replicas')!
    const ns = parseReplicas(answer).find((entry) => entry.namespace === NS)!
    ns.bitmaps.forEach((bitmap, replicaIndex) => {
      for (let pid = 0; pid < 4096; pid++) if (holdsPartition(bitmap, pid)) (replicaIndex === 0 ? masters : replicas)[pid]!++
    })
  }
  assert.ok(masters.every((n) => n === 1), 'each partition has exactly one master')
  assert.ok(replicas.every((n) => n === copies - 1), `each partition has ${copies - 1} replica(s)`)
}

describe('embedded cluster of three nodes, replication factor 2', { timeout: 180_000 }, () => {
  let cluster: EmbeddedCluster
  let client: AerospikeClient
  const keys = Array.from({ length: RECORDS }, (_, i) => new Aerospike.Key(NS, 'cl', `k${i}`))

  before(async () => {
    cluster = await startCluster({ nodes: 3, replicationFactor: 2, logLevel: 'silent' })
    await stableWith(cluster, [0, 1, 2])
    client = await Aerospike.connect({
      hosts: [{ addr: cluster.nodes[0]!.host, port: cluster.nodes[0]!.port }],
      policies: { read: POLICY, write: POLICY },
      log: { level: Aerospike.log.OFF },
    })
  })

  after(async () => {
    await client?.close()
    await cluster?.stop()
  })

  it('shows the client three nodes, each partition with one master and one replica', async () => {
    await eventually('the client sees three nodes', async () => client.getNodes().length === 3)
    await checkOwnership(cluster, [0, 1, 2], 2)
  })

  it('stores and reads records across the nodes, two copies of each', async () => {
    for (let i = 0; i < keys.length; i++) await client.put(keys[i]!, { v: i })
    for (let i = 0; i < keys.length; i++) assert.equal((await client.get(keys[i]!)).bins.v, i)
    let objects = 0
    for (const node of cluster.nodes) objects += Number(statistic((await infoOf(node, ['statistics'])).get('statistics')!, 'objects'))
    assert.equal(objects, 2 * RECORDS)
    // Each node's share by role: one master copy and one replica copy of every record, none elsewhere.
    const roles = { master_objects: 0, prole_objects: 0, non_replica_objects: 0 }
    for (const node of cluster.nodes) {
      const ns = (await infoOf(node, [`namespace/${NS}`])).get(`namespace/${NS}`)!
      assert.equal(statistic(ns, 'ns_cluster_size'), '3')
      assert.equal(statistic(ns, 'effective_replication_factor'), '2')
      for (const role of Object.keys(roles) as Array<keyof typeof roles>) roles[role] += Number(statistic(ns, role))
    }
    assert.deepEqual(roles, { master_objects: RECORDS, prole_objects: RECORDS, non_replica_objects: 0 })
  })

  it('loses no acknowledged write when a node is killed, and refills it when it returns', async () => {
    await cluster.kill(2)
    await stableWith(cluster, [0, 1])
    await checkOwnership(cluster, [0, 1], 2)
    // Until its next tend (every second) the client still sends the dead node its partitions.
    await eventually('the client drops the dead node', async () => client.getNodes().length === 2)
    for (let i = 0; i < keys.length; i++) assert.equal((await client.get(keys[i]!)).bins.v, i, `record ${i} after the kill`)
    for (let i = 0; i < keys.length; i += 2) await client.put(keys[i]!, { v: RECORDS + i })
    await cluster.restart(2)
    await stableWith(cluster, [0, 1, 2])
    await checkOwnership(cluster, [0, 1, 2], 2)
    await eventually('the client finds the returning node', async () => client.getNodes().length === 3)
    for (let i = 0; i < keys.length; i++) assert.equal((await client.get(keys[i]!)).bins.v, i % 2 === 0 ? RECORDS + i : i, `record ${i} after the return`)
    let objects = 0
    for (const node of cluster.nodes) objects += Number(statistic((await infoOf(node, ['statistics'])).get('statistics')!, 'objects'))
    assert.equal(objects, 2 * RECORDS, 'two copies of each record once migrations are done')
  })

  it('keeps deleted records deleted through a kill and a return, and holds no tombstone once stable', async () => {
    const doomed = keys.filter((_, i) => i % 3 === 1)
    const half = Math.floor(doomed.length / 2)
    // A delete that fails while a node dies (TIMEOUT when its replica died: in doubt; no connection
    // when its master died) is sent again until it is sure; it finds nothing if a try reached the master.
    const remove = async (key: (typeof keys)[number]): Promise<void> => {
      for (let tries = 1; ; tries++) {
        try {
          await client.remove(key)
          return
        } catch (err) {
          if ((err as { code?: number }).code === Aerospike.status.ERR_RECORD_NOT_FOUND) return
          if (tries >= 100) throw err
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      }
    }
    for (const key of doomed.slice(0, half)) await remove(key)
    // The rest while the cluster loses a node, moves partitions, and gets it back.
    await cluster.kill(1)
    for (const key of doomed.slice(half)) await remove(key)
    await stableWith(cluster, [0, 2])
    await cluster.restart(1)
    await stableWith(cluster, [0, 1, 2])
    for (const key of doomed) assert.equal(await client.exists(key), false, `${String(key.key)} stays deleted`)
    let objects = 0
    for (const node of cluster.nodes) {
      const stats = (await infoOf(node, [`namespace/${NS}`])).get(`namespace/${NS}`)!
      assert.equal(statistic(stats, 'tombstones'), '0', `node ${node.port}: no tombstone once stable`)
      objects += Number(statistic(stats, 'objects'))
    }
    assert.equal(objects, 2 * (RECORDS - doomed.length))
  })
})
