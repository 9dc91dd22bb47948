// Per-file storage statistics (`storage-engine.file[i].*`): each file reports its own blocks, and
// the files add up to the namespace's figures.
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ParticleType } from '@aerolite/protocol'
import { namespaceStatistics } from '../../src/info/namespace-info.ts'
import { put, write } from '../commands/harness.ts'
import { deviceConfig, memoryLogger, openNamespace, tempDir } from './harness.ts'

it('two files: each reports its used bytes, free blocks and writes, and they add up', async () => {
  const { dir, cleanup } = tempDir()
  try {
    const ns = await openNamespace(deviceConfig([join(dir, 'a.dat'), join(dir, 'b.dat')]))
    // 64 blocks of 16 KiB per file: 1,100 records of ~1 KiB fill the first file and spill into the second
    // (staying under the default stop-writes).
    for (let i = 0; i < 1100; i++) assert.equal(put(ns, `k${i}`, [write('b', ParticleType.BLOB, Buffer.alloc(1000, i))]).resultCode, 0)
    await ns.flusher!.flushAll()
    const stats = new Map(namespaceStatistics(ns))
    const figure = (key: string): number => Number(stats.get(key))
    for (const name of ['used_bytes', 'free_wblocks', 'writes']) {
      assert.ok(stats.has(`storage-engine.file[0].${name}`) && stats.has(`storage-engine.file[1].${name}`), name)
    }
    assert.ok(figure('storage-engine.file[1].used_bytes') > 0, 'the second file holds records')
    assert.equal(figure('storage-engine.file[0].used_bytes') + figure('storage-engine.file[1].used_bytes'), ns.blocks.liveBytes)
    assert.equal(figure('storage-engine.file[0].free_wblocks') + figure('storage-engine.file[1].free_wblocks'), ns.blocks.freeBlockCount)
    assert.equal(figure('storage-engine.file[0].free_wblocks'), 0, 'the first file is full')
    assert.ok(figure('storage-engine.file[0].writes') >= 63 && figure('storage-engine.file[1].writes') > 0)
    assert.equal(stats.has('storage-engine.file[2].used_bytes'), false)
    await ns.close(memoryLogger().log)
  } finally {
    cleanup()
  }
})
