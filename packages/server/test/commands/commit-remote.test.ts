import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ParticleType, computeDigest, integerParticle, partitionId } from '@aerolite/protocol'
import { commitRemote, generationNewer, incomingWins, type RemoteOrigin, type RemoteRecord } from '../../src/commands/commit-remote.ts'
import { encodedRecordBytes, readBins, writeRecord } from '../../src/record/layout.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { makeNamespace } from './harness.ts'
import { deviceConfig, memoryLogger, openNamespace, tempDir } from '../storage/harness.ts'

const digest = computeDigest('demo', ParticleType.STRING, Buffer.from('k'))

function remote(value: number, generation: number, lastUpdateMs: number): RemoteRecord {
  const bins = [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(value) }]
  const size = encodedRecordBytes(undefined, bins)
  const bytes = Buffer.alloc(size)
  writeRecord(bytes, 0, size, { digest, generation, voidTime: 0, lastUpdateMs, setId: 0 }, undefined, bins)
  return { digest, setName: 'demo', generation, lastUpdateMs, voidTime: 0, bytes }
}

const deleted = (generation: number, lastUpdateMs: number): RemoteRecord => ({ digest, setName: 'demo', generation, lastUpdateMs, voidTime: 0, bytes: undefined })

function stored(ns: Namespace): { value: number; generation: number; lastUpdateMs: number } | undefined {
  const id = ns.find(digest)
  if (id < 0) return undefined
  const { buf, at } = ns.location(id)
  return { value: Number(readBins(buf, at)[0]!.value.readBigInt64BE(0)), generation: ns.index.generation(id), lastUpdateMs: ns.index.lastUpdateMs(id) }
}

describe('a version of a record made elsewhere', () => {
  it('generations compare across the 16-bit wrap', () => {
    assert.ok(generationNewer(2, 1))
    assert.ok(!generationNewer(1, 2))
    assert.ok(!generationNewer(5, 5))
    assert.ok(generationNewer(3, 0xfffe), 'a generation just past the wrap is newer')
    assert.ok(!generationNewer(0xfffe, 3))
  })

  it('decides the winner by origin and policy', () => {
    const local = { generation: 5, lastUpdateMs: 1000 }
    const olderGenNewerLut = { generation: 4, lastUpdateMs: 2000 }
    const newerGenOlderLut = { generation: 6, lastUpdateMs: 500 }
    const cases: Array<[RemoteOrigin, 'generation' | 'last-update-time', { generation: number; lastUpdateMs: number }, boolean]> = [
      ['replica', 'generation', olderGenNewerLut, true],
      ['replica', 'generation', { generation: 1, lastUpdateMs: 1 }, true],
      ['migration', 'generation', newerGenOlderLut, true],
      ['migration', 'generation', olderGenNewerLut, false],
      ['migration', 'generation', { generation: 5, lastUpdateMs: 1001 }, true],
      ['migration', 'generation', { generation: 5, lastUpdateMs: 1000 }, false],
      ['migration', 'last-update-time', olderGenNewerLut, true],
      ['migration', 'last-update-time', newerGenOlderLut, false],
      ['migration', 'last-update-time', { generation: 6, lastUpdateMs: 1000 }, true],
    ]
    for (const [origin, policy, incoming, wins] of cases) {
      assert.equal(incomingWins(local, incoming, origin, policy), wins, `${origin} ${policy} ${JSON.stringify(incoming)}`)
    }
    assert.ok(incomingWins(undefined, olderGenNewerLut, 'migration', 'generation'), 'anything wins over nothing')
  })

  it('a replica write applies as sent, keeping the master\'s generation and last-update time', () => {
    const ns = makeNamespace()
    assert.equal(commitRemote(ns, remote(1, 7, 5000), 'replica').applied, true)
    assert.deepEqual(stored(ns), { value: 1, generation: 7, lastUpdateMs: 5000 })
    assert.equal(ns.sets.get('demo')?.objects, 1)
    assert.equal(commitRemote(ns, remote(2, 3, 4000), 'replica').applied, true)
    assert.deepEqual(stored(ns), { value: 2, generation: 3, lastUpdateMs: 4000 })
    assert.equal(ns.objects, 1)
  })

  it('a migrated record is stored only if it wins; a losing one changes nothing', () => {
    const ns = makeNamespace()
    commitRemote(ns, remote(1, 5, 5000), 'replica')
    assert.equal(commitRemote(ns, remote(2, 4, 9000), 'migration').applied, false)
    assert.deepEqual(stored(ns), { value: 1, generation: 5, lastUpdateMs: 5000 })
    assert.equal(commitRemote(ns, remote(3, 6, 1000), 'migration').applied, true)
    assert.deepEqual(stored(ns), { value: 3, generation: 6, lastUpdateMs: 1000 })
    ns.config.conflictResolutionPolicy = 'last-update-time'
    assert.equal(commitRemote(ns, remote(4, 9, 900), 'migration').applied, false)
    assert.equal(commitRemote(ns, remote(5, 1, 1100), 'migration').applied, true)
    assert.deepEqual(stored(ns), { value: 5, generation: 1, lastUpdateMs: 1100 })
  })

  it('a version from before a truncate cutoff (of its set or the namespace) is not stored, whatever its origin', () => {
    const ns = makeNamespace()
    ns.sets.getOrCreate('demo')!.truncateLutMs = 5000
    for (const origin of ['replica', 'migration'] as const) assert.equal(commitRemote(ns, remote(1, 2, 4999), origin).applied, false, origin)
    assert.equal(stored(ns), undefined)
    assert.equal(commitRemote(ns, remote(2, 2, 5000), 'migration').applied, true, 'at the cutoff is after it')
    const other = makeNamespace()
    other.truncateLutMs = 7000
    assert.equal(commitRemote(other, remote(1, 2, 6000), 'replica').applied, false)
    assert.equal(commitRemote(other, remote(1, 2, 8000), 'replica').applied, true)
  })

  it('a delete from elsewhere removes the record when it wins; a tombstone keeps an older migrated version out', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const ns = await openNamespace(deviceConfig([join(dir, 'a.dat')]))
      commitRemote(ns, remote(1, 5, 5000), 'replica')
      assert.equal(commitRemote(ns, deleted(4, 4000), 'migration').applied, false, 'an older delete loses')
      assert.equal(stored(ns)?.value, 1)
      assert.equal(commitRemote(ns, deleted(5, 6000), 'migration').applied, true)
      assert.equal(stored(ns), undefined)
      assert.equal(ns.objects, 0)
      assert.equal(ns.tombstones.size, 1)
      assert.equal(commitRemote(ns, remote(2, 4, 3000), 'migration').applied, false, 'the tombstone remembers a newer version')
      assert.equal(stored(ns), undefined)
      ns.config.conflictResolutionPolicy = 'last-update-time'
      assert.equal(commitRemote(ns, remote(3, 9, 5500), 'migration').applied, false, 'the tombstone keeps the delete\'s own time (6000), not the time it was applied')
      assert.equal(commitRemote(ns, remote(4, 1, 7000), 'migration').applied, true)
      assert.equal(stored(ns)?.value, 4)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('a memory namespace keeps a delete only in a cluster that asks for it, and resolves merged records against it', () => {
    const single = makeNamespace()
    commitRemote(single, remote(1, 5, 5000), 'replica')
    commitRemote(single, deleted(5, 6000), 'replica')
    assert.equal(single.tombstones.size, 0, 'a single node keeps no tombstone in memory')

    const ns = makeNamespace()
    let keeps = true
    ns.tombstones.cluster = { leavesTombstone: () => keeps, needsTombstones: () => keeps }
    commitRemote(ns, remote(1, 5, 5000), 'replica')
    assert.equal(commitRemote(ns, deleted(5, 6000), 'replica').applied, true)
    assert.deepEqual(ns.tombstones.deleteOf(partitionId(digest), digest), { generation: 5, lastUpdateMs: 6000 }, 'a replica delete leaves the master\'s stamp')
    assert.equal(commitRemote(ns, remote(2, 5, 5000), 'migration').applied, false, 'the version the delete removed does not come back')
    assert.equal(commitRemote(ns, remote(3, 5, 5999), 'migration').applied, false, 'nor an older one')
    assert.equal(stored(ns), undefined)
    assert.equal(commitRemote(ns, remote(4, 6, 5500), 'migration').applied, true, 'a newer generation wins over the delete')
    assert.equal(stored(ns)?.value, 4)
    assert.equal(ns.tombstones.size, 0, 'the write replaced the tombstone')

    // A partition the cluster is done with: a replica's delete leaves nothing.
    keeps = false
    assert.equal(commitRemote(ns, deleted(6, 7000), 'replica').applied, true)
    assert.equal(ns.tombstones.size, 0)
  })

  it('a merge remembers the delete of a record it lacks, so a later copy\'s older version stays out', () => {
    const ns = makeNamespace()
    ns.tombstones.cluster = { leavesTombstone: () => true, needsTombstones: () => true }
    assert.equal(commitRemote(ns, deleted(3, 6000), 'migration').applied, false, 'nothing here to remove')
    assert.equal(commitRemote(ns, deleted(2, 4000), 'migration').applied, false, 'an older delete changes nothing')
    assert.deepEqual(ns.tombstones.deleteOf(partitionId(digest), digest), { generation: 3, lastUpdateMs: 6000 })
    assert.equal(commitRemote(ns, remote(1, 2, 9000), 'migration').applied, false, 'an older version from another copy stays out')
    assert.equal(commitRemote(ns, deleted(4, 7000), 'migration').applied, false)
    assert.deepEqual(ns.tombstones.deleteOf(partitionId(digest), digest), { generation: 4, lastUpdateMs: 7000 }, 'a newer delete replaces the tombstone')
    assert.equal(ns.tombstones.size, 1)
    assert.equal(commitRemote(ns, remote(2, 5, 1000), 'migration').applied, true)
    assert.equal(ns.tombstones.size, 0)
  })
})
