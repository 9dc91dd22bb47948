import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ParticleType, ResultCode } from '@aerolite/protocol'
import { put, write } from '../commands/harness.ts'
import { StorageError } from '../../src/storage/storage-error.ts'
import { lockPathOf } from '../../src/env/file-lock.ts'
import { crash, deviceConfig, FILE_HEADER_BYTES, getInt, KiB, memoryLogger, openNamespace, putInt, tempDir } from './harness.ts'

async function openFails(config: ReturnType<typeof deviceConfig>, code: string, ...phrases: string[]): Promise<StorageError> {
  try {
    await openNamespace(config)
  } catch (err) {
    assert.ok(err instanceof StorageError, String(err))
    assert.equal(err.code, code, err.message)
    assert.ok(err.message.startsWith(config.storage.files[0]!), err.message)
    for (const phrase of phrases) assert.ok(err.message.includes(phrase), `"${err.message}" should say "${phrase}"`)
    return err
  }
  assert.fail('open should have failed')
}

/** Writes a few records, shuts down cleanly and returns the file's bytes. */
async function populated(path: string): Promise<{ config: ReturnType<typeof deviceConfig>; bytes: Buffer }> {
  const config = deviceConfig([path])
  const ns = await openNamespace(config)
  for (let i = 0; i < 100; i++) putInt(ns, `k${i}`, i)
  await ns.close(memoryLogger().log)
  return { config, bytes: readFileSync(path) }
}

describe('data file faults', () => {
  it('a record as large as a write block is refused with RECORD_TOO_BIG and changes nothing', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const ns = await openNamespace(deviceConfig([join(dir, 'a.dat')], (s) => {
        s.writeBlockSizeBytes = 16 * KiB
      }))
      ns.config.maxRecordSizeBytes = 0
      assert.equal(putInt(ns, 'k', 1), ResultCode.OK)
      const result = put(ns, 'k', [write('b', ParticleType.BLOB, Buffer.alloc(16 * KiB - 60))]).resultCode
      assert.equal(result, ResultCode.RECORD_TOO_BIG)
      assert.equal(getInt(ns, 'k'), 1)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('a missing file is created when its directory exists; a missing directory is an error', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const path = join(dir, 'new.dat')
      const ns = await openNamespace(deviceConfig([path]))
      assert.equal(statSync(path).size, deviceConfig([path]).storage.fileSizeBytes)
      await ns.close(memoryLogger().log)
      await openFails(deviceConfig([join(dir, 'missing', 'x.dat')]), 'ERR_STORAGE_NO_DIRECTORY', 'does not exist', 'create it')
    } finally {
      cleanup()
    }
  })

  it('a read-only file is refused with a message naming the fix', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const path = join(dir, 'ro.dat')
      await populated(path)
      chmodSync(path, 0o444)
      if (process.getuid?.() !== 0) {
        await openFails(deviceConfig([path]), 'ERR_STORAGE_READ_ONLY', 'write permission')
        return
      }
      // Root ignores file modes: open it as an unprivileged user in a child process. That user may
      // not be able to enter the checkout (it can sit in a 0700 directory), so the child runs from
      // a self-contained bundle in the temporary directory.
      chmodSync(dir, 0o777)
      const script = join(dir, 'open-files-as-child.mjs')
      const { build, stop } = await import('esbuild')
      try {
        await build({ entryPoints: [fileURLToPath(new URL('./open-files-as-child.ts', import.meta.url))], outfile: script, bundle: true, platform: 'node', format: 'esm', logLevel: 'error' })
      } finally {
        await stop()
      }
      const { fileSizeBytes, writeBlockSizeBytes } = deviceConfig([path]).storage
      const child = spawnSync(process.execPath, [script, path, String(fileSizeBytes), String(writeBlockSizeBytes)], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: dir })
      assert.match(child.stdout, /ERR_STORAGE_READ_ONLY/, child.stderr)
      assert.match(child.stdout, /write permission/)
    } finally {
      cleanup()
    }
  })

  it('a truncated file is refused and left as it is', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const path = join(dir, 't.dat')
      const { config } = await populated(path)
      truncateSync(path, FILE_HEADER_BYTES + 20 * KiB)
      await openFails(config, 'ERR_STORAGE_TRUNCATED', 'is truncated', 'restore the file')
      assert.equal(statSync(path).size, FILE_HEADER_BYTES + 20 * KiB)
    } finally {
      cleanup()
    }
  })

  it('a file of another format is refused and left as it is', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const path = join(dir, 'other.dat')
      writeFileSync(path, Buffer.from('PK\u0003\u0004 this is a zip file, not Aerolite data'))
      await openFails(deviceConfig([path]), 'ERR_STORAGE_WRONG_FORMAT', 'not an Aerolite data file')
      assert.equal(readFileSync(path, 'latin1').slice(0, 2), 'PK')
    } finally {
      cleanup()
    }
  })

  it('a file from a newer version is refused and left as it is', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const path = join(dir, 'n.dat')
      const { config, bytes } = await populated(path)
      for (const slot of [0, FILE_HEADER_BYTES / 2]) if (bytes.subarray(slot, slot + 8).toString('latin1') === 'AEROLITE') bytes.writeUInt32LE(7, slot + 8)
      writeFileSync(path, bytes)
      await openFails(config, 'ERR_STORAGE_NEWER_VERSION', 'data format 7', 'upgrade Aerolite')
      assert.ok(readFileSync(path).equals(bytes))
    } finally {
      cleanup()
    }
  })

  it('a file of another namespace or a changed write-block-size is refused', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const path = join(dir, 'm.dat')
      const { config } = await populated(path)
      await openFails({ ...config, name: 'other', storage: config.storage }, 'ERR_STORAGE_MISMATCH', 'belongs to namespace "test"')
      await openFails(deviceConfig([path], (s) => { s.writeBlockSizeBytes = 32 * KiB }), 'ERR_STORAGE_MISMATCH', 'set write-block-size back to 16384')
    } finally {
      cleanup()
    }
  })

  it('two nodes on one file: the second is refused while the first runs; a stale lock is taken over', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const path = join(dir, 'shared.dat')
      const config = deviceConfig([path])
      const first = await openNamespace(config)
      putInt(first, 'k', 1)
      await openFails(config, 'ERR_STORAGE_LOCKED', `in use by process ${process.pid}`, lockPathOf(path))
      assert.equal(getInt(first, 'k'), 1)
      await first.close(memoryLogger().log)
      assert.equal(existsSync(lockPathOf(path)), false)
      // A node killed with -9 leaves its lock behind; its pid no longer runs.
      writeFileSync(lockPathOf(path), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), token: 'x' }))
      const second = await openNamespace(config)
      assert.equal(getInt(second, 'k'), 1)
      await second.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('a full disk refuses writes with SERVER_FULL, keeps reads working, and loses nothing acknowledged', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const config = deviceConfig([join(dir, 'small.dat')], (s) => {
        s.fileSizeBytes = FILE_HEADER_BYTES + 4 * 16 * KiB
        s.stopWritesAvailPct = 0
        s.stopWritesUsedPct = 0
      })
      let ns = await openNamespace(config)
      const acknowledged: number[] = []
      let result: number = ResultCode.OK
      for (let i = 0; i < 10_000 && result === ResultCode.OK; i++) {
        result = putInt(ns, `k${i}`, i)
        if (result === ResultCode.OK) acknowledged.push(i)
      }
      assert.equal(result, ResultCode.SERVER_FULL)
      assert.ok(acknowledged.length > 100)
      assert.equal(getInt(ns, 'k0'), 0)
      await ns.flusher!.flushAll()
      crash(ns)
      ns = await openNamespace(config)
      for (const i of acknowledged) assert.equal(getInt(ns, `k${i}`), i)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })
})
