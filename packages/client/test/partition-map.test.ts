import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { PARTITION_COUNT, ParticleType, computeDigest, partitionId } from '@aerolite/protocol'
import { PartitionMap, encodeBitmap, parseReplicas } from '../src/index.ts'

describe('PartitionMap', () => {
  test('routes each digest to the node reporting its partition as master; replica columns do not count', () => {
    const low = Array.from({ length: 2048 }, (_, i) => i)
    const high = Array.from({ length: 2048 }, (_, i) => i + 2048)
    const map = new PartitionMap()
    map.apply(0, parseReplicas(`test:0,2,${encodeBitmap(low)},${encodeBitmap(high)}`))
    map.apply(1, parseReplicas(`test:0,2,${encodeBitmap(high)},${encodeBitmap(low)}`))
    assert.deepEqual(map.namespaces(), ['test'])
    assert.equal(map.unownedCount('test'), 0)
    for (let k = 0; k < 200; k++) {
      const key = Buffer.alloc(8)
      key.writeUInt32BE(k, 4)
      const digest = computeDigest('demo', ParticleType.INTEGER, key)
      assert.equal(map.masterOf('test', digest), partitionId(digest) < 2048 ? 0 : 1)
    }
  })

  test('unknown namespaces and unclaimed partitions have no master', () => {
    const map = new PartitionMap()
    map.apply(0, parseReplicas(`test:0,1,${encodeBitmap([5])}`))
    assert.equal(map.unownedCount('test'), PARTITION_COUNT - 1)
    assert.equal(map.unownedCount('other'), PARTITION_COUNT)
    const digest = Buffer.alloc(20)
    assert.equal(map.masterOf('test', digest), -1)
    digest[0] = 5
    assert.equal(map.masterOf('test', digest), 0)
    assert.equal(map.masterOf('other', digest), -1)
  })
})
