// The dashboards in deploy/monitoring/dashboards/ are what scripts/build-dashboards.mjs writes, and
// every metric a dashboard query or an alert expression uses is one a running node exports (single
// node with a memory and a file namespace, a set, an index and a DC to ship to; and a cluster node).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCluster, startServer, type EmbeddedCluster, type EmbeddedServer } from '@aerolite/server'
import { Aerospike, type AerospikeClient } from '../compat/helpers.ts'
import { DASHBOARD_DIR, dashboardText, dashboards } from '../../scripts/build-dashboards.mjs'
import { RULES_FILE } from './monitoring-stack.ts'

const METRIC = /\b(?:aerospike|aerolite)_[a-z0-9_]+/g

function usedInDashboards(): Set<string> {
  const names = new Set<string>()
  for (const { json } of dashboards()) {
    for (const panel of json.panels) for (const target of panel.targets) for (const m of target.expr.matchAll(METRIC)) names.add(m[0])
    for (const variable of json.templating.list) for (const m of String(variable.definition ?? '').matchAll(METRIC)) names.add(m[0])
  }
  return names
}

function usedInRules(): Set<string> {
  return new Set([...readFileSync(RULES_FILE, 'utf8').matchAll(METRIC)].map((m) => m[0]))
}

async function sampleNames(httpPort: number): Promise<Set<string>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text()
  return new Set(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => /^[^{ ]+/.exec(l)![0]))
}

describe('dashboards and alert rules', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-dashboards-'))
  let server: EmbeddedServer
  let cluster: EmbeddedCluster
  let client: AerospikeClient
  const exported = new Set<string>()

  before(async () => {
    cluster = await startCluster({ nodes: 2, httpPort: 0, logLevel: 'silent' })
    const config = join(dir, 'node.conf')
    writeFileSync(config, [
      'xdr {', '  dc dc2 {', `    node-address-port 127.0.0.1 ${cluster.nodes[0]!.port}`, '    namespace test {', '    }', '  }', '}',
      'namespace test {', '  storage-engine memory {', '    data-size 64M', '  }', '}',
      'namespace disk {', '  storage-engine device {', `    file ${join(dir, 'disk.dat')}`, '    filesize 16M', '  }', '}',
    ].join('\n'))
    server = await startServer({ configFile: config, port: 0, httpPort: 0, logLevel: 'warn' })
    client = await Aerospike.connect({ hosts: [{ addr: server.host, port: server.port }], log: { level: Aerospike.log.OFF } })
    await client.infoAny('set-config:context=service;ticker-interval=1')
    await client.put(new Aerospike.Key('test', 'users', 1), { age: 30 })
    await (await client.createIntegerIndex({ ns: 'test', set: 'users', bin: 'age', index: 'users_age' })).wait(10)
    // The latency gauges appear once a ticker slice has ended.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    for (const name of await sampleNames(server.httpPort!)) exported.add(name)
    for (const name of await sampleNames(cluster.nodes[0]!.httpPort!)) exported.add(name)
  })

  after(async () => {
    client?.close()
    await server?.stop()
    await cluster?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('the dashboard files are what scripts/build-dashboards.mjs writes (run it after changing it)', () => {
    const built = dashboards()
    assert.deepEqual(built.map((d) => d.file).sort(), ['aerolite-cluster.json', 'aerolite-latency.json', 'aerolite-namespace.json', 'aerolite-xdr.json'])
    for (const { file, json } of built) assert.ok(readFileSync(join(DASHBOARD_DIR, file), 'utf8') === dashboardText(json), `${file} differs from what scripts/build-dashboards.mjs writes: run it`)
  })

  it('every metric a dashboard or an alert uses is exported by a running node', () => {
    for (const [where, names] of [['dashboards', usedInDashboards()], ['alert rules', usedInRules()]] as const) {
      assert.ok(names.size > 20, `${where} use ${names.size} metrics`)
      const missing = [...names].filter((name) => !exported.has(name))
      assert.deepEqual(missing, [], `${where} use metrics no node exports`)
    }
  })
})
