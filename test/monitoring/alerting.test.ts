// End to end: real nodes serve /metrics, Prometheus scrapes them and evaluates the shipped rules
// (with `for:` made 1 s), Alertmanager notifies a webhook in this test. A namespace filled to
// stop-writes raises AeroliteStopWrites, and a truncate resolves it; a killed cluster node raises
// AeroliteNodeDown and AeroliteClusterSizeBelowExpected. The seconds from the condition to the
// notification are printed as test diagnostics.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCluster, startServer, type EmbeddedCluster, type EmbeddedServer } from '@aerolite/server'
import { Aerospike, NS, type AerospikeClient } from '../compat/helpers.ts'
import { MonitoringStack, PROMETHEUS_MISSING, prometheusInstalled } from './monitoring-stack.ts'

/** From the condition to the webhook: scrape (1 s) + evaluation (1 s) + `for` (1 s) + group_wait (1 s), with room for a busy CI machine. */
const NOTIFY_WITHIN_MS = 20_000
const SET = 'fill'

const seconds = (ms: number): string => (ms / 1000).toFixed(1)

describe('alerts reach a webhook through Prometheus and Alertmanager', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-alerting-'))
  const cleanups: Array<() => Promise<void>> = []

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  })

  it('stop-writes fires when a namespace fills, and resolves after a truncate', async (t) => {
    assert.ok(prometheusInstalled(), PROMETHEUS_MISSING)
    const config = join(dir, 'small.conf')
    writeFileSync(config, [
      `namespace ${NS} {`,
      '  storage-engine memory {',
      '    data-size 16M',
      '    stop-writes-used-pct 50',
      '  }',
      '}',
    ].join('\n'))
    const server: EmbeddedServer = await startServer({ configFile: config, port: 0, httpPort: 0, logLevel: 'warn' })
    cleanups.push(() => server.stop())
    const stack = await MonitoringStack.start([`127.0.0.1:${server.httpPort}`])
    cleanups.push(() => stack.stop())
    const client: AerospikeClient = await Aerospike.connect({ hosts: [{ addr: server.host, port: server.port }], log: { level: Aerospike.log.OFF } })
    cleanups.push(async () => { client.close() })
    const service = `${server.host}:${server.port}`
    await stack.until('Prometheus to scrape the node', NOTIFY_WITHIN_MS, async () => (await stack.query(`aerospike_namespace_stop_writes{service="${service}"}`)).length === 1)

    // Fill until the node refuses writes (SERVER_FULL, 8): that moment the condition holds.
    const value = Buffer.alloc(8 * 1024, 7)
    let refusedAtMs: number | undefined
    for (let i = 0; i < 10_000 && refusedAtMs === undefined; i++) {
      try {
        await client.put(new Aerospike.Key(NS, SET, i), { v: value })
      } catch (err) {
        assert.equal((err as { code: number }).code, Aerospike.status.ERR_SERVER_FULL, String(err))
        refusedAtMs = performance.now()
      }
    }
    assert.ok(refusedAtMs !== undefined, 'the namespace reached stop-writes')
    const firing = await stack.notified('firing', { alertname: 'AeroliteStopWrites', ns: NS, service }, refusedAtMs, NOTIFY_WITHIN_MS)
    t.diagnostic(`AeroliteStopWrites fired ${seconds(firing.atMs - refusedAtMs)} s after the first refused write`)

    const truncatedAtMs = performance.now()
    assert.match(await client.infoAny(`truncate:namespace=${NS};set=${SET}`), /ok/)
    await stack.until('writes accepted again', NOTIFY_WITHIN_MS, async () => {
      try {
        await client.put(new Aerospike.Key(NS, 'other', 1), { v: 1 })
        return true
      } catch {
        return false
      }
    })
    const resolved = await stack.notified('resolved', { alertname: 'AeroliteStopWrites', ns: NS, service }, truncatedAtMs, NOTIFY_WITHIN_MS)
    t.diagnostic(`AeroliteStopWrites resolved ${seconds(resolved.atMs - truncatedAtMs)} s after the truncate`)
  })

  it('a killed cluster node raises node-down and cluster-size alerts', async (t) => {
    assert.ok(prometheusInstalled(), PROMETHEUS_MISSING)
    const cluster: EmbeddedCluster = await startCluster({ nodes: 3, httpPort: 0, logLevel: 'silent' })
    cleanups.push(() => cluster.stop())
    const targets = cluster.nodes.map((node) => `127.0.0.1:${node.httpPort}`)
    const stack = await MonitoringStack.start(targets)
    cleanups.push(() => stack.stop())
    await stack.until('every node scraped in a cluster of 3', NOTIFY_WITHIN_MS, async () => {
      const sizes = await stack.query('aerospike_node_stats_cluster_size')
      return sizes.length === 3 && sizes.every((s) => s.value === 3)
    })
    const killedAtMs = performance.now()
    await cluster.kill(2)
    const down = await stack.notified('firing', { alertname: 'AeroliteNodeDown', instance: targets[2]! }, killedAtMs, NOTIFY_WITHIN_MS)
    t.diagnostic(`AeroliteNodeDown fired ${seconds(down.atMs - killedAtMs)} s after the kill`)
    const survivor = `${cluster.nodes[0]!.host}:${cluster.nodes[0]!.port}`
    const smaller = await stack.notified('firing', { alertname: 'AeroliteClusterSizeBelowExpected', service: survivor }, killedAtMs, NOTIFY_WITHIN_MS)
    t.diagnostic(`AeroliteClusterSizeBelowExpected fired ${seconds(smaller.atMs - killedAtMs)} s after the kill (the lease of the killed node expires first)`)
  })
})
