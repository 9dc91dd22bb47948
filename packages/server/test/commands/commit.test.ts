// The record rules the commit road applies once for every kind of change.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Info1, Info2, Info3, ParticleType, ResultCode, citrusleafSeconds, decodeMessage, emptyHeader, encodeMessage, integerParticle } from '@aerolite/protocol'
import { dispatchMessage } from '../../src/commands/dispatch.ts'
import { BLOCK_HEADER_BYTES } from '../../src/storage/block-format.ts'
import { maxRecordBytes } from '../../src/commands/commit.ts'
import { commandsOf, get, keyFields, makeNamespace, put, run, write } from './harness.ts'

const one = [write('v', ParticleType.INTEGER, integerParticle(1))]

/** Dispatches one put and tells whether its answer waits on something (replication, durability). */
function putWaits(ns: ReturnType<typeof makeNamespace>, key: string, info3: number): boolean {
  const body = encodeMessage({ ...emptyHeader(), info2: Info2.WRITE, info3 }, keyFields(key), one)
  const result = dispatchMessage(decodeMessage(body), commandsOf(ns))
  assert.ok('reply' in result)
  return result.settled !== undefined
}

describe('the commit road', () => {
  it('commit-level all answers after the replicas; commit-level master at once, while later commands on the record still wait', () => {
    const ns = makeNamespace()
    let replicated = (): void => undefined
    const replicas = new Promise<void>((resolve) => { replicated = resolve })
    ns.replication = { pendingFor: () => replicas }
    assert.equal(putWaits(ns, 'all', 0), true)
    assert.equal(putWaits(ns, 'master', Info3.COMMIT_MASTER), false)
    assert.notEqual(ns.inFlight.of(keyFields('master')[2]!.data), undefined, 'the record stays in flight until the replicas confirm')
    replicated()
  })

  it('a failed generation check counts fail_generation for writes and deletes alike', () => {
    const ns = makeNamespace()
    put(ns, 'k', one)
    assert.equal(put(ns, 'k', one, { info2: Info2.WRITE | Info2.GENERATION, generation: 9 }).resultCode, ResultCode.GENERATION_ERROR)
    assert.equal(ns.counters.failGeneration, 1)
    assert.equal(run(ns, { info2: Info2.WRITE | Info2.DELETE | Info2.GENERATION, generation: 9 }, 'k').resultCode, ResultCode.GENERATION_ERROR)
    assert.equal(ns.counters.failGeneration, 2)
    assert.equal(ns.counters.clientDeleteError, 1)
    assert.equal(run(ns, { info2: Info2.WRITE | Info2.DELETE | Info2.GENERATION_GT, generation: 1 }, 'k').resultCode, ResultCode.GENERATION_ERROR)
    assert.equal(ns.counters.failGeneration, 3)
    assert.equal(run(ns, { info2: Info2.WRITE | Info2.DELETE | Info2.GENERATION, generation: 1 }, 'k').resultCode, ResultCode.OK)
  })

  it('one record size limit: max-record-size within a write block, counted once whichever bound refuses', () => {
    const small = makeNamespace((c) => {
      c.maxRecordSizeBytes = 0
      c.storage.writeBlockSizeBytes = 64 * 1024
    })
    assert.equal(maxRecordBytes(small), 64 * 1024 - BLOCK_HEADER_BYTES)
    const blob = (n: number) => [write('b', ParticleType.BLOB, Buffer.alloc(n))]
    assert.equal(put(small, 'k', blob(64 * 1024 - BLOCK_HEADER_BYTES - 200)).resultCode, ResultCode.OK)
    assert.equal(put(small, 'k', blob(64 * 1024 - BLOCK_HEADER_BYTES)).resultCode, ResultCode.RECORD_TOO_BIG)
    assert.equal(small.counters.failRecordTooBig, 1)
    const capped = makeNamespace((c) => {
      c.maxRecordSizeBytes = 1000
    })
    assert.equal(maxRecordBytes(capped), 1000)
    assert.equal(put(capped, 'k', blob(2000)).resultCode, ResultCode.RECORD_TOO_BIG)
    assert.equal(capped.counters.failRecordTooBig, 1)
  })

  it('a read-touch the namespace refuses now (stop-writes) is skipped and the read answers', () => {
    let nowMs = Date.UTC(2026, 0, 1)
    const ns = makeNamespace((c) => {
      c.readTouchTtlPercent = 50
    }, { nowMs: () => nowMs })
    assert.equal(put(ns, 'k', one, { recordTtl: 100 }).resultCode, ResultCode.OK)
    nowMs += 60_000
    ns.config.storage.stopWritesUsedPct = 1e-9
    const read = run(ns, { info1: Info1.READ | Info1.GET_ALL }, 'k')
    assert.equal(read.resultCode, ResultCode.OK)
    ns.config.storage.stopWritesUsedPct = 70
    ns.config.readTouchTtlPercent = 0
    // Replies carry the void time (seconds since 2010); the client turns it into a TTL.
    const ttl = get(ns, 'k').recordTtl - citrusleafSeconds(nowMs)
    assert.ok(ttl > 0 && ttl <= 40, `the touch was skipped: ttl ${ttl}`)
  })
})
