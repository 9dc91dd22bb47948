import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs'
import fc from 'fast-check'
import { join } from 'node:path'
import { computeDigest, ParticleType } from '@aerolite/protocol'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { recordTotalBytes } from '../../src/record/layout.ts'
import { writeBlockHeader } from '../../src/storage/block-format.ts'
import type { NamespaceConfig } from '../../src/config/index.ts'
import { crash, deviceConfig, FILE_HEADER_BYTES, getInt, memoryLogger, openNamespace, putInt, tempDir } from './harness.ts'

/** Where a record starts in the (single) data file. */
function filePosition(ns: Namespace, key: string): { position: number; block: number } {
  const id = ns.find(computeDigest('demo', ParticleType.STRING, Buffer.from(key)))
  const block = ns.index.block(id)
  return { position: FILE_HEADER_BYTES + block * ns.blocks.blockSizeBytes + ns.index.offset(id), block }
}

function patchFile(path: string, position: number, patch: (bytes: Buffer) => void, length: number): void {
  const fd = openSync(path, 'r+')
  const bytes = Buffer.alloc(length)
  readSync(fd, bytes, 0, length, position)
  patch(bytes)
  writeSync(fd, bytes, 0, length, position)
  closeSync(fd)
}

interface Filled {
  ns: Namespace
  config: NamespaceConfig
  /** The namespace's one data file. */
  path: string
}

/**
 * Opens a device namespace on one data file in a fresh directory, writes k0..k{count-1} = 0..count-1
 * and hands it to `test`; the directory is removed afterwards.
 */
async function withRecords(count: number, test: (filled: Filled) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir()
  try {
    const path = join(dir, 'a.dat')
    const config = deviceConfig([path])
    const ns = await openNamespace(config)
    for (let i = 0; i < count; i++) putInt(ns, `k${i}`, i)
    await test({ ns, config, path })
  } finally {
    cleanup()
  }
}

describe('cold start recovery', () => {
  it('drops a torn tail quietly and keeps every record before it', async () => {
    await withRecords(100, async ({ ns: written, config, path }) => {
      await written.flusher!.flushAll()
      // A write cut short: the next record's first bytes made it to disk, the rest did not.
      const last = filePosition(written, 'k99')
      const end = last.position + 44 + 3 + 8 + 8 // header, no key, one int bin 'v'
      const lastBytes = Buffer.alloc(30)
      const fd = openSync(path, 'r')
      readSync(fd, lastBytes, 0, 30, last.position)
      closeSync(fd)
      crash(written)
      patchFile(path, end, (bytes) => lastBytes.copy(bytes), 30)
      const { log, lines } = memoryLogger()
      const ns = await openNamespace(config, log)
      assert.equal(ns.restoreReport?.mode, 'cold')
      assert.equal(ns.objects, 100)
      assert.ok(ns.restoreReport!.tornTailBytes > 0)
      assert.equal(ns.restoreReport!.checksumFailures, 0)
      assert.ok(lines.some((line) => String(line.msg).includes('torn tail')))
      assert.equal(getInt(ns, 'k99'), 99)
      await ns.close(memoryLogger().log)
    })
  })

  it('reports a damaged record in the middle loudly, skips it and keeps the records after it', async () => {
    await withRecords(100, async ({ ns: written, config, path }) => {
      await written.flusher!.flushAll()
      const damaged = filePosition(written, 'k40')
      crash(written)
      // Flip a byte of the record's bin value.
      patchFile(path, damaged.position + 50, (bytes) => {
        bytes[0] = bytes[0]! ^ 0xff
      }, 1)
      const { log, lines } = memoryLogger()
      const ns = await openNamespace(config, log)
      assert.equal(ns.objects, 99)
      assert.equal(getInt(ns, 'k40'), undefined)
      assert.equal(getInt(ns, 'k41'), 41)
      assert.equal(ns.restoreReport!.checksumFailures, 1)
      assert.equal(ns.counters.checksumFailures, 1)
      const report = lines.find((line) => line.level === 50 && String(line.msg).includes('checksum'))
      assert.ok(report, 'an error line names the damage')
      assert.equal(report.file, path)
      await ns.close(memoryLogger().log)
    })
  })

  it('a flag flipped in a record\'s size and flags word (outside its checksum) drops that record, not reads it wrongly', async () => {
    for (const flag of [0x01, 0x04, 0x08]) {
      await withRecords(10, async ({ ns: written, config, path }) => {
        await written.flusher!.flushAll()
        const damaged = filePosition(written, 'k3')
        crash(written)
        patchFile(path, damaged.position + 3, (bytes) => {
          bytes[0] = bytes[0]! | flag
        }, 1)
        const ns = await openNamespace(config)
        assert.equal(getInt(ns, 'k3'), undefined, `flag 0x${flag.toString(16)}`)
        for (const i of [2, 4, 9]) assert.equal(getInt(ns, `k${i}`), i)
        assert.equal(ns.objects, 9)
        assert.equal(ns.restoreReport!.checksumFailures, 1)
        crash(ns)
      })
    }
  })

  it('random damage to the blocks never crashes a cold start, never returns a wrong value, and loses no record before it', async () => {
    await withRecords(300, async ({ ns, config, path }) => {
      await ns.flusher!.flushAll()
      const usedEnd = FILE_HEADER_BYTES + ns.blocks.highestBlock * ns.blocks.blockSizeBytes
      // Each record's block start and end in the file, to tell which ones no damage can reach.
      const spans = Array.from({ length: 300 }, (_, i) => {
        const { position, block } = filePosition(ns, `k${i}`)
        const { buf, at } = ns.location(ns.find(computeDigest('demo', ParticleType.STRING, Buffer.from(`k${i}`))))
        return { blockStart: FILE_HEADER_BYTES + block * ns.blocks.blockSizeBytes, end: position + recordTotalBytes(buf, at) }
      })
      crash(ns)
      const pristine = readFileSync(path)
      await fc.assert(
        fc.asyncProperty(fc.array(fc.record({ at: fc.integer({ min: FILE_HEADER_BYTES, max: usedEnd - 1 }), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 30 }), async (damage) => {
          const bytes = Buffer.from(pristine)
          for (const { at, value } of damage) bytes[at] = value
          writeFileSync(path, bytes)
          const reopened = await openNamespace(config)
          try {
            assert.ok(reopened.objects <= 300)
            for (let i = 0; i < 300; i++) {
              const value = getInt(reopened, `k${i}`)
              if (value !== undefined) assert.equal(value, i)
              // Damage after a record in its block (or in another block) cannot take it away.
              const { blockStart, end } = spans[i]!
              const reached = damage.some(({ at, value: v }) => at >= blockStart && at < end && v !== pristine[at])
              if (!reached) assert.equal(value, i, `k${i} was lost though no damage reached it`)
            }
          } finally {
            crash(reopened)
          }
        }),
        { numRuns: 15, interruptAfterTimeLimit: 5000 },
      )
    })
  })

  it('never trusts a snapshot that does not match the blocks', async () => {
    await withRecords(100, async ({ ns: written, config, path }) => {
      await written.close(memoryLogger().log)
      // Another block header appears on disk after the snapshot was written.
      patchFile(path, FILE_HEADER_BYTES + 10 * written.blocks.blockSizeBytes, (bytes) => writeBlockHeader(bytes, 0, 999), 16)
      const { log, lines } = memoryLogger()
      const ns = await openNamespace(config, log)
      assert.equal(ns.restoreReport?.mode, 'cold')
      assert.ok(lines.some((line) => String(line.msg).includes('does not match')))
      assert.equal(ns.objects, 100)
      await ns.close(memoryLogger().log)
    })
  })
})
