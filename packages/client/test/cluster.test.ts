import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, computeDigest, partitionId } from '@aerolite/protocol'
import { realEnv, startServer } from '@aerolite/server'
import { Cluster, ConnectionPool, InfoError, encodeBitmap } from '../src/index.ts'
import { startFakeNode, type FakeNode } from './fake-node.ts'

const started: FakeNode[] = []
after(async () => {
  for (const node of started) await node.close()
})

async function fake(info: Record<string, string>): Promise<FakeNode> {
  const node = await startFakeNode({ 'partition-generation': '1', build: '8.1.0.0', edition: 'Aerospike Community Edition', 'peers-clear-std': '1,3000,[]', ...info })
  started.push(node)
  return node
}

const LOW = encodeBitmap(Array.from({ length: 2048 }, (_, i) => i))
const HIGH = encodeBitmap(Array.from({ length: 2048 }, (_, i) => i + 2048))

function intDigest(k: number): Buffer {
  const key = Buffer.alloc(8)
  key.writeUInt32BE(k, 4)
  return computeDigest('s', ParticleType.INTEGER, key)
}

describe('Cluster', () => {
  test('finds the second node through the seed\'s peers and routes each partition to its master', async () => {
    const b = await fake({ node: 'B', replicas: `test:0,2,${HIGH},${LOW}` })
    const a = await fake({ node: 'A', replicas: `test:0,2,${LOW},${HIGH}`, 'peers-clear-std': `3,3000,[[B,,[127.0.0.1:${b.port}]]]` })
    b.info.set('peers-clear-std', `3,3000,[[A,,[127.0.0.1:${a.port}]]]`)
    const cluster = await Cluster.connect({ env: realEnv, seeds: [{ host: '127.0.0.1', port: a.port }] })
    try {
      assert.deepEqual(cluster.nodes.map((n) => [n.index, n.name, n.port, n.build, n.edition]), [[0, 'A', a.port, '8.1.0.0', 'Aerospike Community Edition'], [1, 'B', b.port, '8.1.0.0', 'Aerospike Community Edition']])
      for (let k = 0; k < 100; k++) {
        const digest = intDigest(k)
        assert.equal(cluster.masterNode('test', digest)!.name, partitionId(digest) < 2048 ? 'A' : 'B')
      }
      assert.equal(cluster.masterNode('nope', intDigest(1)), undefined)
    } finally {
      cluster.close()
    }
  })

  test('an unreachable seed is skipped when another answers; none answering names each problem', async () => {
    const a = await fake({ node: 'A', replicas: `test:0,1,${LOW}` })
    const dead = await fake({})
    await dead.close()
    started.splice(started.indexOf(dead), 1)
    const cluster = await Cluster.connect({ env: realEnv, seeds: [{ host: '127.0.0.1', port: dead.port }, { host: '127.0.0.1', port: a.port }] })
    assert.deepEqual(cluster.nodes.map((n) => n.name), ['A'])
    cluster.close()
    await assert.rejects(Cluster.connect({ env: realEnv, seeds: [{ host: '127.0.0.1', port: dead.port }] }), (err: unknown) => err instanceof InfoError && err.message.includes(`127.0.0.1:${dead.port}`))
  })

  test('a node without a partition map yet, or with a bad replicas value, is an error', async () => {
    const uninitialised = await fake({ node: 'U', 'partition-generation': '4294967295', replicas: `test:0,1,${LOW}` })
    await assert.rejects(Cluster.connect({ env: realEnv, seeds: [{ host: '127.0.0.1', port: uninitialised.port }] }), /has no partition map yet/)
    const broken = await fake({ node: 'X', replicas: 'test:0,1,abc' })
    await assert.rejects(Cluster.connect({ env: realEnv, seeds: [{ host: '127.0.0.1', port: broken.port }] }), /expected 684/)
    const missing = await fake({ node: 'M' })
    await assert.rejects(Cluster.connect({ env: realEnv, seeds: [{ host: '127.0.0.1', port: missing.port }] }), /answered info command "replicas" with ERROR/)
  })

  test('an Aerolite node: one node masters all partitions of its namespaces', async () => {
    const server = await startServer({ namespace: 'bench' })
    try {
      const cluster = await Cluster.connect({ env: realEnv, seeds: [{ host: server.host, port: server.port }] })
      assert.equal(cluster.nodes.length, 1)
      assert.deepEqual(cluster.partitions.namespaces(), ['bench'])
      assert.equal(cluster.partitions.unownedCount('bench'), 0)
      assert.equal(cluster.masterNode('bench', intDigest(7))!.index, 0)
      cluster.close()
    } finally {
      await server.stop()
    }
  })
})

describe('ConnectionPool', () => {
  test('opens every connection, replaces a failed one once for all callers, and closes', async () => {
    const node = await fake({ node: 'P' })
    const pool = await ConnectionPool.open(node.host, node.port, 3, { env: realEnv })
    for (let i = 0; i < 3; i++) assert.ok(pool.at(i)?.isOpen)
    const old = pool.at(1)!
    old.destroy()
    assert.equal(pool.at(1), undefined)
    const [x, y] = await Promise.all([pool.reconnect(1), pool.reconnect(1)])
    assert.equal(x, y)
    assert.notEqual(x, old)
    assert.equal(pool.at(1), x)
    assert.equal(pool.pendingCount(), 0)
    pool.close()
    assert.equal(pool.at(0), undefined)
    await assert.rejects(pool.reconnect(0), /closed/)
  })

  test('fails as a whole when a connection cannot be opened', async () => {
    const node = await fake({})
    await node.close()
    started.splice(started.indexOf(node), 1)
    await assert.rejects(ConnectionPool.open(node.host, node.port, 2, { env: realEnv }), /cannot reach/)
    await assert.rejects(ConnectionPool.open(node.host, node.port, 0, { env: realEnv }), /not a positive integer/)
  })
})
