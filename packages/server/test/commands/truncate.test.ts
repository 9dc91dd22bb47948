// A truncate and the writes around it, in the same millisecond of the wall clock.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, ResultCode, integerParticle, parseInfoCommand } from '@aerolite/protocol'
import type { NodeContext } from '../../src/info/context.ts'
import { truncateNamespace } from '../../src/info/truncate-info.ts'
import { get, makeNamespace, put, write } from './harness.ts'

const one = [write('v', ParticleType.INTEGER, integerParticle(1))]

describe('truncate-namespace without a lut', () => {
  it('removes what was written in its own millisecond; a write later in that millisecond, or after the clock stepped back, survives', async () => {
    const clock = { ms: Date.UTC(2026, 0, 1), nowMs() { return this.ms } }
    const ns = makeNamespace(() => {}, clock)
    const ctx = {
      nowMs: () => clock.ms,
      namespaces: new Map([[ns.name, ns]]),
      clusterMetadata: undefined,
      truncate: (namespace, setName, cutoffMs) => namespace.truncate(setName, cutoffMs),
    } as Partial<NodeContext> as NodeContext
    put(ns, 'before', one)
    assert.equal(truncateNamespace(ctx, parseInfoCommand(`truncate-namespace:namespace=${ns.name}`)), 'ok')
    assert.equal(get(ns, 'before').resultCode, ResultCode.RECORD_NOT_FOUND)
    put(ns, 'after', one)
    clock.ms -= 5
    put(ns, 'stepped-back', one)
    await ns.truncation.whenDone()
    assert.equal(get(ns, 'after').resultCode, ResultCode.OK)
    assert.equal(get(ns, 'stepped-back').resultCode, ResultCode.OK)
    assert.equal(ns.counters.truncatedRecords, 1)
  })
})
