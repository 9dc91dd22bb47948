// min-cluster-size 2 on an embedded cluster of two nodes: the first node alone forms no cluster
// (no plans), both together do; when one dies the other stops serving (integrity false,
// cluster-stable names the size, a client's command fails within its wait instead of hanging) until
// the setting is lowered, and /ready answers 503 meanwhile. rebalance-generation counts only the
// plans a node adopted.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { holdsPartition, parseReplicas } from '@aerolite/client'
import { computeDigest, ParticleType, partitionId } from '@aerolite/protocol'
import { startCluster, type EmbeddedCluster } from '@aerolite/server'
import { Aerospike, NS, rejectsWithCode, type AerospikeClient } from '../compat/helpers.ts'
import { eventually, infoValue, stableWith, statistic } from './embedded-harness.ts'

describe('min-cluster-size 2 on an embedded cluster of two nodes', { timeout: 60_000 }, () => {
  let cluster: EmbeddedCluster
  let client: AerospikeClient
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-min-size-'))
  const key = new Aerospike.Key(NS, 'size', 'k')

  before(async () => {
    const configFile = join(dir, 'aerolite.conf')
    writeFileSync(configFile, `service {\n  min-cluster-size 2\n}\nnamespace ${NS} {\n}\n`)
    cluster = await startCluster({ nodes: 2, replicationFactor: 2, logLevel: 'silent', configFile, httpPort: 0 })
    await stableWith(cluster)
    client = await Aerospike.connect({
      hosts: [{ addr: cluster.nodes[0]!.host, port: cluster.nodes[0]!.port }],
      policies: { write: { totalTimeout: 2000, maxRetries: 1 } },
      log: { level: Aerospike.log.OFF },
    })
  })

  after(async () => {
    await client?.close()
    await cluster?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('the cluster forms once both nodes are in the view: the first node planned nothing alone', async () => {
    for (const node of cluster.nodes) assert.equal(await infoValue(node, 'rebalance-generation'), '1')
    await client.put(key, { v: 1 })
  })

  it('one node left alone forms no cluster and answers within bounds, until min-cluster-size is lowered', async () => {
    const node = cluster.nodes[0]!
    // A key the client sends to the surviving node (its master before the kill).
    const masters = parseReplicas(await infoValue(node, 'replicas')).find((entry) => entry.namespace === NS)!.bitmaps[0]!
    let name = 0
    while (!holdsPartition(masters, partitionId(computeDigest('size', ParticleType.STRING, Buffer.from(`m${name}`))))) name++
    const mastered = new Aerospike.Key(NS, 'size', `m${name}`)
    await cluster.kill(1)
    await eventually('the node sees a view of one', async () => statistic(await infoValue(node, 'statistics'), 'cluster_size') === '1')
    assert.equal(statistic(await infoValue(node, 'statistics'), 'cluster_integrity'), 'false')
    assert.equal(await infoValue(node, 'cluster-stable'), 'ERROR:4:cluster size 1 is below min-cluster-size 2')
    assert.equal(await infoValue(node, 'rebalance-generation'), '1')
    // Its readiness probe says so: a load balancer or Kubernetes stops sending it clients.
    const ready = await fetch(`http://127.0.0.1:${node.httpPort}/ready`)
    assert.deepEqual([ready.status, await ready.text()], [503, 'not ready: partition plans for the current cluster view are not ready\n'])
    const started = Date.now()
    await rejectsWithCode(client.put(mastered, { v: 2 }), 9, 'a write while the cluster is not formed')
    assert.ok(Date.now() - started < 10_000, 'the command failed within its wait')
    // Counted where monitoring looks for it (the AeroliteClientTimeouts alert).
    assert.ok(Number(statistic(await infoValue(node, `namespace/${NS}`), 'client_write_timeout')) >= 1, 'client_write_timeout counts the TIMEOUT answers')

    assert.equal(await infoValue(node, 'set-config:context=service;min-cluster-size=1'), 'ok')
    await stableWith(cluster, [0])
    assert.equal(await infoValue(node, 'rebalance-generation'), '2')
    assert.equal((await fetch(`http://127.0.0.1:${node.httpPort}/ready`)).status, 200)
    // Until its next tend the client may still map the partition to no node.
    await eventually('the client writes again', async () => client.put(key, { v: 3 }).then(() => true, () => false), 5000)
    assert.equal((await client.get(key)).bins.v, 3)
  })
})
