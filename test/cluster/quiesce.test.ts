// Quiesce, as the Kubernetes operator drains a node: quiesce: on node X, recluster: on another
// node; X hands every partition to the others (it masters and owns none) while the official client
// reads and writes on; X then leaves and nothing needs migrating. quiesce-undo: + recluster: makes
// X an owner again.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { holdsPartition, parseReplicas } from '@aerolite/client'
import { startCluster, type EmbeddedCluster } from '@aerolite/server'
import { Aerospike, NS, startHarness, infoValue as clientInfo, type AerospikeClient } from '../compat/helpers.ts'
import { eventually, infoOf, infoValue, stableWith, statistic } from './embedded-harness.ts'

const RECORDS = 300
const POLICY = { totalTimeout: 10_000, maxRetries: 5, sleepBetweenRetries: 50 }
const X = 2

/** Partitions of `test` node `i` acts for: [as master, at any replica index]. */
async function partitionsOf(cluster: EmbeddedCluster, i: number): Promise<[number, number]> {
  const answers = await infoOf(cluster.nodes[i]!, ['replicas'])
  const bitmaps = parseReplicas(answers.get('replicas')!).find((entry) => entry.namespace === NS)!.bitmaps
  const count = (bitmap: Uint8Array): number => {
    let held = 0
    for (let pid = 0; pid < 4096; pid++) if (holdsPartition(bitmap, pid)) held++
    return held
  }
  return [count(bitmaps[0]!), bitmaps.reduce((sum, bitmap) => sum + count(bitmap), 0)]
}

/** Node `i` masters and owns its balanced share of three nodes with two copies. */
async function assertFullShare(cluster: EmbeddedCluster, i: number): Promise<void> {
  const [masters, owned] = await partitionsOf(cluster, i)
  assert.ok(masters >= 1365 && masters <= 1366 && owned >= 2730 && owned <= 2731, `node ${i} masters ${masters}, owns ${owned}`)
}

async function quiesceStats(cluster: EmbeddedCluster, i: number): Promise<string> {
  const stats = await infoValue(cluster.nodes[i]!, `namespace/${NS}`)
  return ['pending_quiesce', 'effective_is_quiesced', 'nodes_quiesced'].map((name) => statistic(stats, name)).join(',')
}

/** Waits until every node in `alive` shows the quiesce statistics `expected(i)`, then for a stable cluster. */
async function rebalanced(cluster: EmbeddedCluster, alive: number[], expected: (i: number) => string): Promise<void> {
  await eventually('every node shows the new quiesce state', async () => {
    for (const i of alive) if (await quiesceStats(cluster, i) !== expected(i)) return false
    return true
  }, 10_000)
  await stableWith(cluster, alive)
}

describe('quiesce: in a cluster of three nodes, replication factor 2', { timeout: 60_000 }, () => {
  let cluster: EmbeddedCluster
  let client: AerospikeClient
  const keys = Array.from({ length: RECORDS }, (_, i) => new Aerospike.Key(NS, 'q', `k${i}`))
  const values = new Array<number>(RECORDS).fill(0)
  let traffic: { stop(): Promise<void> } | undefined
  /** Commands the traffic tried again after an in-doubt TIMEOUT. */
  let inDoubt = 0

  /**
   * Writes and reads back records through the client until stopped; any failure fails the test. A
   * command in flight when the view changes may answer TIMEOUT (9: in doubt, and the official
   * client does not retry it), so it is tried again, at most twice.
   */
  function startTraffic(): { stop(): Promise<void> } {
    let running = true
    let done = 0
    const again = async <T>(run: () => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await run()
        } catch (error) {
          if (attempt === 3 || !(error instanceof Aerospike.AerospikeError) || error.code !== Aerospike.status.ERR_TIMEOUT) throw error
          inDoubt++
        }
      }
    }
    const loop = (async () => {
      for (let n = 0; running; n++) {
        const i = n % RECORDS
        const value = values[i]! + 1
        await again(() => client.put(keys[i]!, { v: value }))
        values[i] = value
        assert.equal((await again(() => client.get(keys[i]!))).bins.v, value, `record ${i} read back`)
        done++
      }
    })()
    return {
      stop: async () => {
        running = false
        await loop
        assert.ok(done > 0, 'the client kept working')
      },
    }
  }

  async function allReadBack(): Promise<void> {
    for (let i = 0; i < RECORDS; i++) assert.equal((await client.get(keys[i]!)).bins.v, values[i], `record ${i}`)
  }

  before(async () => {
    cluster = await startCluster({ nodes: 3, replicationFactor: 2, logLevel: 'silent' })
    await stableWith(cluster)
    client = await Aerospike.connect({
      hosts: [{ addr: cluster.nodes[0]!.host, port: cluster.nodes[0]!.port }],
      policies: { read: POLICY, write: POLICY },
      log: { level: Aerospike.log.OFF },
    })
    for (let i = 0; i < RECORDS; i++) await client.put(keys[i]!, { v: 0 })
  })

  after(async () => {
    await traffic?.stop().catch(() => {})
    await client?.close()
    await cluster?.stop()
  })

  it('refuses parameters, and on its own quiesce: only marks the node pending', async () => {
    for (const command of ['quiesce:foo=bar', 'quiesce-undo:x', 'recluster:now=1', 'quiesce/test']) {
      assert.match(await infoValue(cluster.nodes[X]!, command), /^ERROR:4:.* takes no parameters$/, command)
    }
    assert.equal(await infoValue(cluster.nodes[X]!, 'quiesce:'), 'ok')
    for (const i of [0, 1, 2]) assert.equal(await quiesceStats(cluster, i), i === X ? 'true,false,0' : 'false,false,0')
    await assertFullShare(cluster, X)
  })

  it('after recluster: (on another node) the quiesced node masters and owns nothing, while the client reads and writes', async () => {
    traffic = startTraffic()
    assert.equal(await infoValue(cluster.nodes[0]!, 'recluster:'), 'ok')
    await rebalanced(cluster, [0, 1, 2], (i) => (i === X ? 'true,true,1' : 'false,false,1'))
    assert.deepEqual(await partitionsOf(cluster, X), [0, 0])
    const [master0, all0] = await partitionsOf(cluster, 0)
    const [master1, all1] = await partitionsOf(cluster, 1)
    assert.equal(master0 + master1, 4096, 'the others master every partition')
    assert.equal(all0 + all1, 2 * 4096, 'and hold both copies of each')
    await traffic.stop()
    traffic = undefined
    await allReadBack()
  })

  it('quiesce-undo: + recluster: makes the node an owner again', async () => {
    traffic = startTraffic()
    assert.equal(await infoValue(cluster.nodes[X]!, 'quiesce-undo:'), 'ok')
    assert.equal(await quiesceStats(cluster, X), 'false,true,1', 'undone at the next recluster')
    assert.equal(await infoValue(cluster.nodes[1]!, 'recluster:'), 'ok')
    await rebalanced(cluster, [0, 1, 2], () => 'false,false,0')
    await assertFullShare(cluster, X)
    await traffic.stop()
    traffic = undefined
    await allReadBack()
  })

  it('a quiesced node that leaves takes no partition with it: every record reads back, nothing migrates', async (t) => {
    assert.equal(await infoValue(cluster.nodes[X]!, 'quiesce:'), 'ok')
    assert.equal(await infoValue(cluster.nodes[X]!, 'recluster:'), 'ok')
    await rebalanced(cluster, [0, 1, 2], (i) => (i === X ? 'true,true,1' : 'false,false,1'))
    const migrated = async (): Promise<number> => {
      let sent = 0
      for (const i of [0, 1]) sent += Number(statistic(await infoValue(cluster.nodes[i]!, 'statistics'), 'migrate_records_sent'))
      return sent
    }
    traffic = startTraffic()
    // As the operator does: give the client a tend (every second) to fetch the new partition map,
    // after which it sends X nothing (until then X proxies what it gets).
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const sentBefore = await migrated()
    await cluster.leave(X)
    await rebalanced(cluster, [0, 1], () => 'false,false,0')
    await traffic.stop()
    traffic = undefined
    await allReadBack()
    assert.equal(await migrated(), sentBefore, 'no record migrated when the quiesced node left')
    t.diagnostic(`commands tried again after an in-doubt TIMEOUT at a view change: ${inDoubt}`)
  })

  it('a node joining after a recluster is not disturbed by the old recluster entry', async () => {
    await cluster.restart(X)
    await rebalanced(cluster, [0, 1, 2], () => 'false,false,0')
    await assertFullShare(cluster, X)
  })
})

describe('quiesce: on a single node', () => {
  it('answers ok and shows the node pending; with nothing to rebalance it is never effective', async () => {
    const harness = await startHarness()
    try {
      const stats = async (): Promise<string> => {
        const answer = await clientInfo(harness.client, `namespace/${NS}`)
        return ['pending_quiesce', 'effective_is_quiesced', 'nodes_quiesced'].map((name) => statistic(answer, name)).join(',')
      }
      assert.equal(await stats(), 'false,false,0')
      assert.equal(await clientInfo(harness.client, 'quiesce:'), 'ok')
      assert.equal(await clientInfo(harness.client, 'recluster:'), 'ok')
      assert.equal(await stats(), 'true,false,0')
      assert.equal(await clientInfo(harness.client, 'quiesce-undo:'), 'ok')
      assert.equal(await stats(), 'false,false,0')
      // The client turns an ERROR answer into an error.
      await assert.rejects(clientInfo(harness.client, 'quiesce:foo=bar'), /quiesce takes no parameters/)
      assert.equal(await stats(), 'false,false,0')
    } finally {
      await harness.stop()
    }
  })
})
