// README.md makes promises; these tests keep them true: the first-screen commands, the start
// options, the config example, the embedded example and the "what works today" lists.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Aerospike, { type Client } from 'aerospike'
import { parseConfig, startServer, type EmbeddedServer } from '@aerolite/server'
import { runCli } from './cli-process.ts'

const README_PATH = fileURLToPath(new URL('../../../README.md', import.meta.url))
const README = readFileSync(README_PATH, 'utf8')

/** The fenced code blocks of the README with the given info string. */
function codeBlocks(lang: string): string[] {
  const out: string[] = []
  const fence = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm')
  for (const match of README.matchAll(fence)) out.push(match[1]!)
  return out
}

/** The section of the README under a `## title` heading. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`)
  assert.ok(start >= 0, `README has a "## ${title}" section`)
  const end = README.indexOf('\n## ', start + 1)
  return README.slice(start, end < 0 ? undefined : end)
}

/** The Aerospike result code of a failed client call, or 0 if it succeeded. */
async function codeOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call()
    return 0
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (typeof code !== 'number') throw err
    return code
  }
}

describe('README first screen', () => {
  const firstScreen = README.split('\n').slice(0, 25).join('\n')

  test('gives the install-and-start command and the test command in the first 25 lines', () => {
    assert.match(firstScreen, /^npm install && npx aerolite start$/m)
    assert.match(firstScreen, /^npm test$/m)
    assert.match(firstScreen, /Node\.js 20/)
  })

  test('states the embedded defaults the CLI prints in its help', async () => {
    assert.match(firstScreen, /namespace `test`, in memory, on 127\.0\.0\.1:3000/)
    const help = await runCli(['--help'])
    assert.match(help.stdout, /namespace "test" in memory on 127\.0\.0\.1:3000/)
  })
})

describe('README aerolite start section', () => {
  test('the options table lists exactly the options `aerolite start --help` lists', async () => {
    const help = await runCli(['start', '--help'])
    const fromHelp = new Set([...help.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]))
    const fromReadme = new Set([...section('`aerolite start`').matchAll(/^\| `(--[a-z-]+)/gm)].map((m) => m[1]))
    assert.ok(fromHelp.size >= 5, help.stdout)
    assert.deepEqual([...fromReadme].sort(), [...fromHelp].sort())
  })

  test('the aerospike.conf example is accepted by the parser and means what its comments say', () => {
    const [example] = codeBlocks('conf')
    assert.ok(example !== undefined, 'README has a ```conf block')
    const config = parseConfig(example, 'README.md')
    assert.deepEqual(config.namespaces.map((ns) => ns.name), ['test'])
    assert.equal(config.network.service.address, '127.0.0.1')
    assert.equal(config.network.service.port, 3000)
    assert.equal(config.service.clusterName, 'dev')
    const ns = config.namespaces[0]!
    assert.equal(ns.defaultTtlSeconds, 0)
    assert.equal(ns.maxTtlSeconds, 3650 * 86400)
    assert.equal(ns.nsupPeriodSeconds, 120)
    assert.equal(ns.maxRecordSizeBytes, 1024 * 1024)
    assert.equal(ns.storage.dataSizeBytes, 1024 ** 3)
    assert.equal(ns.storage.writeBlockSizeBytes, 1024 * 1024)
  })
})

describe('README embedded example and feature lists, against startServer()', () => {
  let server: EmbeddedServer
  let client: Client

  before(async () => {
    server = await startServer()
    client = await Aerospike.connect({ hosts: [{ addr: server.host, port: server.port }] })
  })

  after(async () => {
    await client?.close()
    await server?.stop()
  })

  test('the client example prints { name: "Ada", visits: 2 }', async () => {
    const key = new Aerospike.Key('test', 'demo', 'user-1')
    await client.put(key, { name: 'Ada', visits: 1 })
    await client.incr(key, { visits: 1 })
    const record = await client.get(key)
    assert.deepEqual(record.bins, { name: 'Ada', visits: 2 })
  })

  test('the embedded example: put then get', async () => {
    const key = new Aerospike.Key('test', 'demo', 'k1')
    await client.put(key, { n: 1 })
    assert.equal((await client.get(key)).bins.n, 1)
  })

  test('works today: exists policies, generation checks, touch, operate with scalar ops, remove', async () => {
    const key = new Aerospike.Key('test', 'works', 'r1')
    await client.put(key, { s: 'a', i: 1 }, undefined, { exists: Aerospike.policy.exists.CREATE })
    assert.equal(await codeOf(() => client.put(key, { s: 'b' }, undefined, { exists: Aerospike.policy.exists.CREATE })), 5)
    const meta = await client.get(key)
    assert.equal(await codeOf(() => client.put(key, { i: 2 }, { gen: meta.gen + 5 }, { gen: Aerospike.policy.gen.EQ })), 3)
    const ops = Aerospike.operations
    const touched = await client.operate(key, [ops.touch(3600)])
    assert.ok(touched.ttl > 3500 && touched.ttl <= 3600, `ttl after touch: ${touched.ttl}`)
    const result = await client.operate(key, [ops.append('s', 'b'), ops.prepend('s', '>'), ops.incr('i', 2), ops.write('w', 9), ops.read('s')])
    assert.equal(result.bins.s, '>ab')
    assert.deepEqual((await client.get(key)).bins, { s: '>ab', i: 3, w: 9 })
    await client.remove(key)
    assert.equal(await client.exists(key), false)
    assert.equal(await codeOf(() => client.put(new Aerospike.Key('test', 'works', 'r2'), { x: 1 }, undefined, { exists: Aerospike.policy.exists.UPDATE })), 2)
  })

  test('works today: list and map values written and read whole', async () => {
    const key = new Aerospike.Key('test', 'works', 'cdt')
    await client.put(key, { l: [1, 'two', 3.5], m: { a: 1, b: [true] } })
    assert.deepEqual((await client.get(key)).bins, { l: [1, 'two', 3.5], m: { a: 1, b: [true] } })
  })

  test('works today: scans and queries without an index filter', async () => {
    for (let i = 0; i < 10; i++) await client.put(new Aerospike.Key('test', 'scanned', i), { i })
    assert.equal((await client.scan('test', 'scanned').results()).length, 10)
    assert.equal((await client.query('test', 'scanned').results()).length, 10)
  })

  test('works today: info commands through the client', async () => {
    assert.equal((await client.infoAny('namespaces')).trim(), 'namespaces\ttest')
  })

  test('not built yet: CDT, bit, HLL and expression operations answer 16', async () => {
    const key = new Aerospike.Key('test', 'unsupported', 'ops')
    await client.put(key, { l: [1], n: 1 })
    assert.equal(await codeOf(() => client.operate(key, [Aerospike.lists.append('l', 2)])), 16)
    assert.equal(await codeOf(() => client.operate(key, [Aerospike.lists.size('l')])), 16)
    assert.equal(await codeOf(() => client.operate(key, [Aerospike.maps.put('m', 'a', 1)])), 16)
    assert.equal(await codeOf(() => client.operate(key, [Aerospike.bitwise.resize('b', 4)])), 16)
    assert.equal(await codeOf(() => client.operate(key, [Aerospike.hll.init('h', 8)])), 16)
    assert.equal(await codeOf(() => client.operate(key, [Aerospike.exp.operations.read('x', Aerospike.exp.int(1), 0)])), 16)
  })

  test('not built yet: filter expressions answer 16', async () => {
    const key = new Aerospike.Key('test', 'unsupported', 'filter')
    await client.put(key, { n: 1 })
    const filterExpression = Aerospike.exp.eq(Aerospike.exp.binInt('n'), Aerospike.exp.int(1))
    assert.equal(await codeOf(() => client.get(key, { filterExpression })), 16)
    assert.equal(await codeOf(() => client.query('test', 'unsupported').results({ filterExpression })), 16)
  })

  test('not built yet: UDF apply and background scans answer 16; udfRegister fails with 4', async () => {
    const key = new Aerospike.Key('test', 'unsupported', 'udf')
    assert.equal(await codeOf(() => client.apply(key, { module: 'm', funcname: 'f' })), 16)
    assert.equal(await codeOf(() => client.scan('test', 'unsupported').background('m', 'f')), 16)
    assert.equal(await codeOf(() => client.udfRegister(README_PATH)), 4)
  })

  test('not built yet: secondary indexes (createIndex fails with 4, a where query answers 201)', async () => {
    assert.equal(await codeOf(() => client.createIntegerIndex({ ns: 'test', set: 'unsupported', bin: 'n', index: 'idx_n' })), 4)
    const query = client.query('test', 'unsupported')
    query.where(Aerospike.filter.equal('n', 1))
    assert.equal(await codeOf(() => query.results()), 201)
  })

  test('not built yet: a batch of several keys answers 16', { todo: 'bug: the batch refusal in packages/server/src/commands/dispatch.ts is a headerReply() without INFO3_LAST, so the client keeps waiting and reports 9 TIMEOUT after its totalTimeout instead of 16' }, async () => {
    const keys = [new Aerospike.Key('test', 'unsupported', 'b1'), new Aerospike.Key('test', 'unsupported', 'b2')]
    assert.equal(await codeOf(() => client.batchExists(keys, { totalTimeout: 2000 })), 16)
  })
})
