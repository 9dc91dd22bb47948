// Scans, queries, aggregations and background jobs across a three-node embedded cluster (replication
// factor 2), driven by the official client, which sends each node the partitions it masters (or the
// whole namespace, for jobs and aggregations). Every node also holds replica copies: a node that
// returned them would show records twice. The secondary index and the UDF module are created on each
// node by info command (cluster-wide index and UDF metadata is not there yet).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { createConnection } from 'node:net'
import { Connection, encodeRecordRequest, holdsPartition, parseReplicas } from '@aerolite/client'
import {
  FieldType, FrameParser, Info1, Info3, ParticleType, ProtoType, computeDigest, decodeMessage, decodeMessageAt, encodeFrame, encodeMessage, emptyHeader,
  findField, partitionId, readIntegerParticle, type Message,
} from '@aerolite/protocol'
import { realEnv, startCluster, type EmbeddedCluster } from '@aerolite/server'
import { Aerospike, NS, type AerospikeClient } from '../compat/helpers.ts'
import { eventually, infoValue, stableWith } from './embedded-harness.ts'

const SET = 'scans'
const RECORDS = 1200
const MODULE_FILE = fileURLToPath(new URL('./modules/cluster_scans.lua', import.meta.url))
const POLICY = { totalTimeout: 20_000, maxRetries: 5, sleepBetweenRetries: 100 }
// A scan outlives a node's death: its partitions are retried until the others master them.
const SCAN_POLICY = { totalTimeout: 60_000, socketTimeout: 10_000, maxRetries: 60, sleepBetweenRetries: 250 }




/** How often each value of bin `n` came back. */
function tally(values: number[]): Map<number, number> {
  const seen = new Map<number, number>()
  for (const n of values) seen.set(n, (seen.get(n) ?? 0) + 1)
  return seen
}

function assertEachOnce(values: number[], expected: number[], what: string): void {
  const seen = tally(values)
  const twice = [...seen].filter(([, times]) => times > 1).map(([n]) => n)
  const missing = expected.filter((n) => !seen.has(n))
  assert.deepEqual({ twice: twice.slice(0, 10), missing: missing.slice(0, 10) }, { twice: [], missing: [] }, what)
  assert.equal(values.length, expected.length, what)
}

function collect(stream: NodeJS.EventEmitter, onRecord?: (count: number) => void): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const values: number[] = []
    stream.on('data', (record: { bins: { n: number } }) => {
      values.push(record.bins.n)
      onRecord?.(values.length)
    })
    stream.on('error', reject)
    stream.on('end', () => resolve(values))
  })
}

/** Bin `name` of record `k<i>` as each live node answers a read of it (an owner from its own copy, the third node through the master). */
async function binOnEveryNode(cluster: EmbeddedCluster, alive: number[], i: number, name: string): Promise<Array<bigint | undefined>> {
  const digest = computeDigest(SET, ParticleType.STRING, Buffer.from(`k${i}`))
  const request = encodeRecordRequest({ namespace: NS, set: SET, info1: Info1.READ | Info1.GET_ALL }, digest)
  const out: Array<bigint | undefined> = []
  for (const index of alive) {
    const node = cluster.nodes[index]!
    const connection = await Connection.open(node.host, node.port, { env: realEnv })
    try {
      const message = decodeMessage((await connection.request(request.frame)).body)
      assert.equal(message.resultCode, 0, `read of k${i} on node ${index}`)
      const op = message.ops.find((o) => o.name.toString('utf8') === name)
      out.push(op === undefined ? undefined : readIntegerParticle(op.value))
    } finally {
      connection.destroy()
    }
  }
  return out
}

/** A partition scan of `pids` sent to one node as the client would send it; every message back, up to LAST. */
function listedScan(node: { host: string; port: number }, pids: number[]): Promise<Message[]> {
  const pidArray = Buffer.alloc(pids.length * 2)
  pids.forEach((pid, i) => pidArray.writeUInt16LE(pid, i * 2))
  const fields = [{ type: FieldType.NAMESPACE, data: Buffer.from(NS) }, { type: FieldType.SET, data: Buffer.from(SET) }, { type: FieldType.PID_ARRAY, data: pidArray }]
  const request = encodeFrame(ProtoType.MESSAGE, encodeMessage({ ...emptyHeader(), info1: Info1.READ, info3: Info3.PARTITION_DONE }, fields))
  return new Promise((resolve, reject) => {
    const socket = createConnection(node.port, node.host, () => socket.write(request))
    const parser = new FrameParser(64 * 1024 * 1024)
    const messages: Message[] = []
    socket.on('error', reject)
    socket.on('data', (chunk) => {
      for (const frame of parser.push(chunk)) {
        for (let at = 0; at < frame.body.length;) {
          const { message, end } = decodeMessageAt(frame.body, at)
          messages.push(message)
          at = end
          if ((message.info3 & Info3.LAST) !== 0) {
            socket.destroy()
            resolve(messages)
          }
        }
      }
    })
  })
}

describe('scans, queries, aggregations and jobs on a cluster of three nodes, replication factor 2', { timeout: 300_000 }, () => {
  let cluster: EmbeddedCluster
  let client: AerospikeClient
  const all = Array.from({ length: RECORDS }, (_, i) => i)

  before(async () => {
    cluster = await startCluster({ nodes: 3, replicationFactor: 2, logLevel: 'silent' })
    await stableWith(cluster, [0, 1, 2])
    client = await Aerospike.connect({
      hosts: [{ addr: cluster.nodes[0]!.host, port: cluster.nodes[0]!.port }],
      policies: { read: POLICY, write: POLICY, scan: SCAN_POLICY, query: SCAN_POLICY },
      modlua: { userPath: dirname(MODULE_FILE) },
      log: { level: Aerospike.log.OFF },
    })
    await eventually('the client sees three nodes', async () => client.getNodes().length === 3)
    const content = readFileSync(MODULE_FILE).toString('base64')
    for (const node of cluster.nodes) {
      assert.equal(await infoValue(node, `udf-put:filename=cluster_scans.lua;content=${content};content-len=${content.length};udf-type=LUA;`), 'ok')
      const created = await infoValue(node, `sindex-create:namespace=${NS};set=${SET};indexname=scans_n;bin=n;type=numeric`)
      assert.equal(created.toLowerCase(), 'ok')
    }
    for (const i of all) await client.put(new Aerospike.Key(NS, SET, `k${i}`), { n: i })
  })

  after(async () => {
    await client?.close()
    await cluster?.stop()
  })

  it('a scan returns each record exactly once', async () => {
    assertEachOnce(await collect(client.scan(NS, SET).foreach()), all, 'scan')
  })

  it('a node asked for every partition serves those it holds a copy of and answers the others unavailable', async () => {
    const replicas = parseReplicas(await infoValue(cluster.nodes[0]!, 'replicas')).find((entry) => entry.namespace === NS)!
    const holds = (pid: number): boolean => replicas.bitmaps.some((bitmap) => holdsPartition(bitmap, pid))
    const everyPid = Array.from({ length: 4096 }, (_, pid) => pid)
    const messages = await listedScan(cluster.nodes[0]!, everyPid)
    const unavailable = messages.filter((m) => (m.info3 & Info3.PARTITION_DONE) !== 0)
    assert.ok(unavailable.every((m) => m.resultCode === 11), 'PARTITION_UNAVAILABLE')
    const pidOf = (i: number): number => partitionId(computeDigest(SET, ParticleType.STRING, Buffer.from(`k${i}`)))
    assert.deepEqual(unavailable.map((m) => m.generation).sort((a, b) => a - b), everyPid.filter((pid) => !holds(pid)))
    const records = messages.filter((m) => m.info3 === 0).map((m) => partitionId(findField(m, FieldType.DIGEST)!))
    assert.ok(records.every(holds), 'records only of partitions it holds')
    assert.equal(records.length, all.filter((i) => holds(pidOf(i))).length)
  })

  it('a secondary-index query returns each matching record exactly once', async () => {
    const query = client.query(NS, SET, { filters: [Aerospike.filter.range('n', 100, 699)] })
    assertEachOnce(await collect(query.foreach()), all.slice(100, 700), 'index query')
  })

  it('an aggregation counts each record once', async () => {
    assert.equal(await client.query(NS, SET).apply('cluster_scans', 'count'), RECORDS)
    assert.equal(await client.query(NS, SET).apply('cluster_scans', 'sum_bin', ['n']), (RECORDS * (RECORDS - 1)) / 2)
    const indexed = client.query(NS, SET, { filters: [Aerospike.filter.range('n', 10, 19)] })
    assert.equal(await indexed.apply('cluster_scans', 'sum_bin', ['n']), 145)
  })

  it('a background query with ops increments each record once, on both copies', async () => {
    const job = await client.query(NS, SET).operate([Aerospike.operations.incr('b', 1)])
    await job.waitUntilDone(50)
    for (const i of all) assert.deepEqual(await binOnEveryNode(cluster, [0, 1, 2], i, 'b'), [1n, 1n, 1n], `bin b of k${i} on each node`)
  })

  it('a background scan with a UDF applies it once to each record, on both copies', async () => {
    const job = await client.scan(NS, SET).background('cluster_scans', 'bump')
    await job.waitUntilDone(50)
    for (const i of all) assert.deepEqual(await binOnEveryNode(cluster, [0, 1, 2], i, 'u'), [1n, 1n, 1n], `bin u of k${i} on each node`)
  })

  it('a scan during which a node is killed still returns every record, each once', async () => {
    // Throttled, so the kill lands while every node is still streaming.
    const scan = client.scan(NS, SET)
    let killed: Promise<void> | undefined
    const values = await collect(scan.foreach({ ...SCAN_POLICY, recordsPerSecond: 400 }), (count) => {
      if (count === 150) killed = cluster.kill(1)
    })
    await killed
    assert.ok(killed !== undefined, 'the node was killed mid-scan')
    // The client resumed the dead node's partitions after the last digest it had from each: no
    // record is missed, and none comes twice.
    assertEachOnce(values, all, 'scan across a kill')
  })
})
