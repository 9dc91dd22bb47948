import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, ResultCode, Info2 } from '@aerolite/protocol'
import { get, makeNamespace, put, run, write } from './harness.ts'

const blob = (n: number): Buffer => Buffer.alloc(n, 7)

describe('space limits', () => {
  it('refuses writes with SERVER_FULL past stop-writes-used-pct, keeps reads and deletes working', () => {
    const ns = makeNamespace((c) => {
      c.storage.dataSizeBytes = 100_000
      c.storage.stopWritesUsedPct = 50
    })
    let i = 0
    let result = ResultCode.OK as number
    while (result === ResultCode.OK && i < 1000) result = put(ns, `k${i++}`, [write('b', ParticleType.BLOB, blob(1000))]).resultCode
    assert.equal(result, ResultCode.SERVER_FULL)
    assert.ok(ns.usedPct() >= 50 && ns.usedPct() < 52, `used ${ns.usedPct()}%`)
    assert.equal(ns.counters.stopWritesRejections, 1)
    assert.equal(get(ns, 'k0').resultCode, ResultCode.OK)
    assert.equal(run(ns, { info2: Info2.WRITE | Info2.DELETE }, 'k0').resultCode, ResultCode.OK)
    // Deleting brought usage back under the limit: writes resume.
    assert.equal(put(ns, 'again', [write('b', ParticleType.BLOB, blob(10))]).resultCode, ResultCode.OK)
  })

  it('refuses a record over max-record-size with RECORD_TOO_BIG and leaves the old version', () => {
    const ns = makeNamespace((c) => {
      c.maxRecordSizeBytes = 2048
    })
    assert.equal(put(ns, 'k', [write('b', ParticleType.BLOB, blob(100))]).resultCode, ResultCode.OK)
    assert.equal(put(ns, 'k', [write('b', ParticleType.BLOB, blob(4000))]).resultCode, ResultCode.RECORD_TOO_BIG)
    const record = get(ns, 'k')
    assert.equal(record.generation, 1)
    assert.equal(record.ops[0]!.value.length, 100)
  })
})
