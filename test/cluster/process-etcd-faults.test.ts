// Fencing by lease with real processes: three `aerolite start` nodes (replication factor 2), the
// third reaching etcd only through a TCP proxy of this test.
//   1. The proxy stops forwarding (resetting its connections, or silently): that node is cut off from etcd but not from its peers. It must refuse writes
//      within one lease TTL of the cut; the two others form a cluster of two; nothing acknowledged is
//      lost; when the proxy comes back the node registers again and the cluster is stable at three.
//   2. etcd itself is killed (SIGKILL): every node stops acknowledging writes within about one TTL
//      (the documented price of fencing); etcd restarted on its data dir brings writes back, and
//      nothing acknowledged is lost.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  EtcdProcess, LEASE_TTL_MS, NodeProcess, TcpProxy, Writer, assertOwnership, clusterSizeIs, connectClient, directWrite, errorWindow, etcdInstalled, lostWrites,
  masterCount, masteredDigest, sleep, stableAt, stopAllProcesses, until,
} from './process-harness.ts'
import type { AerospikeClient } from '../compat/helpers.ts'

const CI = process.env.CI !== undefined
const MAX_WRITES = CI ? 4000 : 20_000
const WRITER_MAX_MS = 30_000
/** Polling adds up to one probe (50 ms wait + the probe itself) to what is measured. */
const PROBE_SLACK_MS = 500

/** Probes one node with direct writes until one is not acknowledged; resolves with the ms since `sinceMs` and the code. */
async function untilRefused(node: NodeProcess, digest: Buffer, sinceMs: number, withinMs: number): Promise<{ ms: number; code: number }> {
  let value = 0
  for (;;) {
    const code = await directWrite(node, digest, value++, 500)
    if (code !== 0) return { ms: Date.now() - sinceMs, code }
    if (Date.now() - sinceMs > withinMs) assert.fail(`${node.name} still acknowledged writes ${withinMs} ms after losing etcd`)
    await sleep(50)
  }
}

describe('real processes without etcd', { skip: !etcdInstalled() && 'etcd is not installed', timeout: 110_000 }, () => {
  let etcd: EtcdProcess | undefined
  let proxy: TcpProxy | undefined
  const nodes: NodeProcess[] = []
  let client: AerospikeClient | undefined

  before(async () => {
    etcd = await EtcdProcess.start()
    proxy = new TcpProxy(etcd.clientPort)
    await proxy.start()
    nodes.push(new NodeProcess('etcd-node-1', () => `127.0.0.1:${etcd!.clientPort}`, 2))
    nodes.push(new NodeProcess('etcd-node-2', () => `127.0.0.1:${etcd!.clientPort}`, 2))
    nodes.push(new NodeProcess('etcd-node-3', () => `127.0.0.1:${proxy!.port}`, 2))
    await Promise.all(nodes.map((n) => n.start()))
    await until('the three nodes are stable', () => stableAt(nodes, 3), 30_000)
    client = await connectClient(nodes)
  })

  after(async () => {
    await client?.close()
    await proxy?.stop()
    await stopAllProcesses(nodes)
    await etcd?.stop()
  })

  // reset: the node's etcd client hears of the cut at once; silent: its calls just go unanswered.
  for (const how of ['reset', 'silent'] as const) it(`a node cut off from etcd (${how}; not from its peers) refuses writes within its lease TTL and rejoins`, async (t) => {
    const [, , cutOff] = nodes
    t.diagnostic(`nodes: ${nodes.map((n) => `${n.name} 127.0.0.1:${n.port}`).join(', ')}`)
    const peers = nodes.slice(0, 2)
    const digest = await masteredDigest(cutOff!)
    assert.equal(await directWrite(cutOff!, digest, -1), 0, 'the node acknowledges a direct write before the cut')
    const writer = new Writer(client!, `cut-${how}`, { concurrency: 4, maxWrites: MAX_WRITES, maxMs: WRITER_MAX_MS })
    await until('some writes are acknowledged', async () => writer.ackedCount >= (CI ? 300 : 1000), 10_000)

    const cutAt = Date.now()
    await proxy!.cut(how)
    const refused = await untilRefused(cutOff!, digest, cutAt, LEASE_TTL_MS + 5000)
    t.diagnostic(`cut from etcd (${how}): ${cutOff!.name} refuses direct writes ${refused.ms} ms after the cut (result code ${refused.code}; lease TTL ${LEASE_TTL_MS} ms)`)
    assert.ok(refused.ms <= LEASE_TTL_MS + PROBE_SLACK_MS, `refused ${refused.ms} ms after the cut, more than the ${LEASE_TTL_MS} ms TTL`)
    // Claiming mastership, it would win its partitions back in the client's map from the nodes that take them over.
    assert.equal(await masterCount(cutOff!), 0, 'without its lease the node claims no partition as master')

    await until('the two others see a cluster of two', () => clusterSizeIs(peers, 2), 15_000)
    const sizeTwoMs = Date.now() - cutAt
    await until('the two others are stable at two', () => stableAt(peers, 2), 30_000)
    const stableTwoMs = Date.now() - cutAt
    t.diagnostic(`the two others: cluster size 2 by ${sizeTwoMs} ms, stable by ${stableTwoMs} ms after the cut`)
    assert.notEqual(await directWrite(cutOff!, digest, -2), 0, 'the cut-off node still refuses once the others took over')
    await sleep(1000)
    const written = await writer.stop()
    const errors = errorWindow(written.errorTimes, cutAt)
    t.diagnostic(`client: ${written.acked.size} of ${written.attempts} writes acknowledged; ${errors.count} errors` +
      (errors.count === 0 ? '' : ` from +${errors.firstMs} ms to +${errors.lastMs} ms after the cut (codes ${[...written.errorCodes].map(([c, n]) => `${c}×${n}`).join(', ')})`))
    await assertOwnership(peers, 2)
    assert.deepEqual((await lostWrites(client!, written.acked)).slice(0, 10), [], 'every acknowledged write reads back while the node is cut off')

    const backAt = Date.now()
    await proxy!.restore()
    await until('the cut-off node is back: the cluster is stable at three', () => stableAt(nodes, 3), 60_000)
    t.diagnostic(`proxy back: stable at 3 after ${Date.now() - backAt} ms`)
    assert.equal(await directWrite(cutOff!, await masteredDigest(cutOff!), -3), 0, 'the node acknowledges writes again')
    await assertOwnership(nodes, 2)
    assert.deepEqual((await lostWrites(client!, written.acked)).slice(0, 10), [], 'every acknowledged write reads back after the node rejoined')
  })

  it('etcd killed: every node stops acknowledging writes within about one TTL; etcd restarted brings them back', async (t) => {
    const digests = await Promise.all(nodes.map((n) => masteredDigest(n)))
    for (const [i, node] of nodes.entries()) assert.equal(await directWrite(node, digests[i]!, -1), 0, `${node.name} acknowledges before etcd dies`)
    const writer = new Writer(client!, 'etcd', { concurrency: 4, maxWrites: MAX_WRITES, maxMs: WRITER_MAX_MS })
    await until('some writes are acknowledged', async () => writer.ackedCount >= (CI ? 300 : 1000), 10_000)

    const killedAt = Date.now()
    await etcd!.kill()
    const refused = await Promise.all(nodes.map((n, i) => untilRefused(n, digests[i]!, killedAt, LEASE_TTL_MS + 5000)))
    t.diagnostic(`etcd killed: nodes refuse direct writes after ${refused.map((r) => `${r.ms} ms (code ${r.code})`).join(', ')}`)
    for (const [i, r] of refused.entries()) assert.ok(r.ms <= LEASE_TTL_MS + PROBE_SLACK_MS, `${nodes[i]!.name} refused ${r.ms} ms after etcd died, more than the ${LEASE_TTL_MS} ms TTL`)

    const restartedAt = Date.now()
    await etcd!.run()
    const servingMs = await until('every node acknowledges direct writes again', async () => {
      const codes = await Promise.all(nodes.map((n, i) => directWrite(n, digests[i]!, -2, 500)))
      return codes.every((c) => c === 0)
    }, 60_000)
    await until('the cluster is stable at three', () => stableAt(nodes, 3), 60_000)
    t.diagnostic(`etcd restarted: every node acknowledges writes after ${servingMs} ms, stable at 3 after ${Date.now() - restartedAt} ms`)
    await sleep(1000)
    const written = await writer.stop()
    const errors = errorWindow(written.errorTimes, killedAt)
    t.diagnostic(`client: ${written.acked.size} of ${written.attempts} writes acknowledged; ${errors.count} errors` +
      (errors.count === 0 ? '' : ` from +${errors.firstMs} ms to +${errors.lastMs} ms after etcd died (codes ${[...written.errorCodes].map(([c, n]) => `${c}×${n}`).join(', ')})`))
    // The refusal itself is checked by the direct writes above: the writer stops at its bound, which
    // under CI sizes can come before the lease deadline.
    await assertOwnership(nodes, 2)
    assert.deepEqual((await lostWrites(client!, written.acked)).slice(0, 10), [], 'every acknowledged write reads back after etcd returned')
  })
})
