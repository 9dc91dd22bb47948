import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { Info2, ParticleType } from '@aerolite/protocol'
import { defaultNamespaceConfig, defaultStorageConfig } from '../../src/config/index.ts'
import { get, put, run, write } from '../commands/harness.ts'
import { setsInfo } from '../../src/info/namespace-info.ts'
import type { NodeContext } from '../../src/info/context.ts'
import { crash, deviceConfig, FILE_HEADER_BYTES, getInt, KiB, memoryLogger, MiB, openNamespace, putInt, tempDir } from './harness.ts'

const del = (ns: Parameters<typeof run>[0], key: string) => run(ns, { info2: Info2.WRITE | Info2.DELETE }, key).resultCode

describe('persistent namespaces', () => {
  it('a clean shutdown restarts from the index snapshot; a crash restarts by scanning the blocks', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = deviceConfig([join(dir, 'a.dat'), join(dir, 'b.dat')])
      let ns = await openNamespace(config)
      for (let i = 0; i < 3000; i++) assert.equal(putInt(ns, `k${i}`, i), 0)
      for (let i = 0; i < 3000; i += 2) assert.equal(putInt(ns, `k${i}`, -i), 0)
      await ns.close(memoryLogger().log)

      ns = await openNamespace(config)
      assert.equal(ns.restoreReport?.mode, 'fast')
      assert.equal(ns.objects, 3000)
      assert.equal(getInt(ns, 'k10'), -10)
      assert.equal(getInt(ns, 'k11'), 11)
      assert.equal(ns.sets.get('demo')?.objects, 3000)
      for (let i = 0; i < 3000; i += 3) putInt(ns, `k${i}`, i * 7)
      await ns.flusher!.flushAll()
      crash(ns)

      ns = await openNamespace(config)
      assert.equal(ns.restoreReport?.mode, 'cold')
      assert.equal(ns.objects, 3000)
      assert.equal(getInt(ns, 'k3'), 21)
      assert.equal(getInt(ns, 'k4'), -4)
      assert.equal(getInt(ns, 'k5'), 5)
      assert.equal(ns.sets.get('demo')?.objects, 3000)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('a snapshot of more entries than one read chunk (live and tombstones) restores them all', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = deviceConfig([join(dir, 'a.dat')], (s) => { s.fileSizeBytes = FILE_HEADER_BYTES + 1024 * 16 * KiB })
      let ns = await openNamespace(config)
      for (let i = 0; i < 40_000; i++) assert.equal(putInt(ns, `k${i}`, i), 0)
      for (let i = 0; i < 40_000; i += 7) assert.equal(del(ns, `k${i}`), 0)
      const tombstones = ns.tombstones.size
      await ns.close(memoryLogger().log)
      ns = await openNamespace(config)
      assert.equal(ns.restoreReport?.mode, 'fast')
      assert.equal(ns.objects, 40_000 - Math.ceil(40_000 / 7))
      assert.equal(ns.tombstones.size, tombstones)
      for (const i of [1, 16_384, 16_385, 33_333, 39_999]) assert.equal(getInt(ns, `k${i}`), i)
      assert.equal(getInt(ns, 'k7'), undefined)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('flush-max-ms changed at run time paces the flushes of a partly filled block', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = deviceConfig([join(dir, 'a.dat')], (s) => { s.flushMaxMs = 1000 * 1000 })
      let ns = await openNamespace(config)
      assert.equal(putInt(ns, 'early', 1), 0)
      ns.flusher!.setFlushMaxMs(20)
      await new Promise((resolve) => setTimeout(resolve, 300))
      crash(ns)
      ns = await openNamespace(config)
      assert.equal(getInt(ns, 'early'), 1, 'the timer of the new period wrote the record before the crash')
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('deleted records stay deleted across restarts, and a record created again after its delete is kept', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = deviceConfig([join(dir, 'a.dat')])
      let ns = await openNamespace(config)
      for (let i = 0; i < 500; i++) putInt(ns, `k${i}`, i)
      for (let i = 0; i < 500; i += 5) assert.equal(del(ns, `k${i}`), 0)
      putInt(ns, 'k0', 1234)
      assert.equal(ns.tombstones.size, 99)
      await ns.flusher!.flushAll()
      crash(ns)
      ns = await openNamespace(config)
      assert.equal(ns.objects, 401)
      assert.equal(ns.tombstones.size, 99)
      const setLine = setsInfo({ namespaces: new Map([['test', ns]]) } as unknown as NodeContext, ['test', 'demo'])
      assert.match(setLine, /:objects=401:tombstones=99:/)
      assert.equal(getInt(ns, 'k5'), undefined)
      assert.equal(getInt(ns, 'k0'), 1234)
      assert.equal(getInt(ns, 'k6'), 6)
      await ns.close(memoryLogger().log)
      ns = await openNamespace(config)
      assert.equal(ns.restoreReport?.mode, 'fast')
      assert.equal(getInt(ns, 'k5'), undefined)
      assert.equal(ns.tombstones.size, 99)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('set ids and truncate times survive a restart', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = deviceConfig([join(dir, 'a.dat')])
      let ns = await openNamespace(config)
      for (let i = 0; i < 50; i++) putInt(ns, `k${i}`, i)
      const before = ns.sets.get('demo')!.id
      const cutoff = ns.nowMs() + 1
      ns.truncate('demo', cutoff)
      await ns.truncation.whenDone()
      assert.equal(ns.objects, 0)
      await new Promise((resolve) => setTimeout(resolve, 5))
      putInt(ns, 'after', 1)
      await ns.flusher!.flushAll()
      crash(ns)
      ns = await openNamespace(config)
      assert.equal(ns.sets.get('demo')!.id, before)
      assert.equal(ns.sets.get('demo')!.truncateLutMs, cutoff)
      assert.equal(ns.objects, 1)
      assert.equal(getInt(ns, 'after'), 1)
      assert.equal(getInt(ns, 'k1'), undefined)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('a new set reaches the headers through the flusher, before any block, not inside the write', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = deviceConfig([join(dir, 'a.dat')])
      let ns = await openNamespace(config)
      const files = ns.files!
      const headerWrites: string[][] = []
      const blockWrites: number[] = []
      const writeMeta = files.writeMeta.bind(files)
      const writeBlock = files.write.bind(files)
      files.writeMeta = (meta) => { headerWrites.push(meta.sets); writeMeta(meta) }
      files.write = (block, offset, data) => { blockWrites.push(headerWrites.length); return writeBlock(block, offset, data) }
      putInt(ns, 'k1', 1)
      assert.deepEqual(headerWrites, [], 'the write itself touches no header')
      await ns.flusher!.flushAll()
      assert.deepEqual(headerWrites, [['demo']])
      assert.ok(blockWrites.length > 0 && blockWrites.every((headersBefore) => headersBefore === 1), 'the headers went first')
      // A set already known costs no header write.
      putInt(ns, 'k2', 2)
      await ns.flusher!.flushAll()
      assert.equal(headerWrites.length, 1)
      crash(ns)
      ns = await openNamespace(config)
      assert.equal(ns.sets.get('demo')!.objects, 2)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('a memory namespace backed by a file survives a restart', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = defaultNamespaceConfig('test')
      config.storage = { ...defaultStorageConfig('memory'), files: [join(dir, 'mem.dat')], writeBlockSizeBytes: 16 * KiB, dataSizeBytes: MiB, fileSizeBytes: FILE_HEADER_BYTES + MiB }
      let ns = await openNamespace(config)
      for (let i = 0; i < 1000; i++) putInt(ns, `k${i}`, i)
      assert.equal(ns.blocks.dataInMemory, true)
      await ns.flusher!.flushAll()
      crash(ns)
      ns = await openNamespace(config)
      assert.equal(ns.objects, 1000)
      assert.equal(getInt(ns, 'k999'), 999)
      await ns.close(memoryLogger().log)
      ns = await openNamespace(config)
      assert.equal(ns.restoreReport?.mode, 'fast')
      assert.equal(getInt(ns, 'k998'), 998)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  for (const compression of ['lz4', 'zstd'] as const) {
    it(`compression ${compression}: records read back, the ratio shows, a restart reads them`, async () => {
      const { dir, cleanup } = tempDir()
      try {
        const config = deviceConfig([join(dir, 'a.dat')], (s) => {
          s.compression = compression
        })
        let ns = await openNamespace(config)
        const text = (i: number) => Buffer.from(`value ${i} `.repeat(40))
        for (let i = 0; i < 200; i++) assert.equal(put(ns, `k${i}`, [write('s', ParticleType.STRING, text(i))]).resultCode, 0)
        assert.ok(ns.counters.compressionOutputBytes < ns.counters.compressionInputBytes / 3, 'compressed well')
        assert.deepEqual(get(ns, 'k7').ops[0]!.value, text(7))
        await ns.flusher!.flushAll()
        crash(ns)
        ns = await openNamespace(config)
        assert.equal(ns.objects, 200)
        assert.deepEqual(get(ns, 'k199').ops[0]!.value, text(199))
        await ns.close(memoryLogger().log)
      } finally {
        cleanup()
      }
    })
  }
})
