// A node that in one step takes partitions over (their master died) and hands others over (to a
// member that returned) tells the members the points of every partition it masters. A partition
// just taken over must be told with its old master's point until its walk has queued what that
// master had not shipped: told "shipped up to now", the member that takes it over next would skip
// those changes, and they would never reach the DC.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pino } from 'pino'
import { ParticleType, computeDigest, partitionId } from '@aerolite/protocol'
import { defaultNamespaceConfig } from '../../src/config/index.ts'
import { defaultXdrNamespaceConfig } from '../../src/config/xdr-config.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import { Namespace } from '../../src/namespace/namespace.ts'
import { DcShipper } from '../../src/xdr/dc-shipper.ts'
import type { ShippedPointsEntry } from '../../src/xdr/shipped-points-message.ts'
import { put, write } from '../commands/harness.ts'

test('a partition taken over while others are handed over is announced with its old master\'s point, not now', async () => {
  const env = manualEnv()
  const ns = new Namespace(defaultNamespaceConfig('test'), env)
  const mastered = new Set<number>()
  ns.shipsFrom = (pid) => mastered.has(pid)
  // A write the dead master acknowledged and had not shipped, which reached this node as its
  // replica (before the shipper listens: a replica queues nothing). Its partition is `taken`.
  const writtenAtMs = env.clock.nowMs()
  put(ns, 'k1', [write('v', ParticleType.INTEGER, Buffer.alloc(8, 1))])
  const taken = partitionId(computeDigest('demo', ParticleType.STRING, Buffer.from('k1')))
  const handed = (taken + 1) % 4096
  const announced: ShippedPointsEntry[] = []
  const dc = { name: 'dc2', nodes: [{ host: '127.0.0.1', port: 9 }], periodMs: 10, namespaces: [defaultXdrNamespaceConfig('test')] }
  const shipper = new DcShipper(dc, new Map([['test', ns]]), env, pino({ level: 'silent' }), { srcId: () => 0, announce: (entries) => announced.push(...entries) })
  try {
    shipper.start(true)
    // Both partitions' points were told by their masters before this node took them.
    shipper.shippedPointsReceived({ dc: 'dc2', namespace: 'test', points: [[taken, writtenAtMs], [handed, writtenAtMs]] })
    mastered.add(handed)
    await env.scheduler.advance(10)
    await env.scheduler.advance(5_000)
    announced.length = 0
    // One step: `taken`'s master died, and `handed` goes to a member that returned.
    mastered.delete(handed)
    mastered.add(taken)
    await env.scheduler.advance(10)
    const points = new Map(announced.flatMap((entry) => entry.points))
    assert.ok(points.has(handed), 'the handed-over partition is announced at once')
    assert.ok(points.has(taken), 'so is every partition the node masters')
    assert.ok(points.get(taken)! <= writtenAtMs, `told ${points.get(taken)! - writtenAtMs} ms after the unshipped write`)
  } finally {
    shipper.stop()
  }
})
