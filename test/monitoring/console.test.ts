// The web console in headless Chromium (playwright-core): served by a node of an embedded cluster
// of two, it loads with no console errors, shows both nodes with the numbers the info commands
// give, what each node shipped to a DC, the alert firing in Alertmanager, and its operations chart
// moves while `aerolite bench` runs. UPDATE_DOCS_SCREENSHOT=1 writes the screenshot to docs/console.png.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { startCluster, startServer, type EmbeddedCluster, type EmbeddedServer } from '@aerolite/server'
import { Aerospike, type AerospikeClient } from '../compat/helpers.ts'
import { eventually, infoOf, infoValue, statistic } from '../cluster/embedded-harness.ts'
import { MonitoringStack, PROMETHEUS_MISSING, prometheusInstalled } from './monitoring-stack.ts'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_MISSING = `${CHROMIUM} is missing: install it with "apt-get install chromium" (Debian/Ubuntu)`
const CLI = fileURLToPath(new URL('../../packages/cli/bin/aerolite.cjs', import.meta.url))
const SCREENSHOT = fileURLToPath(new URL('../../docs/console.png', import.meta.url))
const SET = 'users'
const RECORDS = 200

function chromiumInstalled(): boolean {
  const result = spawnSync(CHROMIUM, ['--version'], { stdio: 'ignore' })
  return result.error === undefined && result.status === 0
}

describe('the web console', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-console-'))
  let stack: MonitoringStack
  let cluster: EmbeddedCluster
  let dc: EmbeddedServer
  let client: AerospikeClient
  let browser: BrowserContext
  let page: Page
  const errors: string[] = []

  before(async () => {
    assert.ok(prometheusInstalled(), PROMETHEUS_MISSING)
    assert.ok(chromiumInstalled(), CHROMIUM_MISSING)
    stack = await MonitoringStack.start([])
    await stack.postAlert({ alertname: 'AeroliteStopWrites', severity: 'critical', ns: 'test' }, { summary: 'Namespace test refuses writes (stop-writes)' })
    dc = await startServer({ port: 0, logLevel: 'silent' })
    const config = join(dir, 'node.conf')
    writeFileSync(config, [
      'service {', '  ticker-interval 1', '}',
      'xdr {', '  dc dc2 {', `    node-address-port 127.0.0.1 ${dc.port}`, '    namespace test {', '    }', '  }', '}',
      'network {', '  http {', `    alertmanager-url http://127.0.0.1:${stack.alertmanagerPort}`, '  }', '}',
      'namespace test {', '  storage-engine memory {', '    data-size 64M', '  }', '}',
    ].join('\n'))
    cluster = await startCluster({ nodes: 2, configFile: config, httpPort: 0, logLevel: 'silent' })
    client = await Aerospike.connect({ hosts: [{ addr: cluster.nodes[0]!.host, port: cluster.nodes[0]!.port }], log: { level: Aerospike.log.OFF } })
    for (let i = 0; i < RECORDS; i++) await client.put(new Aerospike.Key('test', SET, i), { age: i % 90 })
    await (await client.createIntegerIndex({ ns: 'test', set: SET, bin: 'age', index: 'users_age' })).wait(10)
    await eventually('every record shipped to the DC', async () => {
      let shipped = 0
      for (const node of cluster.nodes) shipped += Number(statistic(await infoValue(node, 'get-stats:context=xdr;dc=dc2'), 'success'))
      return shipped >= RECORDS && (await infoValue(dc, `sets/test/${SET}`)).includes(`objects=${RECORDS}:`)
    })
    browser = await chromium.launchPersistentContext(join(dir, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1100 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    page = browser.pages()[0] ?? await browser.newPage()
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
    page.on('pageerror', (err) => errors.push(err.message))
    await page.goto(`http://127.0.0.1:${cluster.nodes[0]!.httpPort}/`)
    await page.waitForFunction(() => (globalThis as unknown as { aeroliteConsole: { polls: number } }).aeroliteConsole.polls >= 2, undefined, { timeout: 20_000 })
  })

  after(async () => {
    await browser?.close()
    client?.close()
    await cluster?.stop()
    await dc?.stop()
    await stack?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const cellText = (selector: string): Promise<string> => page.locator(selector).first().innerText({ timeout: 10_000 })

  it('shows every node with the numbers the info commands give', async () => {
    for (const node of cluster.nodes) {
      const answers = await infoOf(node, ['statistics', 'namespace/test', `sets/test/${SET}`, 'sindex/test/users_age'])
      const at = (stat: string): string => `td[data-node="${node.nodeId}"][data-ns="test"][data-stat="${stat}"]`
      assert.equal(await cellText(`td[data-node="${node.nodeId}"][data-stat="cluster_size"]`), statistic(answers.get('statistics')!, 'cluster_size'))
      for (const stat of ['objects', 'master_objects', 'prole_objects', 'data_used_pct']) {
        assert.equal(await cellText(at(stat)), statistic(answers.get('namespace/test')!, stat), `${node.nodeId} ${stat}`)
      }
      const setObjects = /objects=(\d+)/.exec(answers.get(`sets/test/${SET}`)!)![1]
      assert.equal(await cellText(`td[data-node="${node.nodeId}"][data-ns="test"][data-set="${SET}"][data-stat="objects"]`), setObjects)
      assert.equal(await cellText(`td[data-node="${node.nodeId}"][data-ns="test"][data-sindex="users_age"][data-stat="entries"]`), statistic(answers.get('sindex/test/users_age')!, 'entries'))
    }
    const masters = await Promise.all(cluster.nodes.map((n) => cellText(`td[data-node="${n.nodeId}"][data-ns="test"][data-stat="master_objects"]`)))
    assert.equal(masters.reduce((sum, m) => sum + Number(m), 0), RECORDS, 'the masters of both nodes hold every record once')
  })

  it('shows what each node shipped to the DC, as get-stats:context=xdr says', async () => {
    let shipped = 0
    for (const node of cluster.nodes) {
      const stats = await infoValue(node, 'get-stats:context=xdr;dc=dc2')
      const success = statistic(stats, 'success')!
      shipped += Number(success)
      const cell = `td[data-node="${node.nodeId}"][data-dc="dc2"][data-stat="success"]`
      await eventually(`the console to show ${success} shipped by ${node.nodeId}`, async () => (await cellText(cell)) === success, 10_000)
      assert.equal(await cellText(`td[data-node="${node.nodeId}"][data-dc="dc2"][data-stat="lag"]`), statistic(stats, 'lag'))
    }
    // A partition handed over while the writes went on ships its last second again from its new master.
    assert.ok(shipped >= RECORDS, `${shipped} shipped: every record, by its master`)
  })

  it('lists the alert firing in Alertmanager', async () => {
    assert.equal(await cellText('td[data-alert="AeroliteStopWrites"]'), 'AeroliteStopWrites')
    assert.match(await cellText('#alerts-note'), /1 alert firing/)
  })

  it('its operations chart moves while aerolite bench runs', async () => {
    const readOps = (): Promise<number[]> => page.evaluate(() => (globalThis as unknown as { aeroliteConsole: { history: { ops: Array<Array<number>> } } }).aeroliteConsole.history.ops[0]!.slice())
    const before = await readOps()
    const bench = spawnSync(process.execPath, [CLI, 'bench', '--port', String(cluster.nodes[0]!.port), '--keys', '2000', '--duration', '4', '--connections', '4'], { encoding: 'utf8', timeout: 60_000 })
    assert.equal(bench.status, 0, bench.stderr)
    await page.waitForFunction((count) => {
      const c = (globalThis as unknown as { aeroliteConsole: { history: { ops: number[][] }; polls: number } }).aeroliteConsole
      return c.polls > count && Math.max(...c.history.ops[0]!) > 0
    }, before.length, { timeout: 15_000 })
    const after = await readOps()
    assert.ok(Math.max(...after) > 100, `reads per second reached ${Math.max(...after)}`)
    const points = await page.evaluate(() => (globalThis as unknown as { aeroliteConsole: { ops: { data: number[][] } } }).aeroliteConsole.ops.data[0]!.length)
    assert.ok(points > before.length, 'the chart has new points')
    await page.screenshot({ path: process.env.UPDATE_DOCS_SCREENSHOT === '1' ? SCREENSHOT : join(dir, 'console.png'), fullPage: true })
  })

  it('loaded with no console errors', () => {
    assert.deepEqual(errors, [])
  })
})
