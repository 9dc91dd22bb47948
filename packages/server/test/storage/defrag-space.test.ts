import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { Info2, ParticleType, ResultCode, computeDigest } from '@aerolite/protocol'
import { Defragmenter } from '../../src/storage/defrag.ts'
import { Evictor } from '../../src/namespace/eviction.ts'
import { realScheduler } from '../../src/env/real-env.ts'
import { get, makeNamespace, put, run, write } from '../commands/harness.ts'
import { crash, deviceConfig, FILE_HEADER_BYTES, getInt, KiB, memoryLogger, openNamespace, putInt, tempDir } from './harness.ts'

const blob = (n: number, fill = 1) => Buffer.alloc(n, fill)
const del = (ns: Parameters<typeof run>[0], key: string) => run(ns, { info2: Info2.WRITE | Info2.DELETE }, key).resultCode

describe('defrag', () => {
  it('keeps disk use within about twice the live data under sustained overwrites', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = deviceConfig([join(dir, 'a.dat')], (s) => {
        s.fileSizeBytes = FILE_HEADER_BYTES + 256 * 16 * KiB
      })
      const ns = await openNamespace(config)
      const defrag = new Defragmenter(ns)
      let peakRatio = 0
      for (let round = 0; round < 40; round++) {
        for (let i = 0; i < 400; i++) assert.equal(put(ns, `k${i}`, [write('b', ParticleType.BLOB, blob(300, round))]).resultCode, ResultCode.OK)
        await defrag.run()
        await ns.flusher!.flushAll()
        peakRatio = Math.max(peakRatio, ns.blocks.allocatedBytes / ns.blocks.liveBytes)
      }
      assert.ok(peakRatio <= 2.3, `disk/live peaked at ${peakRatio.toFixed(2)}`)
      assert.ok(ns.counters.defragWrites > 0)
      assert.deepEqual(get(ns, 'k7').ops[0]!.value, blob(300, 39))
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('drops a tombstone once no older version of its record is on disk, and keeps it while one is', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = deviceConfig([join(dir, 'a.dat')], (s) => {
        s.defragLwmPct = 90
      })
      config.tombRaiderEligibleAgeSeconds = 0 // the disk rule alone
      let ns = await openNamespace(config)
      const defrag = new Defragmenter(ns)
      for (let i = 0; i < 200; i++) put(ns, `k${i}`, [write('b', ParticleType.BLOB, blob(400))])
      // One record whose block stays in use: its tombstone must outlive the defrag.
      putInt(ns, 'pinned', 1)
      for (let i = 0; i < 30; i++) put(ns, `keep${i}`, [write('b', ParticleType.BLOB, blob(400))])
      for (let i = 0; i < 200; i++) assert.equal(del(ns, `k${i}`), ResultCode.OK)
      assert.equal(del(ns, 'pinned'), ResultCode.OK)
      await ns.flusher!.flushAll()
      // Move on from the tombstones' block, then make it sparse.
      for (let round = 0; round < 3; round++) for (let i = 0; i < 40; i++) put(ns, `f${i}`, [write('b', ParticleType.BLOB, blob(400, round))])
      await ns.flusher!.flushAll()
      await defrag.run()
      // The records in the block that 'pinned' shares with 'keep' records still have versions on disk.
      const kept = ns.tombstones.size
      assert.ok(kept >= 1 && kept < 60, `${kept} tombstones kept`)
      assert.equal(ns.counters.tombstonesDropped, 201 - kept)
      await ns.flusher!.flushAll()
      crash(ns)
      ns = await openNamespace(config)
      assert.equal(getInt(ns, 'pinned'), undefined)
      assert.equal(get(ns, 'k3').resultCode, ResultCode.RECORD_NOT_FOUND)
      assert.equal(ns.objects, 70)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })
})

describe('defrag while blocks are freed', () => {
  it('skips a sparse block that was freed before its turn (found by the stop-writes alert test: a truncate freed it)', async () => {
    const ns = makeNamespace((c) => {
      c.storage.writeBlockSizeBytes = 16 * KiB
      c.storage.defragLwmPct = 50
    })
    // Ten blocks of ten records; every other record deleted: all ten blocks are sparse.
    for (let i = 0; i < 100; i++) put(ns, `k${i}`, [write('b', ParticleType.BLOB, blob(1500))])
    for (let i = 0; i < 100; i += 2) assert.equal(del(ns, `k${i}`), ResultCode.OK)
    const sparse = ns.blocks.sparseBlocks(50)
    assert.ok(sparse.length >= 3, `${sparse.length} sparse blocks`)
    const running = new Defragmenter(ns).run()
    // While the first block is copied, the last two sparse blocks are emptied and freed: the last one
    // first, so the copies reuse the other one (free blocks are reused last freed first).
    const [other, last] = [sparse.at(-2)!, sparse.at(-1)!]
    for (const block of [last, other]) {
      for (let i = 1; i < 100; i += 2) {
        const id = ns.find(computeDigest('demo', ParticleType.STRING, Buffer.from(`k${i}`)))
        if (id >= 0 && ns.index.block(id) === block) assert.equal(del(ns, `k${i}`), ResultCode.OK)
      }
    }
    assert.equal(ns.blocks.isAllocated(last), false, 'the last sparse block was freed')
    await running
    for (let i = 1; i < 100; i += 2) if (get(ns, `k${i}`).resultCode === ResultCode.OK) assert.deepEqual(get(ns, `k${i}`).ops[0]!.value, blob(1500))
  })
})

describe('tomb-raider-eligible-age', () => {
  it('keeps a tombstone that young although no older version is on disk, so a record written again continues its generation; drops it once older', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = deviceConfig([join(dir, 'a.dat')], (s) => {
        s.defragLwmPct = 90
      })
      config.tombRaiderEligibleAgeSeconds = 3600
      const clock = { ms: Date.UTC(2026, 0, 1), nowMs() { return this.ms } }
      const ns = await openNamespace(config, memoryLogger().log, clock)
      const defrag = new Defragmenter(ns)
      for (let i = 0; i < 200; i++) put(ns, `k${i}`, [write('b', ParticleType.BLOB, blob(400))])
      for (let gen = 2; gen <= 5; gen++) putInt(ns, 'again', gen)
      for (let i = 0; i < 200; i++) assert.equal(del(ns, `k${i}`), ResultCode.OK)
      assert.equal(del(ns, 'again'), ResultCode.OK)
      await ns.flusher!.flushAll()
      for (let round = 0; round < 3; round++) for (let i = 0; i < 40; i++) put(ns, `f${i}`, [write('b', ParticleType.BLOB, blob(400, round))])
      await ns.flusher!.flushAll()
      await defrag.run()
      assert.equal(ns.tombstones.size, 201, 'every tombstone is younger than an hour')
      assert.equal(putInt(ns, 'again', 6), ResultCode.OK)
      assert.equal(get(ns, 'again').generation, 5, 'generation 4 deleted: the record written again is generation 5, not 1')
      clock.ms += 3601_000
      for (let round = 3; round < 6; round++) for (let i = 0; i < 40; i++) put(ns, `f${i}`, [write('b', ParticleType.BLOB, blob(400, round))])
      await ns.flusher!.flushAll()
      await defrag.run()
      assert.ok(ns.tombstones.size < 60, `${ns.tombstones.size} tombstones left an hour later`)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })
})

describe('defrag in a cluster', () => {
  it('keeps every tombstone while another copy of its partition may still need it, then drops by the disk rule', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = deviceConfig([join(dir, 'a.dat')], (s) => {
        s.defragLwmPct = 90
      })
      config.tombRaiderEligibleAgeSeconds = 0 // the cluster's and the disk's rules alone
      const ns = await openNamespace(config)
      let needed = true
      ns.tombstones.cluster = { leavesTombstone: () => true, needsTombstones: () => needed }
      const defrag = new Defragmenter(ns)
      for (let i = 0; i < 200; i++) put(ns, `k${i}`, [write('b', ParticleType.BLOB, blob(400))])
      for (let i = 0; i < 200; i++) assert.equal(del(ns, `k${i}`), ResultCode.OK)
      await ns.flusher!.flushAll()
      for (let round = 0; round < 3; round++) for (let i = 0; i < 40; i++) put(ns, `f${i}`, [write('b', ParticleType.BLOB, blob(400, round))])
      await ns.flusher!.flushAll()
      await defrag.run()
      assert.equal(ns.tombstones.size, 200, 'the partitions are not quiet: every tombstone stays')
      assert.equal(ns.counters.tombstonesDropped, 0)
      needed = false
      await defrag.run()
      assert.ok(ns.tombstones.size < 200, `${ns.tombstones.size} tombstones kept once quiet`)
      assert.equal(ns.counters.tombstonesDropped, 200 - ns.tombstones.size)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })
})

describe('space', () => {
  it('evicts the records nearest expiry first past evict-used-pct', async () => {
    const ns = makeNamespace((c) => {
      c.storage.dataSizeBytes = 200 * KiB
      c.storage.writeBlockSizeBytes = 16 * KiB
      c.storage.evictUsedPct = 50
      c.storage.stopWritesUsedPct = 90
    })
    for (let i = 0; i < 160; i++) {
      assert.equal(put(ns, `k${i}`, [write('b', ParticleType.BLOB, blob(900))], { recordTtl: 1000 + i }).resultCode, ResultCode.OK)
    }
    for (let i = 0; i < 10; i++) put(ns, `forever${i}`, [write('b', ParticleType.BLOB, blob(900))], { recordTtl: 0xffffffff })
    assert.ok(ns.usedPct() > 50)
    const evicted = await new Evictor(ns, memoryLogger().log, realScheduler).evictIfNeeded()
    assert.ok(evicted > 0)
    assert.ok(ns.usedPct() < 50, `used ${ns.usedPct()}`)
    assert.equal(ns.counters.evictedObjects, evicted)
    // The soonest to expire went; the latest and the never-expiring stayed.
    assert.equal(get(ns, 'k0').resultCode, ResultCode.RECORD_NOT_FOUND)
    assert.equal(get(ns, 'k159').resultCode, ResultCode.OK)
    assert.equal(get(ns, 'forever3').resultCode, ResultCode.OK)
  })

  it('refuses writes past stop-writes-avail-pct with SERVER_FULL while reads go on', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = deviceConfig([join(dir, 'a.dat')], (s) => {
        s.fileSizeBytes = FILE_HEADER_BYTES + 10 * 16 * KiB
        s.stopWritesAvailPct = 50
        s.stopWritesUsedPct = 0
      })
      const ns = await openNamespace(config)
      let result: number = ResultCode.OK
      let i = 0
      for (; i < 1000 && result === ResultCode.OK; i++) result = put(ns, `k${i}`, [write('b', ParticleType.BLOB, blob(500))]).resultCode
      assert.equal(result, ResultCode.SERVER_FULL)
      assert.ok(ns.availPct() < 50 && ns.availPct() > 35, `avail ${ns.availPct()}`)
      assert.ok(ns.isStopWrites())
      assert.equal(get(ns, 'k0').resultCode, ResultCode.OK)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })
})
