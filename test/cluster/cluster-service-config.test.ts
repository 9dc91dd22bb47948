// The cluster's service settings and info answers on an embedded cluster of two nodes (replication
// factor 2), as the official client and asinfo see them: migrate-threads 0 pauses a node's outgoing
// migrations, migrate-max-num-incoming bounds what a node receives (0: nothing, the sender waits),
// rebalance-generation counts the plans a node adopted, racks lists the members.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ParticleType, computeDigest, partitionId } from '@aerolite/protocol'
import { startCluster, type EmbeddedCluster } from '@aerolite/server'
import { Aerospike, NS, parseKeyValues, rejectsWithCode, sleep, type AerospikeClient } from '../compat/helpers.ts'
import { eventually, infoValue, stableWith, statistic } from './embedded-harness.ts'

const RECORDS = 200
/** Partitions holding records: the only ones a returning empty node must be filled with. */
const WITH_RECORDS = new Set(Array.from({ length: RECORDS }, (_, i) => partitionId(computeDigest('svc', ParticleType.STRING, Buffer.from(`k${i}`))))).size
const POLICY = { totalTimeout: 10_000, maxRetries: 5, sleepBetweenRetries: 100 }

async function namespaceStat(node: { host: string; port: number }, name: string): Promise<number> {
  return Number(statistic(await infoValue(node, `namespace/${NS}`), name))
}

describe('service settings of an embedded cluster of two nodes', { timeout: 60_000 }, () => {
  let cluster: EmbeddedCluster
  let client: AerospikeClient
  const keys = Array.from({ length: RECORDS }, (_, i) => new Aerospike.Key(NS, 'svc', `k${i}`))

  before(async () => {
    cluster = await startCluster({ nodes: 2, replicationFactor: 2, logLevel: 'silent' })
    await stableWith(cluster)
    client = await Aerospike.connect({
      hosts: [{ addr: cluster.nodes[0]!.host, port: cluster.nodes[0]!.port }],
      policies: { read: POLICY, write: POLICY },
      log: { level: Aerospike.log.OFF },
    })
    for (let i = 0; i < RECORDS; i++) await client.put(keys[i]!, { v: i })
  })

  after(async () => {
    await client?.close()
    await cluster?.stop()
  })

  it('get-config shows Aerospike\'s defaults; set-config refuses bad values and changes nothing', async () => {
    const node = cluster.nodes[0]!
    const config = parseKeyValues(await infoValue(node, 'get-config:context=service'))
    assert.equal(config['migrate-threads'], '1')
    assert.equal(config['migrate-max-num-incoming'], '4')
    assert.equal(config['min-cluster-size'], '1')
    for (const bad of ['migrate-threads=101', 'migrate-threads=-1', 'migrate-max-num-incoming=257', 'migrate-max-num-incoming=x', 'min-cluster-size=257']) {
      assert.match(await infoValue(node, `set-config:context=service;${bad}`), /^ERROR:4:/, bad)
    }
    assert.deepEqual(parseKeyValues(await infoValue(node, 'get-config:context=service')), config)
    await rejectsWithCode(client.infoAny('set-config:context=service;migrate-threads=101'), 4, 'migrate-threads out of range')
  })

  it('racks lists both members on rack 0, node ids ascending; rack-ids is this node\'s rack', async () => {
    const ids = cluster.nodes.map((n) => n.nodeId).sort((a, b) => (BigInt(`0x${a}`) < BigInt(`0x${b}`) ? -1 : 1))
    for (const node of cluster.nodes) {
      assert.equal(await infoValue(node, 'racks:'), `ns=${NS}:rack_0=${ids.join(',')}`)
      assert.equal(await infoValue(node, 'rack-ids'), `${NS}:0`)
    }
  })

  it('migrate-threads 0 pauses outgoing migrations, migrate-max-num-incoming 0 makes the sender wait; raising them resumes', async () => {
    const [first, second] = [cluster.nodes[0]!, cluster.nodes[1]!]
    const generation = Number(await infoValue(first, 'rebalance-generation'))
    assert.ok(generation >= 1, `rebalance-generation ${generation} after the cluster formed`)
    assert.equal(await infoValue(first, 'set-config:context=service;migrate-threads=0'), 'ok')
    await cluster.kill(1)
    await stableWith(cluster, [0])
    assert.ok(Number(await infoValue(first, 'rebalance-generation')) > generation, 'a new view, new plans')

    // The returning node is empty: the first node owes it every partition holding records, and sends none.
    await cluster.restart(1)
    const formed = async (node: { host: string; port: number }): Promise<boolean> => {
      const statistics = await infoValue(node, 'statistics')
      return statistic(statistics, 'cluster_size') === '2' && statistic(statistics, 'cluster_integrity') === 'true'
    }
    await eventually('both nodes have their plans', async () => await formed(first) && await formed(second))
    await sleep(300)
    assert.equal(await namespaceStat(first, 'migrate_tx_partitions_remaining'), WITH_RECORDS)
    assert.equal(await namespaceStat(first, 'migrate_tx_partitions_active'), 0)
    assert.equal(await namespaceStat(second, 'migrate_rx_partitions_remaining'), WITH_RECORDS)
    assert.match(await infoValue(first, 'cluster-stable:size=2'), /^ERROR:4:.*migrations/)

    // The receiver takes none: the sender's first message waits, and it keeps its partitions to send.
    assert.equal(await infoValue(second, 'set-config:context=service;migrate-max-num-incoming=0'), 'ok')
    assert.equal(await infoValue(first, 'set-config:context=service;migrate-threads=1'), 'ok')
    await sleep(500)
    assert.equal(await namespaceStat(second, 'migrate_rx_partitions_active'), 0)
    assert.equal(await namespaceStat(second, 'migrate_rx_partitions_remaining'), WITH_RECORDS)
    assert.equal(await namespaceStat(first, 'migrate_tx_partitions_remaining'), WITH_RECORDS)

    // One at a time, then the default: every partition arrives.
    assert.equal(await infoValue(second, 'set-config:context=service;migrate-max-num-incoming=1'), 'ok')
    await eventually('the migration moves', async () => await namespaceStat(second, 'migrate_rx_partitions_remaining') < WITH_RECORDS, 5000)
    for (let i = 0; i < 5; i++) assert.ok(await namespaceStat(second, 'migrate_rx_partitions_active') <= 1)
    assert.equal(await infoValue(second, 'set-config:context=service;migrate-max-num-incoming=4'), 'ok')
    await stableWith(cluster)
    assert.equal(await namespaceStat(first, 'migrate_tx_partitions_remaining'), 0)
    assert.equal(await namespaceStat(second, 'migrate_rx_partitions_remaining'), 0)
    assert.equal(statistic(await infoValue(first, 'statistics'), 'migrate_partitions_remaining'), '0')
    await eventually('the client sees both nodes', async () => client.getNodes().length === 2)
    // Until its next tend the client may still map a partition to no node.
    await eventually('the client reads again', async () => client.get(keys[0]!).then(() => true, () => false), 5000)
    for (let i = 0; i < RECORDS; i++) assert.equal((await client.get(keys[i]!)).bins.v, i)
  })
})
