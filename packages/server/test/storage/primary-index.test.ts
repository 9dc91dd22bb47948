import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { partitionId } from '@aerolite/protocol'
import { PrimaryIndex } from '../../src/storage/primary-index.ts'
import { writeRecordHeader } from '../../src/record/layout.ts'

/** Digests that all land in one partition, so probe chains collide and grow. */
function digestInPartition(pid: number, seed: Uint8Array): Buffer {
  const d = Buffer.from(seed)
  d[0] = pid & 0xff
  d[1] = (d[1]! & 0xf0) | (pid >> 8)
  return d
}

describe('PrimaryIndex', () => {
  it('behaves like a map of digest -> metadata under random inserts and removes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ remove: fc.boolean(), key: fc.integer({ min: 0, max: 300 }), gen: fc.integer({ min: 1, max: 0xffff }) }), { maxLength: 600 }),
        (steps) => {
          const index = new PrimaryIndex(4096)
          const model = new Map<number, number>()
          const digestOf = (k: number): Buffer => {
            const d = Buffer.alloc(20)
            d.writeUInt32BE(k * 2654435761 >>> 0, 4)
            d.writeUInt32BE(k, 16)
            d[8] = (k * 97) & 0xff // the bits slots keep: some keys share them, most do not
            return digestInPartition(k % 3, d)
          }
          for (const { remove, key, gen } of steps) {
            const digest = digestOf(key)
            const pid = partitionId(digest)
            const id = index.find(pid, digest)
            assert.equal(id >= 0, model.has(key))
            if (remove) {
              if (id >= 0) {
                index.remove(pid, id)
                model.delete(key)
              }
            } else {
              const target = id >= 0 ? id : index.insert(pid, digest, 0, 0, 0, 0)
              index.setMeta(target, gen, 0, 0, 0)
              model.set(key, gen)
            }
          }
          assert.equal(index.size, model.size)
          for (const [key, gen] of model) {
            const digest = digestOf(key)
            const id = index.find(partitionId(digest), digest)
            assert.ok(id >= 0, `key ${key} lost`)
            assert.equal(index.generation(id), gen)
          }
          let listed = 0
          for (let pid = 0; pid < 3; pid++) listed += index.entriesOf(pid).length
          assert.equal(listed, model.size)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('keeps every field of an entry and reuses freed ids', () => {
    const index = new PrimaryIndex(4096)
    const digest = randomBytes(20)
    const pid = partitionId(digest)
    const id = index.insert(pid, digest, 0, 0, 0, 0)
    index.setMeta(id, 7, 123456, 1_700_000_000_123, 5)
    index.setLocation(id, 9, 4096, 77)
    assert.deepEqual(
      [index.generation(id), index.voidTime(id), index.lastUpdateMs(id), index.setId(id), index.block(id), index.offset(id), index.sizeOf(id)],
      [7, 123456, 1_700_000_000_123, 5, 9, 4096, 77],
    )
    const copy = Buffer.alloc(20)
    index.digestInto(id, copy)
    assert.deepEqual(copy, digest)
    index.remove(pid, id)
    assert.equal(index.find(pid, digest), -1)
    assert.equal(index.insert(pid, randomBytes(20).fill(digest[0]!, 0, 1), 0, 0, 0, 0), id)
  })

  it('grows a partition far past its initial size', () => {
    const index = new PrimaryIndex(4096)
    const digests = Array.from({ length: 5000 }, () => digestInPartition(42, randomBytes(20)))
    for (const d of digests) index.insert(42, d, 0, 0, 0, 0)
    assert.equal(index.partitionSize(42), 5000)
    for (const d of digests) assert.ok(index.find(42, d) >= 0)
    assert.equal(index.find(42, digestInPartition(42, randomBytes(20))), -1)
  })

  it('an index over records in memory reads digests and metadata from the records', () => {
    const block = Buffer.alloc(4096)
    const index = new PrimaryIndex(4096, { buffer: () => block })
    const digests = Array.from({ length: 40 }, () => digestInPartition(3, randomBytes(20)))
    digests.forEach((digest, i) => {
      writeRecordHeader(block, i * 44, 44, 0, { digest, generation: i + 1, voidTime: 1000 + i, lastUpdateMs: 1_700_000_000_000 + i, setId: 2 }, 0)
      index.insert(3, digest, 0, 0, i * 44, 44)
    })
    digests.forEach((digest, i) => {
      const id = index.find(3, digest)
      assert.deepEqual([index.generation(id), index.voidTime(id), index.lastUpdateMs(id), index.setId(id), index.sizeOf(id)], [i + 1, 1000 + i, 1_700_000_000_000 + i, 2, 44])
    })
    index.remove(3, index.find(3, digests[5]!))
    assert.equal(index.find(3, digests[5]!), -1)
    assert.ok(index.find(3, digests[6]!) >= 0)
    // 8 bytes of location per entry, no metadata columns.
    assert.ok(index.memoryBytes < 65536 * 12, `${index.memoryBytes}`)
  })

  it('orders entries by digest bytes', () => {
    const index = new PrimaryIndex(4096)
    const a = digestInPartition(1, Buffer.alloc(20, 0x10))
    const b = digestInPartition(1, Buffer.alloc(20, 0x20))
    const ia = index.insert(1, a, 0, 0, 0, 0)
    const ib = index.insert(1, b, 0, 0, 0, 0)
    assert.ok(index.compareDigests(ia, ib) < 0)
    assert.ok(index.compareDigests(ib, ia) > 0)
    assert.equal(index.compareDigestTo(ia, a), 0)
    assert.ok(index.compareDigestTo(ib, a) > 0)
  })
})
