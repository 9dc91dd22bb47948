// Several files: fresh blocks are striped over them, each file reports its own statistics
// (`storage-engine.file[i].*`), and the files add up to the namespace's figures.
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ParticleType } from '@aerolite/protocol'
import { namespaceStatistics } from '../../src/info/namespace-info.ts'
import { put, write } from '../commands/harness.ts'
import { deviceConfig, memoryLogger, openNamespace, tempDir } from './harness.ts'

it('two files: writes are striped over both, each reports its own figures, and they add up', async () => {
  const { dir, cleanup } = tempDir()
  try {
    const ns = await openNamespace(deviceConfig([join(dir, 'a.dat'), join(dir, 'b.dat')]))
    // 64 blocks of 16 KiB per file; 1,100 records of ~1 KiB take about 75 blocks (under the default stop-writes).
    for (let i = 0; i < 1100; i++) assert.equal(put(ns, `k${i}`, [write('b', ParticleType.BLOB, Buffer.alloc(1000, i))]).resultCode, 0)
    await ns.flusher!.flushAll()
    const stats = new Map(namespaceStatistics(ns))
    const figure = (key: string): number => Number(stats.get(key))
    for (const name of ['used_bytes', 'free_wblocks', 'write_q', 'writes', 'defrag_q', 'defrag_reads', 'defrag_writes']) {
      assert.ok(stats.has(`storage-engine.file[0].${name}`) && stats.has(`storage-engine.file[1].${name}`), name)
    }
    const used = [figure('storage-engine.file[0].used_bytes'), figure('storage-engine.file[1].used_bytes')]
    assert.equal(used[0]! + used[1]!, ns.blocks.liveBytes)
    assert.ok(Math.abs(used[0]! - used[1]!) <= 16 * 1024, `striped blocks fill both files alike: ${used}`)
    const free = [figure('storage-engine.file[0].free_wblocks'), figure('storage-engine.file[1].free_wblocks')]
    assert.equal(free[0]! + free[1]!, ns.blocks.freeBlockCount)
    assert.ok(Math.abs(free[0]! - free[1]!) <= 1, `free blocks ${free}`)
    const writes = [figure('storage-engine.file[0].writes'), figure('storage-engine.file[1].writes')]
    assert.ok(writes[0]! >= 30 && writes[1]! >= 30, `writes ${writes}`)
    assert.equal(stats.has('storage-engine.file[2].used_bytes'), false)
    await ns.close(memoryLogger().log)
  } finally {
    cleanup()
  }
})
