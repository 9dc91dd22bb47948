import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { CITRUSLEAF_EPOCH_SECONDS, TtlWire, citrusleafSeconds } from '../src/time.ts'

describe('Citrusleaf epoch', () => {
  test('is 2010-01-01T00:00:00Z', () => {
    assert.equal(CITRUSLEAF_EPOCH_SECONDS, 1262304000)
    assert.equal(CITRUSLEAF_EPOCH_SECONDS * 1000, Date.UTC(2010, 0, 1))
  })

  test('citrusleafSeconds floors to whole seconds', () => {
    const epochMs = Date.UTC(2010, 0, 1)
    assert.equal(citrusleafSeconds(epochMs), 0)
    assert.equal(citrusleafSeconds(epochMs + 999), 0)
    assert.equal(citrusleafSeconds(epochMs + 1000), 1)
    assert.equal(citrusleafSeconds(epochMs + 1999), 1)
    assert.equal(citrusleafSeconds(epochMs - 1), -1)
    assert.equal(citrusleafSeconds(Date.UTC(2011, 0, 1)), 365 * 86400)
  })

  test('the recording day of the vectors: void time 533377496 minus ttl 3600 is 2026-11-26', () => {
    // 04_touch_ttl: put with ttl 3600 answered void time 533377496.
    const putAt = new Date((533377496 - 3600 + CITRUSLEAF_EPOCH_SECONDS) * 1000)
    assert.equal(putAt.toISOString().slice(0, 10), '2026-11-26')
    assert.equal(citrusleafSeconds(putAt.getTime()), 533377496 - 3600)
  })

  test('property: inverse of the epoch shift for whole seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 999 }), (seconds, ms) => {
        assert.equal(citrusleafSeconds((seconds + CITRUSLEAF_EPOCH_SECONDS) * 1000 + ms), seconds)
      }),
      { numRuns: 200 },
    )
  })
})

describe('TtlWire', () => {
  test('wire TTL values of write requests', () => {
    assert.deepEqual({ ...TtlWire }, {
      NAMESPACE_DEFAULT: 0,
      NEVER_EXPIRE: 0xffffffff,
      DONT_UPDATE: 0xfffffffe,
      CLIENT_DEFAULT: 0xfffffffd,
    })
    assert.equal(TtlWire.NEVER_EXPIRE, -1 >>> 0)
    assert.equal(TtlWire.DONT_UPDATE, -2 >>> 0)
    assert.equal(TtlWire.CLIENT_DEFAULT, -3 >>> 0)
  })
})
