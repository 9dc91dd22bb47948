// UDF modules, secondary indexes and truncation on a three-node embedded cluster, driven by the
// official client as an application would: register once, call on keys mastered by every node; create
// an index once, query the whole cluster; truncate once, every copy is gone; a node that comes back
// empty gets the modules and indexes again.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { holdsPartition, parseReplicas } from '@aerolite/client'
import { ParticleType, computeDigest, partitionId } from '@aerolite/protocol'
import { startCluster, type EmbeddedCluster } from '@aerolite/server'
import { Aerospike, NS, type AerospikeClient } from '../compat/helpers.ts'
import { eventually, infoValue, stableWith } from './embedded-harness.ts'

const SET = 'smd'
const RECORDS = 90
const POLICY = { totalTimeout: 10_000, maxRetries: 5, sleepBetweenRetries: 100 }




/** Index of the node that masters the key's partition. */
async function masterOf(cluster: EmbeddedCluster, key: string): Promise<number> {
  const pid = partitionId(computeDigest(SET, ParticleType.STRING, Buffer.from(key)))
  for (const [i, node] of cluster.nodes.entries()) {
    const ns = parseReplicas(await infoValue(node, 'replicas')).find((entry) => entry.namespace === NS)!
    if (holdsPartition(ns.bitmaps[0]!, pid)) return i
  }
  throw new Error(`no master for partition ${pid}`)
}

describe('cluster metadata through the official client on a three-node cluster', { timeout: 180_000 }, () => {
  let cluster: EmbeddedCluster
  let client: AerospikeClient
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-smd-'))
  const keys = Array.from({ length: RECORDS }, (_, i) => new Aerospike.Key(NS, SET, `k${i}`))

  before(async () => {
    cluster = await startCluster({ nodes: 3, replicationFactor: 2, logLevel: 'silent' })
    await stableWith(cluster)
    client = await Aerospike.connect({
      hosts: [{ addr: cluster.nodes[0]!.host, port: cluster.nodes[0]!.port }],
      policies: { read: POLICY, write: POLICY, apply: POLICY, query: POLICY },
      log: { level: Aerospike.log.OFF },
    })
    await eventually('the client sees three nodes', async () => client.getNodes().length === 3)
    for (let i = 0; i < RECORDS; i++) await client.put(keys[i]!, { i })
  })

  after(async () => {
    await client?.close()
    await cluster?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('registers a UDF once and runs it on keys mastered by each node', async () => {
    const file = join(dir, 'smd_calc.lua')
    writeFileSync(file, 'function times(rec, n) return rec["i"] * n end\n')
    const job = await client.udfRegister(file)
    await job.wait(10)
    for (const node of cluster.nodes) assert.match(await infoValue(node, 'udf-list'), /filename=smd_calc\.lua,hash=[0-9a-f]{40},type=LUA;/)
    const byMaster = new Map<number, number>()
    for (let i = 0; i < RECORDS && byMaster.size < 3; i++) {
      const master = await masterOf(cluster, `k${i}`)
      if (!byMaster.has(master)) byMaster.set(master, i)
    }
    assert.equal(byMaster.size, 3, 'keys mastered by each of the three nodes')
    for (const i of byMaster.values()) assert.equal(await client.apply(keys[i]!, { module: 'smd_calc', funcname: 'times', args: [3] }), 3 * i)
  })

  it('creates an index once, built on every node, and a query over the cluster finds each record once', async () => {
    const job = await client.createIndex({ ns: NS, set: SET, bin: 'i', index: 'smd_i', datatype: Aerospike.indexDataType.NUMERIC } as never)
    await job.wait(10)
    for (const node of cluster.nodes) assert.match(await infoValue(node, `sindex-stat:namespace=${NS};indexname=smd_i`), /(^|;)load_pct=100(;|$)/)
    const found = await client.query(NS, SET, { filters: [Aerospike.filter.range('i', 10, 39)] }).results()
    assert.deepEqual(found.map((r) => Number(r.bins.i)).sort((a, b) => a - b), Array.from({ length: 30 }, (_, k) => 10 + k))
  })

  it('a node that comes back empty gets the module and the index again', async () => {
    await cluster.kill(2)
    await cluster.restart(2)
    await stableWith(cluster)
    assert.match(await infoValue(cluster.nodes[2]!, 'udf-list'), /filename=smd_calc\.lua,/)
    assert.match(await infoValue(cluster.nodes[2]!, `sindex-stat:namespace=${NS};indexname=smd_i`), /(^|;)load_pct=100(;|$)/)
    const found = await client.query(NS, SET, { filters: [Aerospike.filter.range('i', 0, RECORDS)] }).results()
    assert.equal(found.length, RECORDS)
  })

  it('truncates once: every copy on every node is gone', async () => {
    await client.truncate(NS, SET, 0)
    for (const node of cluster.nodes) {
      await eventually('the set empty on every node', async () => /(^|:)objects=0(:|$)/.test(await infoValue(node, `sets/${NS}/${SET}`)))
    }
    for (const i of [0, 1, 2, 45, 89]) await assert.rejects(client.get(keys[i]!), (err: { code: number }) => err.code === Aerospike.status.ERR_RECORD_NOT_FOUND)
    assert.deepEqual(await client.query(NS, SET, { filters: [Aerospike.filter.range('i', 0, RECORDS)] }).results(), [])
  })

  it('removes the module and the index from every node', async () => {
    await (await client.udfRemove('smd_calc.lua')).wait(10)
    await client.indexRemove(NS, 'smd_i')
    for (const node of cluster.nodes) {
      await eventually('gone from every node', async () => (await infoValue(node, 'udf-list')) === '' && (await infoValue(node, 'sindex-list')) === '')
    }
  })
})
