// Cluster metadata through the membership, on real nodes in this process (real sockets and time, the
// in-process store): UDF modules, indexes and truncate points changed through any node reach every
// node, a node that joins later included; bad input answers as on one node and writes nothing; a
// store that cannot be reached answers an error and changes nothing.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  FieldType, Info2, OpType, ParticleType, ProtoType, computeDigest, decodeMessage, emptyHeader, encodeFrame, encodeMessage, integerParticle,
  packValue, type Field,
} from '@aerolite/protocol'
import { Connection, requestInfo } from '@aerolite/client'
import { InProcessStore } from '../../src/cluster/in-process-store.ts'
import { StoreMembership } from '../../src/cluster/membership-client.ts'
import { defaultNamespaceConfig, defaultServerConfig, type ServerConfig } from '../../src/config/index.ts'
import { realEnv } from '../../src/env/real-env.ts'
import { AeroliteNode } from '../../src/node.ts'
import { memoryLogger } from '../storage/harness.ts'
import { CutStore } from './harness.ts'

const CLUSTER = 'smd-test'

interface RunningNode {
  node: AeroliteNode
  membership: StoreMembership
  store: CutStore
  connection: Connection
}

function nodeConfig(): ServerConfig {
  const config = defaultServerConfig()
  config.network.service = { address: '127.0.0.1', port: 0 }
  config.network.fabric.port = 0
  config.service.clusterName = CLUSTER
  config.namespaces = [defaultNamespaceConfig('test')]
  config.namespaces[0]!.replicationFactor = 2
  return config
}

const store = new InProcessStore(realEnv)
const nodes: RunningNode[] = []

async function startNode(): Promise<RunningNode> {
  const cut = new CutStore(store, realEnv.clock)
  const membership = new StoreMembership({ clusterName: CLUSTER, store: cut, env: realEnv, log: { info() {}, warn() {}, error() {} }, heartbeat: { intervalMs: 150, timeoutCount: 10 } })
  const node = new AeroliteNode(nodeConfig(), { env: realEnv, logger: memoryLogger().log, membership })
  const { host, port } = await node.start()
  const running = { node, membership, store: cut, connection: await Connection.open(host, port, { env: realEnv }) }
  nodes.push(running)
  return running
}

async function info(on: RunningNode, command: string): Promise<string> {
  return [...(await requestInfo(on.connection, [command])).values()][0] ?? ''
}

/** Polls until `check` holds, failing with `what` past `withinMs`. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${withinMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function udfPutCommand(fileName: string, source: string): string {
  const content = Buffer.from(source).toString('base64')
  return `udf-put:filename=${fileName};content=${content};content-len=${content.length};udf-type=LUA;`
}

const entryKeys = (on: RunningNode): string[] => [...on.membership.metadata.entries().keys()].sort()

const keyFields = (set: string, key: string): Field[] => [
  { type: FieldType.NAMESPACE, data: Buffer.from('test') },
  { type: FieldType.SET, data: Buffer.from(set) },
  { type: FieldType.DIGEST, data: computeDigest(set, ParticleType.STRING, Buffer.from(key)) },
]

async function command(on: RunningNode, info2: number, fields: Field[], ops: Parameters<typeof encodeMessage>[2] = []): Promise<ReturnType<typeof decodeMessage>> {
  const frame = await on.connection.request(encodeFrame(ProtoType.MESSAGE, encodeMessage({ ...emptyHeader(), info2 }, fields, ops)))
  return decodeMessage(frame.body)
}

async function put(on: RunningNode, set: string, key: string, value: number): Promise<void> {
  const reply = await command(on, Info2.WRITE, keyFields(set, key), [{ type: OpType.WRITE, particleType: ParticleType.INTEGER, name: 'v', value: integerParticle(value) }])
  assert.equal(reply.resultCode, 0, `put ${set}/${key}`)
}

/** Copies of a record (any node, master or replica) that this node's namespace still shows. */
function copiesOf(set: string, key: string): number {
  const digest = computeDigest(set, ParticleType.STRING, Buffer.from(key))
  return nodes.filter((n) => n.node.namespaces.get('test')!.find(digest) >= 0).length
}

/** Every node answers cluster-stable for `size` members (views agree, migrations done). */
async function stable(size: number): Promise<void> {
  await eventually(`a stable cluster of ${size}`, async () => {
    for (const node of nodes) if ((await info(node, `cluster-stable:size=${size}`)).startsWith('ERROR')) return false
    return true
  }, 20_000)
}

const LOAD_PCT_100 = /(^|;)load_pct=100(;|$)/

describe('cluster metadata on three nodes (in-process store)', { timeout: 120_000 }, () => {
  before(async () => {
    for (let i = 0; i < 3; i++) await startNode()
    await stable(3)
  })

  after(async () => {
    for (const running of nodes) {
      running.connection.destroy()
      await running.node.drain()
    }
  })

  test('a UDF registered on node 0 is listed there at once and on the others soon; calls through every node run it', async () => {
    const [a, b, c] = nodes as [RunningNode, RunningNode, RunningNode]
    // One request: the udf-list line waits for the udf-put before it.
    const answers = await requestInfo(a.connection, [udfPutCommand('twice.lua', 'function twice(rec, x) return x * 2 end'), 'udf-list'])
    const values = [...answers.values()]
    assert.equal(values[0], 'ok')
    assert.match(values[1]!, /filename=twice\.lua,hash=[0-9a-f]{40},type=LUA;/)
    assert.deepEqual(entryKeys(a), ['udf/twice.lua'])
    const listed = await info(a, 'udf-list')
    for (const node of [b, c]) await eventually('the module on every node', async () => (await info(node, 'udf-list')) === listed)
    for (const [i, node] of [a, b, c].entries()) {
      const reply = await command(node, Info2.WRITE, [
        ...keyFields('udf', `k${i}`),
        { type: FieldType.UDF_PACKAGE_NAME, data: Buffer.from('twice') },
        { type: FieldType.UDF_FUNCTION, data: Buffer.from('twice') },
        { type: FieldType.UDF_ARGLIST, data: packValue([21]) },
      ])
      assert.equal(reply.resultCode, 0, `apply through node ${i}`)
      assert.equal(String(reply.ops[0]?.name), 'SUCCESS')
      assert.equal(reply.ops[0]?.value.readBigInt64BE(0), 42n)
    }
  })

  test('bad input answers as on one node and writes nothing', async () => {
    const [a, b] = nodes as [RunningNode, RunningNode]
    const before = entryKeys(a)
    const revisionBefore = (await store.range('/')).revision
    assert.match(await info(a, udfPutCommand('broken.lua', 'function oops(')), /^error=compile_error;file=broken\.lua;line=1;message=/)
    assert.equal(await info(a, udfPutCommand('toplevel.lua', 'error("no")')), `error=compile_error;file=toplevel.lua;line=1;message=${Buffer.from('no').toString('base64')}`)
    assert.equal(await info(a, 'udf-put:filename=noext;content=AAAA;content-len=4;'), 'error=invalid_filename')
    assert.equal(await info(b, 'sindex-create:namespace=test;indexname=bad;bin=v;type=float'), "ERROR:4:bad 'type' - must be one of 'numeric', 'string', 'blob', 'geo2dsphere'")
    assert.equal(await info(b, 'sindex-create:namespace=nope;indexname=x;bin=v;type=numeric'), 'ERROR:4:namespace not found')
    assert.equal(await info(b, 'truncate:namespace=test;set=s;lut=99999999999999999999'), 'ERROR:4:lut is in the future')
    assert.equal(await info(b, 'truncate:namespace=test'), "ERROR:4:missing 'set' value (use truncate-namespace for a whole namespace)")
    assert.equal(await info(b, 'truncate-namespace:namespace=nope'), 'ERROR:4:namespace not found: nope')
    assert.deepEqual(entryKeys(a), before)
    assert.equal((await store.range('/')).revision, revisionBefore, 'nothing was written to the store')
  })

  test('an index created on one node is created and built on every node; a conflicting one is refused as on one node', async () => {
    const [a, b, c] = nodes as [RunningNode, RunningNode, RunningNode]
    for (let i = 0; i < 60; i++) await put(nodes[i % 3]!, 'idx', `r${i}`, i)
    assert.equal(await info(b, 'sindex-create:namespace=test;set=idx;indexname=by_v;bin=v;type=numeric'), 'ok')
    assert.match(await info(b, 'sindex-stat:namespace=test;indexname=by_v'), LOAD_PCT_100, 'built on the node that answered')
    for (const node of [a, c]) await eventually('built on every node', async () => LOAD_PCT_100.test(await info(node, 'sindex-stat:namespace=test;indexname=by_v')))
    await stable(3)
    let entries = 0
    for (const node of nodes) entries += Number(/(^|;)entries=(\d+)/.exec(await info(node, 'sindex-stat:namespace=test;indexname=by_v'))![2])
    assert.equal(entries, 120, 'each of the two copies of the 60 records is indexed where it lives')
    // Same name, another definition: refused (200) and not shared.
    const revisionBefore = (await store.range('/')).revision
    assert.equal(await info(c, 'sindex-create:namespace=test;set=idx;indexname=by_v;bin=v;type=string'), "ERROR:200:'indexname' already exists with different definition")
    assert.equal((await store.range('/')).revision, revisionBefore)
    // The same definition again is ok and writes nothing either.
    assert.equal(await info(c, 'sindex-create:namespace=test;set=idx;indexname=by_v;bin=v;type=numeric'), 'ok')
    assert.equal((await store.range('/')).revision, revisionBefore)
  })

  test('a rename moves the index to its new name on every node and leaves one entry', async () => {
    const [a] = nodes as [RunningNode]
    assert.equal(await info(a, 'sindex-create:namespace=test;set=idx;indexname=v_index;bin=v;type=numeric'), 'ok')
    for (const node of nodes) {
      await eventually('renamed on every node', async () => (await info(node, 'sindex-list:namespace=test')).includes('indexname=v_index:'))
      assert.doesNotMatch(await info(node, 'sindex-list:namespace=test'), /indexname=by_v:/)
    }
    assert.deepEqual(entryKeys(a).filter((k) => k.startsWith('sindex/')), ['sindex/test/v_index'])
  })

  test('two entries for one definition (a rename cut short) leave every node with the same single index', async () => {
    const [a] = nodes as [RunningNode]
    await a.membership.metadata.put('sindex/test/a_first', a.membership.metadata.entries().get('sindex/test/v_index')!)
    const lists = async (): Promise<string[]> => Promise.all(nodes.map(async (node) => info(node, 'sindex-list:namespace=test')))
    await eventually('every node agrees', async () => new Set(await lists()).size === 1 && (await lists())[0]!.includes('indexname=v_index:'))
    assert.equal((await lists())[0]!.split(';').length, 1, 'one index')
    await a.membership.metadata.remove('sindex/test/a_first')
  })

  test('a node started after the changes gets every module and index, built', async () => {
    const d = await startNode()
    assert.match(await info(d, 'udf-list'), /filename=twice\.lua,/)
    await eventually('the index built on the new node', async () => LOAD_PCT_100.test(await info(d, 'sindex-stat:namespace=test;indexname=v_index')))
    assert.doesNotMatch(await info(d, 'sindex-list'), /a_first/)
    await stable(4)
  })

  test('a truncate on one node hides the records on every node; an earlier cutoff changes nothing', async () => {
    const [a, b] = nodes as [RunningNode, RunningNode]
    for (let i = 0; i < 40; i++) await put(a, 'gone', `g${i}`, i)
    await put(a, 'kept', 'k', 1)
    await stable(4)
    for (let i = 0; i < 40; i++) assert.equal(copiesOf('gone', `g${i}`), 2, `two copies of g${i}`)
    assert.equal(await info(b, 'truncate:namespace=test;set=gone'), 'ok')
    // Hidden at once on the node that answered, on the others soon.
    const bNamespace = b.node.namespaces.get('test')!
    for (let i = 0; i < 40; i++) assert.ok(bNamespace.find(computeDigest('gone', ParticleType.STRING, Buffer.from(`g${i}`))) < 0, `g${i} hidden on node 1`)
    await eventually('hidden on every node', () => Array.from({ length: 40 }, (_, i) => copiesOf('gone', `g${i}`)).every((n) => n === 0))
    assert.equal(copiesOf('kept', 'k'), 2, 'another set keeps its records')
    const cutoff = a.membership.metadata.entries().get('truncate/test/gone')!
    assert.match(cutoff, /^\d+$/)
    const revision = (await store.range('/')).revision
    assert.equal(await info(a, `truncate:namespace=test;set=gone;lut=${(BigInt(cutoff) - 1000n) * 1000000n}`), 'ok')
    assert.equal((await store.range('/')).revision, revision, 'an earlier cutoff is not written')
    assert.equal(a.membership.metadata.entries().get('truncate/test/gone'), cutoff)
  })

  test('removing a UDF and an index removes them from every node and from the metadata', async () => {
    const [a, b] = nodes as [RunningNode, RunningNode]
    assert.equal(await info(b, 'udf-remove:filename=twice.lua'), 'ok')
    assert.equal(await info(b, 'udf-list'), '', 'gone from the node that answered at once')
    assert.equal(await info(a, 'sindex-delete:namespace=test;indexname=v_index'), 'ok')
    assert.equal(await info(a, 'sindex-exists:namespace=test;indexname=v_index'), 'false')
    for (const node of nodes) {
      await eventually('the module gone everywhere', async () => (await info(node, 'udf-list')) === '')
      await eventually('the index gone everywhere', async () => (await info(node, 'sindex-list')) === '')
    }
    assert.ok(!entryKeys(a).some((k) => k.startsWith('udf/') || k.startsWith('sindex/')))
    // Removing what is not there is ok, as on one node, and writes nothing.
    const revision = (await store.range('/')).revision
    assert.equal(await info(a, 'udf-remove:filename=twice.lua'), 'ok')
    assert.equal(await info(a, 'sindex-delete:namespace=test;indexname=v_index'), 'ok')
    assert.equal((await store.range('/')).revision, revision)
  })

  test('a node that cannot reach the store answers udf-put and sindex-create with an error, and no node changes', async () => {
    const [a, b] = nodes as [RunningNode, RunningNode]
    a.store.setCut(true)
    try {
      const answer = await info(a, udfPutCommand('cut.lua', 'function f() return 1 end'))
      assert.match(answer, /^error=cluster_metadata_unavailable;message=/)
      assert.match(Buffer.from(answer.split('message=')[1]!, 'base64').toString(), /could not write cluster metadata udf\/cut\.lua: .*unreachable/)
      assert.match(await info(a, 'sindex-create:namespace=test;indexname=cut;bin=v;type=numeric'), /^ERROR:9:could not write cluster metadata sindex\/test\/cut/)
      assert.match(await info(a, 'truncate-namespace:namespace=test'), /^ERROR:9:could not write cluster metadata truncate\/test/)
    } finally {
      a.store.setCut(false)
    }
    assert.equal(await info(a, 'udf-list'), '')
    assert.equal(await info(b, 'udf-list'), '')
    assert.equal(await info(b, 'sindex-list'), '')
    assert.equal(b.membership.metadata.entries().get('truncate/test'), undefined)
  })
})
