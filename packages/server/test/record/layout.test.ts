import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType } from '@aerolite/protocol'
import { binNames } from '../../src/name-cache.ts'
import { encodedRecordBytes, readBins, recordTotalBytes, writeRecord } from '../../src/record/layout.ts'

describe('record layout', () => {
  it('writes bin names the cache holds and names it does not alike', () => {
    binNames.decode(Buffer.from('cached'))
    const bins = [
      { name: 'cached', particleType: ParticleType.BLOB, value: Buffer.from([1, 2, 3]) },
      { name: 'never-seen-ñ', particleType: ParticleType.STRING, value: Buffer.from('v') },
    ]
    const size = encodedRecordBytes(undefined, bins)
    const buf = Buffer.alloc(size + 8, 0xee)
    writeRecord(buf, 4, size, { digest: new Uint8Array(20), generation: 1, voidTime: 0, lastUpdateMs: 0, setId: 0 }, undefined, bins)
    assert.equal(recordTotalBytes(buf, 4), size)
    assert.deepEqual(readBins(buf, 4).map((b) => [b.name, b.particleType, [...b.value]]), bins.map((b) => [b.name, b.particleType, [...b.value]]))
    assert.equal(buf[4 + size], 0xee)
  })
})
