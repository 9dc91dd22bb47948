import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { partitionId } from '@aerolite/protocol'
import { PrimaryIndex } from '../../src/storage/primary-index.ts'

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
              const target = id >= 0 ? id : index.insert(pid, digest)
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
    const id = index.insert(pid, digest)
    index.setMeta(id, 7, 123456, 1_700_000_000_123, 5)
    index.setLocation(id, 9, 4096)
    assert.deepEqual(
      [index.generation(id), index.voidTime(id), index.lastUpdateMs(id), index.setId(id), index.block(id), index.offset(id)],
      [7, 123456, 1_700_000_000_123, 5, 9, 4096],
    )
    const copy = Buffer.alloc(20)
    index.digestInto(id, copy)
    assert.deepEqual(copy, digest)
    index.remove(pid, id)
    assert.equal(index.find(pid, digest), -1)
    assert.equal(index.insert(pid, randomBytes(20).fill(digest[0]!, 0, 1)), id)
  })

  it('grows a partition far past its initial size', () => {
    const index = new PrimaryIndex(4096)
    const digests = Array.from({ length: 5000 }, () => digestInPartition(42, randomBytes(20)))
    for (const d of digests) index.insert(42, d)
    assert.equal(index.partitionSize(42), 5000)
    for (const d of digests) assert.ok(index.find(42, d) >= 0)
    assert.equal(index.find(42, digestInPartition(42, randomBytes(20))), -1)
  })

  it('orders entries by digest bytes', () => {
    const index = new PrimaryIndex(4096)
    const a = digestInPartition(1, Buffer.alloc(20, 0x10))
    const b = digestInPartition(1, Buffer.alloc(20, 0x20))
    const ia = index.insert(1, a)
    const ib = index.insert(1, b)
    assert.ok(index.compareDigests(ia, ib) < 0)
    assert.ok(index.compareDigests(ib, ia) > 0)
    assert.equal(index.compareDigestTo(ia, a), 0)
    assert.ok(index.compareDigestTo(ib, a) > 0)
  })
})
