// README.md makes promises; these tests keep them true: the first-screen commands, the start
// options, the config example, the embedded example and the "what works today" lists.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Aerospike, { type Client } from 'aerospike'
import { parseConfig, realEnv, startServer, type EmbeddedServer } from '@aerolite/server'
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
    const config = parseConfig(example, 'README.md', realEnv.disk)
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

describe('README cluster section', () => {
  test('the `aerolite cluster up` options table lists exactly the options `aerolite cluster --help` lists', async () => {
    const help = await runCli(['cluster', '--help'])
    const fromHelp = new Set([...help.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]))
    const fromReadme = new Set([...section('Cluster').matchAll(/^\| `(--[a-z-]+)/gm)].map((m) => m[1]))
    assert.ok(fromHelp.size >= 5, help.stdout)
    assert.deepEqual([...fromReadme].sort(), [...fromHelp].sort())
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

  test('works today: a client configured with user and password connects (admin commands answer 52)', async () => {
    const secured = await Aerospike.connect({ hosts: [{ addr: server.host, port: server.port }], user: 'admin', password: 'admin' })
    try {
      const key = new Aerospike.Key('test', 'works', 'login')
      await secured.put(key, { v: 1 })
      assert.deepEqual((await secured.get(key)).bins, { v: 1 })
    } finally {
      await secured.close()
    }
  })

  test('works today: batch read, exists, select, write and remove', async () => {
    const keys = [new Aerospike.Key('test', 'batch', 'b1'), new Aerospike.Key('test', 'batch', 'b2'), new Aerospike.Key('test', 'batch', 'none')]
    await client.put(keys[0]!, { v: 1, w: 1 })
    await client.put(keys[1]!, { v: 2, w: 2 })
    const read = await client.batchRead(keys.map((key) => ({ key, readAllBins: true })))
    assert.deepEqual(read.map((r) => r.status), [0, 0, 2])
    assert.deepEqual(read[1]?.record.bins, { v: 2, w: 2 })
    assert.deepEqual((await client.batchExists(keys)).map((r) => r.status), [0, 0, 2])
    const selected = await client.batchSelect(keys, ['v'])
    assert.deepEqual(selected.map((r) => r.status), [0, 0, 2])
    // At run time batchSelect rows carry record.bins (the client's .d.ts says bins).
    assert.deepEqual(selected.slice(0, 2).map((r) => (r as unknown as { record: { bins: unknown } }).record.bins), [{ v: 1 }, { v: 2 }])
    const written = await client.batchWrite([{ type: Aerospike.batchType.BATCH_WRITE, key: keys[2]!, ops: [Aerospike.operations.write('v', 3)] }])
    assert.equal(written[0]?.status, 0)
    assert.deepEqual((await client.get(keys[2]!)).bins, { v: 3 })
    assert.deepEqual((await client.batchRemove(keys)).map((r) => r.status), [0, 0, 0])
    assert.equal(await client.exists(keys[0]!), false)
  })

  test('works today: operate with list, map, bit, HLL and expression operations', async () => {
    const key = new Aerospike.Key('test', 'works', 'ops')
    await client.put(key, { l: [3, 1], m: { a: 1 }, n: 5 })
    const { lists, maps, bitwise, hll, exp } = Aerospike
    const result = await client.operate(key, [
      lists.append('l', 2),
      maps.put('m', 'b', 2),
      bitwise.resize('b', 4),
      hll.init('h', 8),
      hll.add('h', ['x', 'y', 'x']),
      exp.operations.read('n1', exp.add(exp.binInt('n'), exp.int(1)), 0),
    ])
    assert.equal(result.bins.l, 3)
    assert.equal(result.bins.h, 2)
    assert.equal(result.bins.n1, 6)
    const record = await client.get(key)
    assert.deepEqual(record.bins.l, [3, 1, 2])
    assert.deepEqual(record.bins.m, { a: 1, b: 2 })
    assert.equal((record.bins.b as Buffer).length, 4)
  })

  test('works today: filter expressions (a rejected record answers 27)', async () => {
    const key = new Aerospike.Key('test', 'works', 'filter')
    await client.put(key, { n: 5 })
    const { exp } = Aerospike
    assert.equal((await client.get(key, { filterExpression: exp.eq(exp.binInt('n'), exp.int(5)) })).bins.n, 5)
    assert.equal(await codeOf(() => client.get(key, { filterExpression: exp.eq(exp.binInt('n'), exp.int(6)) })), 27)
  })

  test('works today: secondary index and a query with a where filter', async () => {
    for (let i = 0; i < 5; i++) await client.put(new Aerospike.Key('test', 'indexed', i), { age: i * 10 })
    const job = await client.createIntegerIndex({ ns: 'test', set: 'indexed', bin: 'age', index: 'readme_age' })
    await job.wait(10)
    const query = client.query('test', 'indexed')
    query.where(Aerospike.filter.range('age', 10, 30))
    const ages = (await query.results()).map((r) => r.bins.age as number).sort((a, b) => a - b)
    assert.deepEqual(ages, [10, 20, 30])
  })

  test('works today: a Lua record UDF registered and applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aerolite-readme-udf-'))
    try {
      const file = join(dir, 'readme_udf.lua')
      writeFileSync(file, 'function bump(rec, by)\n  rec.n = (rec.n or 0) + by\n  aerospike:update(rec)\n  return rec.n\nend\n')
      const job = await client.udfRegister(file)
      await job.wait(10)
      const key = new Aerospike.Key('test', 'works', 'udf')
      await client.put(key, { n: 1 })
      assert.equal(await client.apply(key, { module: 'readme_udf', funcname: 'bump', args: [41] }), 42)
      assert.equal((await client.get(key)).bins.n, 42)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('works today: info commands through the client', async () => {
    assert.equal((await client.infoAny('namespaces')).trim(), 'namespaces\ttest')
  })
})
