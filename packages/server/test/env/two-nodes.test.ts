// Two nodes in one process on one manual Env: each keeps its own UDF modules (the same file name
// answers differently on each), and time moves only when the test moves it (TTL expiry, the
// ticker, the expiry sweep).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  FieldType, Info1, Info2, OpType, ParticleType, ProtoType, computeDigest, decodeMessage, decodeParticle, emptyHeader, encodeFrame,
  encodeMessage, integerParticle, packValue, type Field, type Message, type MessageHeader, type OutOp,
} from '@aerolite/protocol'
import { Connection, requestInfo } from '@aerolite/client'
import { defaultNamespaceConfig, defaultServerConfig, type ServerConfig } from '../../src/config/index.ts'
import { manualEnv, type ManualEnv } from '../../src/env/manual-env.ts'
import { AeroliteNode } from '../../src/node.ts'
import { memoryLogger } from '../storage/harness.ts'

function nodeConfig(): ServerConfig {
  const config = defaultServerConfig()
  config.network.service = { address: '127.0.0.1', port: 0 }
  config.namespaces = [defaultNamespaceConfig('test')]
  config.service.tickerIntervalSeconds = 1
  config.namespaces[0]!.nsupPeriodSeconds = 60
  return config
}

interface RunningNode {
  node: AeroliteNode
  connection: Connection
  lines: Array<Record<string, unknown>>
}

let env: ManualEnv
let a: RunningNode
let b: RunningNode

async function startNode(): Promise<RunningNode> {
  const { log, lines } = memoryLogger()
  const node = new AeroliteNode(nodeConfig(), { env, logger: log })
  const { host, port } = await node.start()
  return { node, connection: await Connection.open(host, port, { env }), lines }
}

before(async () => {
  env = manualEnv({ seed: 7 })
  a = await startNode()
  b = await startNode()
})

after(async () => {
  for (const running of [a, b]) {
    running?.connection.destroy()
    await running?.node.drain()
  }
})

async function udfPut(on: RunningNode, fileName: string, source: string): Promise<string> {
  const content = Buffer.from(source).toString('base64')
  const command = `udf-put:filename=${fileName};content=${content};content-len=${content.length};udf-type=LUA;`
  const answers = await requestInfo(on.connection, [command])
  return [...answers.values()][0] ?? ''
}

const keyFields = (key: string): Field[] => [
  { type: FieldType.NAMESPACE, data: Buffer.from('test') },
  { type: FieldType.SET, data: Buffer.from('demo') },
  { type: FieldType.DIGEST, data: computeDigest('demo', ParticleType.STRING, Buffer.from(key)) },
]

async function send(on: RunningNode, header: Partial<MessageHeader>, fields: Field[], ops: OutOp[] = []): Promise<Message> {
  const frame = await on.connection.request(encodeFrame(ProtoType.MESSAGE, encodeMessage({ ...emptyHeader(), ...header }, fields, ops)))
  return decodeMessage(frame.body)
}

async function applyUdf(on: RunningNode, key: string, moduleName: string, functionName: string): Promise<unknown> {
  const reply = await send(on, { info2: Info2.WRITE }, [
    ...keyFields(key),
    { type: FieldType.UDF_PACKAGE_NAME, data: Buffer.from(moduleName) },
    { type: FieldType.UDF_FUNCTION, data: Buffer.from(functionName) },
    { type: FieldType.UDF_ARGLIST, data: packValue([]) },
  ])
  assert.equal(reply.resultCode, 0, `apply on ${moduleName}.${functionName} answered ${reply.resultCode}`)
  const bin = reply.ops.find((op) => op.name.toString() === 'SUCCESS')!
  return decodeParticle(bin.particleType, bin.value)
}

const putWithTtl = (on: RunningNode, key: string, ttlSeconds: number): Promise<Message> =>
  send(on, { info2: Info2.WRITE, recordTtl: ttlSeconds }, keyFields(key), [{ type: OpType.WRITE, particleType: ParticleType.INTEGER, name: 'v', value: integerParticle(1) }])

const getResult = async (on: RunningNode, key: string): Promise<number> =>
  (await send(on, { info1: Info1.READ | Info1.GET_ALL }, keyFields(key))).resultCode

const tickerLines = (on: RunningNode): number => on.lines.filter((line) => line.msg === 'ticker').length

test('each node answers a UDF call with its own module of the same name', async () => {
  assert.equal(await udfPut(a, 'who.lua', 'function name(rec) return "node a" end'), 'ok')
  assert.equal(await udfPut(b, 'who.lua', 'function name(rec) return "node b" end'), 'ok')
  assert.equal(await applyUdf(a, 'k1', 'who', 'name'), 'node a')
  assert.equal(await applyUdf(b, 'k1', 'who', 'name'), 'node b')
  // Removing the module from one node leaves the other's.
  assert.equal([...(await requestInfo(a.connection, ['udf-remove:filename=who.lua;'])).values()][0], 'ok')
  assert.equal((await requestInfo(b.connection, ['udf-list'])).get('udf-list')?.includes('filename=who.lua'), true)
  assert.equal((await requestInfo(a.connection, ['udf-list'])).get('udf-list')?.includes('filename=who.lua'), false)
})

test('a record expires when the manual clock passes its TTL, and not before', async () => {
  assert.equal((await putWithTtl(a, 'short', 10)).resultCode, 0)
  await env.scheduler.advance(9_000)
  assert.equal(await getResult(a, 'short'), 0)
  await env.scheduler.advance(2_000)
  assert.equal(await getResult(a, 'short'), 2, 'past its TTL the record is gone')
  // The expiry sweep removes it on its own period (60 s), on manual time too.
  const expiredBefore = a.node.namespaces.get('test')!.counters.expiredObjects
  await env.scheduler.advance(60_000)
  assert.equal(a.node.namespaces.get('test')!.counters.expiredObjects, expiredBefore + 1)
})

test('the ticker logs each interval of manual time, every time, on each node', async () => {
  const before = [tickerLines(a), tickerLines(b)]
  await env.scheduler.advance(500)
  assert.deepEqual([tickerLines(a), tickerLines(b)], before, 'no line before the interval is up')
  await env.scheduler.advance(3_000)
  assert.deepEqual([tickerLines(a), tickerLines(b)], [before[0]! + 3, before[1]! + 3])
  const last = a.lines.filter((line) => line.msg === 'ticker').at(-1)!
  assert.equal(last.ns, 'test')
})

test('two background jobs started in the same millisecond keep their own ids', async () => {
  assert.equal((await putWithTtl(b, 'job-target', 0)).resultCode, 0)
  const startJob = (): Promise<Message> => send(b, { info2: Info2.WRITE }, [
    { type: FieldType.NAMESPACE, data: Buffer.from('test') },
    { type: FieldType.SET, data: Buffer.from('demo') },
  ], [{ type: OpType.WRITE, particleType: ParticleType.INTEGER, name: 'touched', value: integerParticle(1) }])
  // The manual clock does not move between the two.
  assert.equal((await startJob()).resultCode, 0)
  assert.equal((await startJob()).resultCode, 0)
  const jobs = (await requestInfo(b.connection, ['jobs:module=scan'])).get('jobs:module=scan') ?? ''
  const ids = new Set([...jobs.matchAll(/trid=(\d+)/g)].map((m) => m[1]))
  assert.equal(ids.size, 2, `two jobs listed: ${jobs}`)
})
