import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Env } from '@aerolite/protocol'
import { ClockSkew } from '../../src/cluster/clock-skew.ts'
import type { FabricLink, FabricMessageHandler } from '../../src/cluster/fabric-link.ts'

/** Nodes whose wall clocks are the shared monotonic time plus an offset; a request takes `outMs` there and `backMs` back. */
function testCluster(offsetsMs: Record<string, number>, outMs: number, backMs: number) {
  let nowMs = 1_000_000
  const handlers = new Map<string, Map<number, FabricMessageHandler>>()
  const probes = new Map<string, () => void>()
  const skews = new Map<string, ClockSkew>()
  const alive = new Set(Object.keys(offsetsMs))
  for (const [node, offsetMs] of Object.entries(offsetsMs)) {
    handlers.set(node, new Map())
    const fabric: FabricLink = {
      onMessage: (type, handler) => handlers.get(node)!.set(type, handler),
      // Every request is on the wire from the moment it is sent: the peer reads its clock outMs later, the answer lands backMs after that.
      request: (to, type, payload) => {
        const sentAtMs = nowMs
        return new Promise((resolve, reject) => setImmediate(() => {
          if (!alive.has(to)) return reject(new Error(`${to} does not answer`))
          const laterMs = nowMs
          nowMs = sentAtMs + outMs
          handlers.get(to)!.get(type)!(node, payload, (answer) => {
            nowMs = Math.max(laterMs, sentAtMs + outMs + backMs)
            resolve(answer)
          })
        }))
      },
    }
    const env = {
      clock: { nowMs: () => nowMs + offsetMs, monotonicMs: () => nowMs },
      scheduler: { every: (_ms: number, run: () => void) => (probes.set(node, run), { cancel: () => probes.delete(node) }) },
    } as unknown as Env
    const skew = new ClockSkew(fabric, env, () => Object.keys(offsetsMs).filter((n) => n !== node))
    skew.start()
    skews.set(node, skew)
  }
  return {
    skews,
    alive,
    async probe(): Promise<void> {
      for (const run of probes.values()) run()
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve))
    },
  }
}

test('cluster_clock_skew_ms: the largest |offset| to a peer, the round trip\'s midpoint taken as the peer\'s moment', async () => {
  const cluster = testCluster({ A: 0, B: 3000, C: -500 }, 4, 4)
  assert.equal(cluster.skews.get('A')!.maxSkewMs, 0, 'no answer yet')
  await cluster.probe()
  assert.equal(cluster.skews.get('A')!.maxSkewMs, 3000)
  assert.equal(cluster.skews.get('B')!.maxSkewMs, 3500, 'B is 3500 ms ahead of C')
  assert.equal(cluster.skews.get('C')!.maxSkewMs, 3500)
})

test('an uneven round trip errs by at most half of it; a peer that stops answering keeps its last offset until it leaves the view', async () => {
  const cluster = testCluster({ A: 0, B: 2000 }, 10, 0)
  await cluster.probe()
  assert.equal(cluster.skews.get('A')!.maxSkewMs, 2005, 'the peer answered 10 ms after the probe left, 5 ms after the midpoint')
  cluster.alive.delete('B')
  await cluster.probe()
  assert.equal(cluster.skews.get('A')!.maxSkewMs, 2005)
})
