// A namespace on a raw block device (a loop device over a file): the capacity is found without
// filesize, records survive a clean restart and a crash, and a filesize past the device's end is
// refused with a message naming the device. Needs root and losetup; skipped elsewhere.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { parseConfig } from '../../packages/server/src/config/index.ts'
import { Namespace } from '../../packages/server/src/namespace/namespace.ts'
import { realEnv } from '../../packages/server/src/env/real-env.ts'
import { crash, getInt, memoryLogger, openNamespace, putInt, tempDir } from '../../packages/server/test/storage/harness.ts'

const DEVICE_BYTES = 64 * 1024 * 1024

/** Attaches a loop device over a new sparse file, or says why it cannot. */
function attachLoopDevice(dir: string): { device: string } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'needs root to attach a loop device' }
  const image = join(dir, 'device.img')
  try {
    execFileSync('truncate', ['-s', String(DEVICE_BYTES), image])
    return { device: execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim() }
  } catch (err) {
    return { skip: `losetup is not usable here: ${String(err).split('\n')[0]}` }
  }
}

const config = (device: string, extra = ''): string =>
  `namespace test {\n  storage-engine device {\n    device ${device}\n    write-block-size 1M\n${extra}  }\n}\n`

const { dir, cleanup } = tempDir()
const loop = attachLoopDevice(dir)
if ('skip' in loop) cleanup()

describe('a namespace on a raw block device', { skip: 'skip' in loop ? loop.skip : false }, () => {
  const device = 'device' in loop ? loop.device : ''

  before(() => {
    // A device that held anything before starts as a fresh, empty one.
    execFileSync('dd', ['if=/dev/zero', `of=${device}`, 'bs=1M', 'count=2', 'status=none'])
  })

  after(() => {
    try {
      execFileSync('losetup', ['-d', device])
    } finally {
      cleanup()
    }
  })

  it('takes the device capacity as filesize and keeps records across a clean restart and a crash', async () => {
    const [nsConfig] = parseConfig(config(device), 'block.conf', realEnv.disk).namespaces
    assert.equal(nsConfig!.storage.fileSizeBytes, DEVICE_BYTES)
    let ns = await openNamespace(nsConfig!)
    for (let i = 0; i < 2000; i++) assert.equal(putInt(ns, `k${i}`, i), 0)
    await ns.close(memoryLogger().log)
    ns = await openNamespace(nsConfig!)
    assert.equal(ns.restoreReport?.mode, 'fast')
    assert.equal(getInt(ns, 'k1999'), 1999)
    for (let i = 0; i < 2000; i += 2) putInt(ns, `k${i}`, -i)
    await ns.flusher!.flushAll()
    crash(ns)
    ns = await openNamespace(nsConfig!)
    assert.equal(ns.restoreReport?.mode, 'cold')
    assert.equal(ns.objects, 2000)
    assert.equal(getInt(ns, 'k10'), -10)
    assert.equal(getInt(ns, 'k11'), 11)
    await ns.close(memoryLogger().log)
  })

  it('refuses a filesize larger than the device', async () => {
    const [nsConfig] = parseConfig(config(device, `    filesize ${2 * DEVICE_BYTES / (1024 * 1024)}M\n`), 'block.conf', realEnv.disk).namespaces
    const ns = new Namespace(nsConfig!, realEnv, memoryLogger().log)
    await assert.rejects(ns.open(memoryLogger().log), (err: Error & { code?: string }) =>
      err.code === 'ERR_STORAGE_DEVICE_TOO_SMALL' && err.message.includes(device) && err.message.includes('smaller than filesize'))
  })
})
