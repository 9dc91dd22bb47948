// A cluster of real processes: etcd and three `aerolite start` nodes (replication factor 2, memory
// namespace). The official client writes distinct values while one node is killed with SIGKILL;
// once the two others are stable every acknowledged write reads back, and again after the killed
// node is started on its port and filled. The timings are printed as test diagnostics.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  EtcdProcess, NodeProcess, Writer, assertOwnership, clusterSizeIs, connectClient, errorWindow, etcdInstalled, lostWrites, sleep, stableAt, stopAllProcesses, until,
} from './process-harness.ts'
import type { AerospikeClient } from '../compat/helpers.ts'

const CI = process.env.CI !== undefined
const MAX_WRITES = CI ? 4000 : 20_000
const WRITER_MAX_MS = 30_000

describe('a cluster of three real processes, one killed with SIGKILL', { skip: !etcdInstalled() && 'etcd is not installed', timeout: 110_000 }, () => {
  let etcd: EtcdProcess | undefined
  const nodes: NodeProcess[] = []
  let client: AerospikeClient | undefined

  before(async () => {
    etcd = await EtcdProcess.start()
    for (let i = 0; i < 3; i++) nodes.push(new NodeProcess(`kill-node-${i + 1}`, () => `127.0.0.1:${etcd!.clientPort}`, 2))
    await Promise.all(nodes.map((n) => n.start()))
    await until('the three nodes are stable', () => stableAt(nodes, 3), 30_000)
    client = await connectClient(nodes)
  })

  after(async () => {
    await client?.close()
    await stopAllProcesses(nodes)
    await etcd?.stop()
  })

  it('loses no acknowledged write when a node dies mid-run, and refills it when it returns', async (t) => {
    await assertOwnership(nodes, 2)
    const writer = new Writer(client!, 'kill', { concurrency: 4, maxWrites: MAX_WRITES, maxMs: WRITER_MAX_MS })
    await until('some writes are acknowledged', async () => writer.ackedCount >= (CI ? 300 : 1000), 10_000)
    const victim = nodes[2]!
    const survivors = nodes.slice(0, 2)
    const killedAt = Date.now()
    await victim.kill()
    const sizeTwoMs = await until('the survivors see a cluster of two', () => clusterSizeIs(survivors, 2), 15_000)
    const stableTwoMs = await until('the survivors are stable at two', () => stableAt(survivors, 2), 30_000) + sizeTwoMs
    // Writes go on a while in the new cluster before the writer stops.
    await sleep(1000)
    const written = await writer.stop()
    const errors = errorWindow(written.errorTimes, killedAt)
    t.diagnostic(`kill -9 ${victim.name}: cluster size 2 after ${sizeTwoMs} ms, stable (migrations done) after ${stableTwoMs} ms`)
    t.diagnostic(`client: ${written.acked.size} of ${written.attempts} writes acknowledged; ${errors.count} errors` +
      (errors.count === 0 ? '' : ` from +${errors.firstMs} ms to +${errors.lastMs} ms after the kill (window ${errors.windowMs} ms; codes ${[...written.errorCodes].map(([c, n]) => `${c}×${n}`).join(', ')})`))
    assert.ok(written.acked.size > 0)
    await assertOwnership(survivors, 2)
    assert.deepEqual((await lostWrites(client!, written.acked)).slice(0, 10), [], 'every acknowledged write reads back after the kill')

    const restartedAt = Date.now()
    await victim.start()
    const stableThreeMs = await until('the three nodes are stable again', () => stableAt(nodes, 3), 60_000)
    t.diagnostic(`restart of ${victim.name} on port ${victim.port}: stable at 3 after ${Date.now() - restartedAt} ms (${stableThreeMs} ms after its ready line)`)
    await assertOwnership(nodes, 2)
    assert.deepEqual((await lostWrites(client!, written.acked)).slice(0, 10), [], 'every acknowledged write reads back after the return')
  })
})
