// The HTTP port of a node: /metrics under Aerospike's exporter names (derived here from the info
// answers by the exporter's own naming rules), latency histograms of every kind, /health, /ready.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startClientNode, type ClientNode } from '../official-client.ts'

const Aerospike = createRequire(import.meta.url)('aerospike')
const MODULE_FILE = fileURLToPath(new URL('../udf/modules/udf_test.lua', import.meta.url))
const SET = 'metrics'

let node: ClientNode
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let client: any

async function http(path: string, method = 'GET'): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(`http://127.0.0.1:${node.server.httpPort}${path}`, { method })
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') }
}

async function info(command: string): Promise<string> {
  const answer: string = await client.infoAny(command)
  return answer.slice(answer.indexOf('\t') + 1).trimEnd()
}

/** Family name → samples (`name{labels}` → value) of a Prometheus text page. */
function parseExposition(text: string): { types: Map<string, string>; samples: Map<string, number> } {
  const types = new Map<string, string>()
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const type = /^# TYPE (\S+) (gauge|counter|histogram)$/.exec(line)
    if (type !== null) {
      assert.ok(!types.has(type[1]!), `one TYPE line per family: ${type[1]}`)
      types.set(type[1]!, type[2]!)
      continue
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line)
    assert.ok(sample !== null, `a valid sample line: ${line}`)
    const series = `${sample[1]}${sample[2] ?? ''}`
    assert.ok(!samples.has(series), `one sample per series: ${series}`)
    samples.set(series, Number(sample[3]))
  }
  return { types, samples }
}

// The exporter's rules: a value that parses as a float or a boolean is a metric; '.', '-' and ' '
// become '_'; storage-engine.<file|device|stripe>[i].<stat> becomes storage_engine_<kind>_<stat>.
const exporterName = (stat: string): string => stat.replace(/[.\- ]/g, '_')
const isExporterNumber = (value: string): boolean => value !== '' && (!Number.isNaN(Number(value)) || /^(true|false)$/i.test(value))

function exporterNames(prefix: string, pairs: Iterable<[string, string]>): Set<string> {
  const names = new Set<string>()
  for (const [stat, value] of pairs) {
    if (!isExporterNumber(value)) continue
    const unit = /^storage-engine\.(file|device|stripe)\[\d+\]\.(.+)$/.exec(stat)
    names.add(unit === null ? `${prefix}_${exporterName(stat)}` : `${prefix}_storage_engine_${unit[1]}_${exporterName(unit[2]!)}`)
  }
  return names
}

const pairsOf = (text: string, separator: string): Array<[string, string]> =>
  text.split(separator).filter((p) => p.includes('=')).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])

before(async () => {
  node = await startClientNode({ httpPort: 0 }, { modlua: { userPath: dirname(MODULE_FILE) } })
  client = node.client
  assert.equal(await info('set-config:context=service;ticker-interval=1'), 'ok')
  await (await client.udfRegister(MODULE_FILE)).wait(10)
  for (let i = 0; i < 50; i++) await client.put(new Aerospike.Key('test', SET, i), { n: i, s: `v${i}` })
  await (await client.createIntegerIndex({ ns: 'test', set: SET, bin: 'n', index: 'metrics_n' })).wait(10)
  for (let i = 0; i < 20; i++) await client.get(new Aerospike.Key('test', SET, i))
  await client.remove(new Aerospike.Key('test', SET, 49))
  await client.apply(new Aerospike.Key('test', SET, 1), { module: 'udf_test', funcname: 'ret', args: [1] })
  await client.batchRead([0, 1, 2].map((i) => ({ key: new Aerospike.Key('test', SET, i), readAllBins: true })))
  await client.query('test', SET, { filters: [Aerospike.filter.range('n', 0, 9)] }).results()
  await client.scan('test', SET).results()
  // The exporter-style gauges describe the last completed slice (ticker-interval, 1 s here).
  await new Promise((resolve) => setTimeout(resolve, 2200))
})

after(async () => {
  await node?.stop()
})

test('/metrics names every numeric statistic of statistics (and the service config), namespace/<ns>, sets and sindex as the exporter does', async () => {
  const page = await http('/metrics')
  assert.equal(page.status, 200)
  assert.equal(page.type, 'text/plain; version=0.0.4; charset=utf-8')
  const { types } = parseExposition(page.text)
  const families = [...types.keys()]
  const statistics = [...pairsOf(await info('get-config:context=service'), ';'), ...pairsOf(await info('statistics'), ';')]
  const namespace = pairsOf(await info('namespace/test'), ';')
  const sets = (await info('sets/test')).split(';').filter((l) => l !== '').flatMap((line) => pairsOf(line, ':'))
  const sindex = pairsOf(await info('sindex/test/metrics_n'), ';')
  const expect = (prefix: string, pairs: Array<[string, string]>): void => {
    const expected = [...exporterNames(prefix, pairs)].sort()
    assert.ok(expected.length > 5, `${prefix}: statistics to compare`)
    assert.deepEqual(families.filter((f) => f.startsWith(`${prefix}_`)).sort(), expected, prefix)
  }
  expect('aerospike_node_stats', statistics)
  expect('aerospike_namespace', namespace)
  expect('aerospike_sets', sets)
  expect('aerospike_sindex', sindex)
  assert.equal(types.get('aerospike_node_up'), 'gauge')
  assert.equal(types.get('aerospike_namespace_client_read_success'), 'counter')
  assert.equal(types.get('aerospike_namespace_stop_writes'), 'gauge')
  assert.equal(types.get('aerospike_namespace_storage_engine_stripe_defrag_writes'), 'counter')
})

test('/metrics values and labels are those of the info answers', async () => {
  const { samples } = parseExposition((await http('/metrics')).text)
  const nodeId = await info('node')
  const service = `${node.server.host}:${node.server.port}`
  const base = `cluster_name="null",service="${service}"`
  assert.equal(samples.get(`aerospike_node_up{${base},build="${await info('build')}",node_id="${nodeId}"}`), 1)
  const ns = new Map(pairsOf(await info('namespace/test'), ';'))
  assert.equal(samples.get(`aerospike_namespace_objects{${base},ns="test",storage_engine="memory"}`), Number(ns.get('objects')))
  assert.equal(samples.get(`aerospike_namespace_objects{${base},ns="test",storage_engine="memory"}`), 49)
  assert.equal(samples.get(`aerospike_namespace_stop_writes{${base},ns="test",storage_engine="memory"}`), 0, 'false is 0')
  assert.equal(samples.get(`aerospike_namespace_storage_engine_stripe_used_bytes{${base},ns="test",stripe_index="0",stripe=""}`), Number(ns.get('storage-engine.stripe[0].used_bytes')))
  assert.equal(samples.get(`aerospike_sets_objects{${base},ns="test",set="${SET}"}`), 49)
  assert.equal(samples.get(`aerospike_sindex_entries{${base},ns="test",sindex="metrics_n"}`), 49)
  assert.equal(samples.get(`aerospike_namespace_client_read_success{${base},ns="test",storage_engine="memory"}`), Number(ns.get('client_read_success')))
})

test('latency histograms of read, write, udf, query and batch-index: the exporter\'s gauges and a cumulative histogram', async () => {
  const { types, samples } = parseExposition((await http('/metrics')).text)
  const base = `cluster_name="null",service="${node.server.host}:${node.server.port}"`
  const counts = { read: 20, write: 50, udf: 1, query: 2 }
  for (const [kind, count] of Object.entries(counts)) {
    assert.equal(types.get(`aerospike_latencies_${kind}_ms_bucket`), 'gauge')
    assert.equal(types.get(`aerolite_latencies_${kind}_ms`), 'histogram')
    const total = samples.get(`aerolite_latencies_${kind}_ms_count{${base},ns="test"}`)!
    assert.ok(total >= count, `${kind}: ${total} ≥ ${count}`)
    assert.equal(samples.get(`aerolite_latencies_${kind}_ms_bucket{${base},ns="test",le="+Inf"}`), total)
    const le1 = samples.get(`aerolite_latencies_${kind}_ms_bucket{${base},ns="test",le="1"}`)!
    assert.ok(le1 <= total && le1 <= samples.get(`aerolite_latencies_${kind}_ms_bucket{${base},ns="test",le="2"}`)!, 'cumulative')
    assert.ok(samples.get(`aerolite_latencies_${kind}_ms_sum{${base},ns="test"}`)! > 0)
    assert.ok(samples.has(`aerospike_latencies_${kind}_ms_bucket{${base},ns="test",le="65536"}`))
    assert.ok(samples.has(`aerospike_latencies_${kind}_ms_count{${base},ns="test"}`))
  }
  assert.ok(samples.get(`aerolite_latencies_batch_index_ms_count{${base}}`)! >= 1, 'batch-index is node-wide: no ns label')
  assert.ok(samples.has(`aerospike_latencies_batch_index_ms_bucket{${base},le="+Inf"}`))
  // The exporter's gauges are the ops/s of `latencies:`' last slice.
  const latencies = await info('latencies:hist={test}-read')
  assert.match(latencies, /^\{test\}-read:msec,[\d.]+(,\d+\.\d\d){17}$/)
})

test('/health, /ready and what is not served', async () => {
  assert.deepEqual([(await http('/health')).status, (await http('/health')).text], [200, 'ok\n'])
  assert.deepEqual([(await http('/ready')).status, (await http('/ready')).text], [200, 'ready\n'])
  assert.equal((await http('/ready?x=1')).status, 200)
  const missing = await http('/nope')
  assert.equal(missing.status, 404)
  assert.match(missing.text, /no page \/nope/)
  assert.equal((await http('/metrics', 'POST')).status, 405)
  assert.equal((await http('/health', 'HEAD')).status, 200)
})

test('the console page, its files and /api/state (with the numbers of the info commands)', async () => {
  const page = await http('/')
  assert.equal(page.status, 200)
  assert.equal(page.type, 'text/html; charset=utf-8')
  assert.match(page.text, /<title>Aerolite console<\/title>/)
  for (const [path, type] of [['/console.js', 'text/javascript'], ['/console.css', 'text/css'], ['/uplot.js', 'text/javascript'], ['/uplot.css', 'text/css']]) {
    const asset = await http(path!)
    assert.equal(asset.status, 200, path)
    assert.ok(asset.type?.startsWith(type!), `${path}: ${asset.type}`)
  }
  const state = JSON.parse((await http('/api/state')).text) as { self: string; nodes: Array<{ nodeId: string; namespaces: Array<{ name: string; objects: number; sets: Array<{ name: string; objects: number }>; sindexes: Array<{ name: string; entries: number }> }>; xdr: unknown[] }>; alerts: unknown }
  assert.equal(state.self, await info('node'))
  assert.equal(state.nodes.length, 1)
  const ns = state.nodes[0]!.namespaces.find((n) => n.name === 'test')!
  assert.equal(ns.objects, Number(new Map(pairsOf(await info('namespace/test'), ';')).get('objects')))
  assert.deepEqual(ns.sets.map((set) => [set.name, set.objects]), [[SET, 49]])
  assert.deepEqual(ns.sindexes.map((index) => [index.name, index.entries]), [['metrics_n', 49]])
  assert.equal(state.alerts, undefined, 'no Alertmanager configured')
  assert.deepEqual(state.nodes[0]!.xdr, [], 'no DC configured')
})
