// What a node acknowledged but had not shipped when it died still ships. A single node with file
// storage, killed with kill -9 while its DC was down, ships its writes and deletes after its
// restart (from the shipped point its files keep). In a cluster, the master of a partition tells
// the other members how far the partition shipped; when it is killed, the new masters ship what
// it had not, and so does it when it returns and takes its partitions back; what had shipped
// before does not ship again.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCluster } from '@aerolite/server'
import { NodeChild } from '../../packages/sim/src/real-processes.ts'
import { Aerospike, type AerospikeClient } from '../compat/helpers.ts'
import { eventually, infoValue, stableWith } from '../cluster/embedded-harness.ts'
import { startNodeWithClient, type NodeWithClient } from './xdr-harness.ts'
import { freePort } from '../../packages/cli/src/cluster-processes.ts'

const dir = mkdtempSync(join(tmpdir(), 'aerolite-xdr-takeover-'))
const cleanups: Array<() => Promise<unknown>> = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  rmSync(dir, { recursive: true, force: true })
})

const POLICY = { totalTimeout: 10_000, maxRetries: 5, sleepBetweenRetries: 100 }
const xdrTo = (port: number): string[] => ['xdr {', '  dc dc2 {', `    node-address-port 127.0.0.1 ${port}`, '    period-ms 20', '    namespace test { }', '  }', '}']

async function connect(host: string, port: number): Promise<AerospikeClient> {
  return Aerospike.connect({ hosts: [{ addr: host, port }], policies: { read: POLICY, write: POLICY, remove: POLICY }, log: { level: Aerospike.log.OFF } })
}

/** The DC: one node on `port`, its records in a file (so they outlast its own restart). */
function startDc(port: number): Promise<NodeWithClient> {
  const lines = ['namespace test {', '  storage-engine device {', `    file ${join(dir, `dc-${port}.dat`)}`, '    filesize 64M', '  }', '}']
  return startNodeWithClient(join(dir, `dc-${port}.conf`), lines, port, cleanups, { policies: { read: POLICY, write: POLICY, remove: POLICY } })
}

async function count(client: AerospikeClient, set: string): Promise<number> {
  return (await client.scan('test', set).results()).length
}

async function xdrStat(node: { host: string; port: number }, name: string): Promise<number> {
  const answer = await infoValue(node, 'get-stats:context=xdr;dc=dc2')
  return Number(new RegExp(`(?:^|;)${name}=(\\d+)`).exec(answer)?.[1] ?? NaN)
}

describe('XDR ships what a dead node had not shipped', { timeout: 180_000 }, () => {
  it('a node killed with kill -9 while its DC was down ships its writes and deletes after its restart', async (t) => {
    const dcPort = await freePort()
    const a = new NodeChild({
      name: 'a', host: '127.0.0.1', dir,
      config: [...xdrTo(dcPort), 'namespace test {', '  storage-engine device {', `    file ${join(dir, 'a.dat')}`, '    filesize 64M', '    commit-to-device true', '  }', '}'],
    })
    cleanups.push(() => a.stop())
    await a.start()
    let dc = await startDc(dcPort)
    let client = await connect('127.0.0.1', a.port)
    const gone = Array.from({ length: 20 }, (_, i) => new Aerospike.Key('test', 'kept', `gone${i}`))
    for (const key of gone) await client.put(key, { v: 1 })
    await eventually('the first records to reach the DC', async () => (await count(dc.client, 'kept')) === 20)
    await dc.server.stop()

    const keys = Array.from({ length: 300 }, (_, i) => new Aerospike.Key('test', 'kept', `k${i}`))
    for (const [i, key] of keys.entries()) await client.put(key, { i })
    for (const key of gone) await client.remove(key, { durableDelete: true })
    assert.equal(await xdrStat({ host: '127.0.0.1', port: a.port }, 'in_queue'), 320, 'every change waits for the DC')
    client.close()
    await a.kill()
    await a.start()
    dc = await startDc(dcPort)
    const restartedAt = performance.now()
    await eventually('the writes and deletes made before the kill to reach the DC', async () => (await count(dc.client, 'kept')) === 300, 30_000)
    t.diagnostic(`300 writes and 20 deletes made before kill -9 reached the DC ${Math.round(performance.now() - restartedAt)} ms after both were back`)
    for (const key of gone) assert.equal(await dc.client.exists(key), false)
    client = await connect('127.0.0.1', a.port)
    assert.deepEqual((await dc.client.get(keys[123]!)).bins, { i: 123 })
    client.close()
  })

  it('in a cluster, the new masters ship what a killed master had not shipped, and so does the master when it returns: nothing else ships again', async (t) => {
    const dcPort = await freePort()
    const configFile = join(dir, 'cluster.conf')
    writeFileSync(configFile, [...xdrTo(dcPort), 'namespace test { }'].join('\n'))
    const cluster = await startCluster({ nodes: 3, replicationFactor: 2, configFile, logLevel: 'silent' })
    cleanups.push(() => cluster.stop())
    await stableWith(cluster)
    let dc = await startDc(dcPort)
    const client = await connect(cluster.nodes[0]!.host, cluster.nodes[0]!.port)
    cleanups.push(async () => client.close())
    await eventually('the client to see three nodes', async () => client.getNodes().length === 3)
    const shippedKeys = Array.from({ length: 300 }, (_, i) => new Aerospike.Key('test', 'c', `shipped${i}`))
    for (const [i, key] of shippedKeys.entries()) await client.put(key, { i })
    await eventually('the first writes to reach the DC', async () => (await count(dc.client, 'c')) === 300)
    await dc.server.stop()
    // A new master ships again from a second before the oldest waiting change (room for a clock
    // stepped back): the first writes stay outside that second.
    await new Promise((resolve) => setTimeout(resolve, 1200))
    const shippedBefore = await Promise.all(cluster.nodes.slice(0, 2).map((node) => xdrStat(node, 'success')))

    const keys = Array.from({ length: 300 }, (_, i) => new Aerospike.Key('test', 'c', `k${i}`))
    for (const [i, key] of keys.entries()) await client.put(key, { i })
    const queued = await Promise.all(cluster.nodes.map((node) => xdrStat(node, 'in_queue')))
    assert.equal(queued.reduce((sum, n) => sum + n, 0), 300, `each master queued its own writes: ${queued.join(', ')}`)
    assert.ok(queued[2]! > 0, 'the node to be killed masters some of them')
    // The members tell each other their points every second.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    await cluster.kill(2)
    await stableWith(cluster, [0, 1])
    // It returns empty and takes its partitions back once filled: the others hand over the points
    // of what they had not shipped, and let those changes go.
    await cluster.restart(2)
    await stableWith(cluster)
    dc = await startDc(dcPort)
    const startedAt = performance.now()
    await eventually('every acknowledged write to reach the DC', async () => (await count(dc.client, 'c')) === 600, 30_000)
    t.diagnostic(`${queued[2]} of 300 waiting writes were mastered by the killed node; all reached the DC ${Math.round(performance.now() - startedAt)} ms after it came up`)
    assert.deepEqual((await dc.client.get(keys[299]!)).bins, { i: 299 })
    const shippedAfter = await Promise.all(cluster.nodes.map((node) => xdrStat(node, 'success')))
    const shippedAgain = shippedAfter[0]! - shippedBefore[0]! + shippedAfter[1]! - shippedBefore[1]! + shippedAfter[2]!
    t.diagnostic(`records sent to the DC after it came back: ${shippedAgain} (300 were waiting)`)
    assert.ok(shippedAgain >= 300 && shippedAgain < 330, `${shippedAgain} records shipped: the 300 waiting, not the 300 shipped before`)
  })
})
