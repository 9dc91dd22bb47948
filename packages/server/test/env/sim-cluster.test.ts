// Three nodes of a cluster in one process on simulated time: the manual Env, the simulated network
// (each node its own host), the in-process membership store, a memory disk per node. No real
// socket, no real timer: the cluster forms, replicates, survives a crash and migrates, and the same
// seed replays the same network events.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import {
  FieldType, Info1, Info2, OpType, ParticleType, ProtoType, computeDigest, decodeMessage, emptyHeader, encodeFrame, encodeMessage,
  integerParticle, type Env, type Field, type Message, type MessageHeader, type OutOp,
} from '@aerolite/protocol'
import { Connection, requestInfo } from '@aerolite/client'
import { InProcessStore } from '../../src/cluster/in-process-store.ts'
import { StoreMembership } from '../../src/cluster/membership-client.ts'
import { defaultNamespaceConfig, defaultServerConfig } from '../../src/config/index.ts'
import { manualEnv, type ManualEnv } from '../../src/env/manual-env.ts'
import { MemoryDisk } from '../../src/env/memory-disk.ts'
import { SimNetwork } from '../../src/env/sim-network.ts'
import { simNodeEnv, type SimNodeEnv } from '../../src/env/sim-node-env.ts'
import { AeroliteNode } from '../../src/node.ts'
import { memoryLogger } from '../storage/harness.ts'

const HEARTBEAT = { intervalMs: 150, timeoutCount: 10 }

interface SimCluster {
  env: ManualEnv
  net: SimNetwork
  nodes: AeroliteNode[]
  nodeEnvs: SimNodeEnv[]
  hosts: string[]
  networkLog: string[]
}

/** Runs `work` while simulated time moves in steps of `stepMs`, up to `limitMs` of simulated time. */
async function whileTimeMoves<T>(env: ManualEnv, work: Promise<T>, limitMs = 60_000, stepMs = 10): Promise<T> {
  let done = false
  let value: T | undefined
  let failure: unknown
  work.then((v) => { done = true; value = v }, (err: unknown) => { done = true; failure = err ?? new Error('rejected') })
  for (let elapsed = 0; !done; elapsed += stepMs) {
    if (elapsed > limitMs) throw new Error(`not done within ${limitMs} ms of simulated time`)
    await env.scheduler.advance(stepMs)
  }
  if (failure !== undefined) throw failure
  return value as T
}

async function until(env: ManualEnv, what: string, check: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  await whileTimeMoves(env, (async () => {
    while (!(await check())) await env.scheduler.yieldTurn()
  })(), limitMs).catch((err: unknown) => {
    throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`)
  })
}

async function startSimCluster(seed: number, size: number): Promise<SimCluster> {
  const env = manualEnv({ seed })
  const networkLog: string[] = []
  const net = new SimNetwork(env, { log: (line) => networkLog.push(`${env.clock.monotonicMs().toFixed(3)} ${line}`) })
  const store = new InProcessStore(env)
  const hosts = Array.from({ length: size }, (_, i) => `10.0.0.${i + 1}`)
  const nodeEnvs = hosts.map((host) => simNodeEnv(env, { disk: new MemoryDisk(env.scheduler), network: net.forHost(host) }))
  const nodes = hosts.map((host, i) => {
    const nodeEnv = nodeEnvs[i]!
    const config = defaultServerConfig()
    config.service.clusterName = 'sim'
    config.service.nodeId = `BB900000000000${i + 1}`
    config.network.service = { address: host, port: 3000 }
    config.network.fabric.port = 3001
    const ns = defaultNamespaceConfig('test')
    ns.replicationFactor = 2
    config.namespaces = [ns]
    const { log } = memoryLogger()
    const membership = new StoreMembership({ clusterName: 'sim', store, env: nodeEnv, log, heartbeat: HEARTBEAT })
    return new AeroliteNode(config, { env: nodeEnv, logger: log, membership })
  })
  await whileTimeMoves(env, Promise.all(nodes.map((node) => node.start())))
  return { env, net, nodes, nodeEnvs, hosts, networkLog }
}

async function connect(cluster: SimCluster, host: string): Promise<Connection> {
  const clientEnv: Env = { ...cluster.env, network: cluster.net.forHost('10.0.1.1') }
  return whileTimeMoves(cluster.env, Connection.open(host, 3000, { env: clientEnv }))
}

async function info(cluster: SimCluster, connection: Connection, command: string): Promise<string> {
  return [...(await whileTimeMoves(cluster.env, requestInfo(connection, [command]))).values()][0] ?? ''
}

const keyFields = (key: string): Field[] => [
  { type: FieldType.NAMESPACE, data: Buffer.from('test') },
  { type: FieldType.SET, data: Buffer.from('sim') },
  { type: FieldType.DIGEST, data: computeDigest('sim', ParticleType.STRING, Buffer.from(key)) },
]

async function send(cluster: SimCluster, connection: Connection, header: Partial<MessageHeader>, fields: Field[], ops: OutOp[] = []): Promise<Message> {
  const frame = await whileTimeMoves(cluster.env, connection.request(encodeFrame(ProtoType.MESSAGE, encodeMessage({ ...emptyHeader(), ...header }, fields, ops))))
  return decodeMessage(frame.body)
}

const put = (cluster: SimCluster, connection: Connection, key: string, value: number): Promise<Message> =>
  send(cluster, connection, { info2: Info2.WRITE }, keyFields(key), [{ type: OpType.WRITE, name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(value) }])

const get = (cluster: SimCluster, connection: Connection, key: string): Promise<Message> =>
  send(cluster, connection, { info1: Info1.READ | Info1.GET_ALL }, keyFields(key))

function objects(answer: string): number {
  return Number(/objects=(\d+)/.exec(answer)?.[1] ?? NaN)
}

async function stable(cluster: SimCluster, connections: Connection[], size: number): Promise<void> {
  for (const connection of connections) {
    await until(cluster.env, `stable at ${size}`, async () => !(await requestInfo(connection, [`cluster-stable:size=${size}`])).get(`cluster-stable:size=${size}`)!.startsWith('ERROR'))
  }
}

async function run(seed: number): Promise<{ networkHash: string; objectsBefore: number[]; objectsAfter: number[] }> {
  const cluster = await startSimCluster(seed, 3)
  const connections = await Promise.all(cluster.hosts.map((host) => connect(cluster, host)))
  await stable(cluster, connections, 3)
  const RECORDS = 60
  // Every write goes to node 1: those it does not master are proxied.
  for (let i = 0; i < RECORDS; i++) assert.equal((await put(cluster, connections[0]!, `k${i}`, i)).resultCode, 0, `put k${i}`)
  const objectsBefore = await Promise.all(connections.map(async (c) => objects(await info(cluster, c, 'namespace/test'))))
  assert.equal(objectsBefore.reduce((a, b) => a + b, 0), 2 * RECORDS, `two copies of each record: ${objectsBefore.join(' ')}`)

  // Node 3's process dies (its sockets close, its code runs no more, its lease expires); the two
  // others take over its partitions and refill the second copies.
  cluster.net.crashHost(cluster.hosts[2]!)
  cluster.nodeEnvs[2]!.halt()
  await stable(cluster, connections.slice(0, 2), 2)
  for (let i = 0; i < RECORDS; i++) {
    const reply = await get(cluster, connections[1]!, `k${i}`)
    assert.equal(reply.resultCode, 0, `k${i} read back after the crash`)
  }
  const objectsAfter = await Promise.all(connections.slice(0, 2).map(async (c) => objects(await info(cluster, c, 'namespace/test'))))
  assert.deepEqual(objectsAfter, [RECORDS, RECORDS], 'each survivor holds a full copy')
  for (const connection of connections) connection.destroy()
  await whileTimeMoves(cluster.env, Promise.all(cluster.nodes.slice(0, 2).map((node) => node.drain())))
  return { networkHash: createHash('sha256').update(cluster.networkLog.join('\n')).digest('hex'), objectsBefore, objectsAfter }
}

test('three nodes on simulated time form a cluster, replicate, lose one node without losing a record, and replay exactly', async () => {
  const first = await run(11)
  const again = await run(11)
  assert.equal(again.networkHash, first.networkHash, 'the same seed replays the same network events')
  assert.deepEqual(again.objectsBefore, first.objectsBefore)
})
