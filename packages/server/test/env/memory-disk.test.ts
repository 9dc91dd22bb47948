// A persistent namespace on the manual Env's in-memory disk: a clean restart loads the index
// snapshot, a crash loses exactly the writes that were never synced, a second owner of a file is
// refused, and a failing disk stops writes with the OS error named. Then the disk's own faults: a
// failed sync, a torn write at a crash, a bad block, a slow disk.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { EnvError } from '@aerolite/protocol'
import { manualEnv, SeededRandom, type ManualEnv } from '../../src/env/manual-env.ts'
import { MemoryDisk } from '../../src/env/memory-disk.ts'
import { Namespace } from '../../src/namespace/namespace.ts'
import { StorageError } from '../../src/storage/storage-error.ts'
import { deviceConfig, getInt, memoryLogger, putInt } from '../storage/harness.ts'

const FILE = '/data/test.dat'

function setup(): { env: ManualEnv; open(): Promise<Namespace> } {
  const env = manualEnv({ seed: 3 })
  env.disk.mkdir('/data')
  const log = memoryLogger().log
  return {
    env,
    async open() {
      const ns = new Namespace(deviceConfig([FILE]), env, log)
      await ns.open(log)
      return ns
    },
  }
}

/** Runs an operation that goes through the disk's asynchronous calls to its end. */
async function settled<T>(env: ManualEnv, operation: Promise<T>): Promise<T> {
  const [outcome] = await Promise.allSettled([operation, env.scheduler.drain()])
  if (outcome.status === 'rejected') throw outcome.reason
  return outcome.value
}

test('a clean close and reopen keeps every record, through the index snapshot', async () => {
  const { env, open } = setup()
  const ns = await open()
  for (let i = 0; i < 100; i++) assert.equal(putInt(ns, `k${i}`, i), 0)
  await settled(env, ns.close(memoryLogger().log))
  assert.ok(env.disk.exists(`${FILE}.index`), 'the snapshot was written')
  const again = await open()
  assert.equal(again.restoreReport?.mode, 'fast')
  assert.equal(again.objects, 100)
  assert.equal(getInt(again, 'k42'), 42)
})

test('a crash keeps the synced writes and loses the rest', async () => {
  const { env, open } = setup()
  const ns = await open()
  assert.equal(putInt(ns, 'synced', 1), 0)
  await settled(env, ns.flusher!.flushAll())
  assert.equal(putInt(ns, 'lost', 2), 0)
  ns.flusher!.stop()
  env.disk.crash()
  const again = await open()
  assert.equal(again.restoreReport?.mode, 'cold')
  assert.equal(getInt(again, 'synced'), 1)
  assert.equal(getInt(again, 'lost'), undefined)
})

test('a file in use by another namespace is refused, and free again once it is closed', async () => {
  const { env, open } = setup()
  const first = await open()
  await assert.rejects(open(), (err: unknown) => err instanceof StorageError && err.code === 'ERR_STORAGE_LOCKED' && err.message.includes(`${FILE}.lock`))
  await settled(env, first.close(memoryLogger().log))
  const second = await open()
  assert.equal(second.objects, 0)
})

test('a failing disk stops the flush with the OS error; a healed one takes the writes', async () => {
  const { env, open } = setup()
  const ns = await open()
  assert.equal(putInt(ns, 'k', 1), 0)
  env.disk.failWith('ENOSPC')
  await assert.rejects(settled(env, ns.flusher!.flushAll()), /ENOSPC/)
  env.disk.failWith(undefined)
  await settled(env, ns.flusher!.flushAll())
  ns.flusher!.stop()
  env.disk.crash()
  assert.equal(getInt(await open(), 'k'), 1)
})

/** A bare disk with /d/f holding `synced` (synced) and then `written` at `position` (not synced). */
function diskWith(synced: Buffer, written?: { at: number; bytes: Buffer }): { env: ManualEnv; disk: MemoryDisk; fd: number } {
  const env = manualEnv({ seed: 3 })
  const disk = env.disk
  disk.mkdir('/d')
  disk.writeFile('/d/f', synced)
  const fd = disk.open('/d/f', 'r+')
  if (written !== undefined) disk.writeSync(fd, written.bytes, 0, written.bytes.length, written.at)
  return { env, disk, fd }
}

test('failNextSync fails exactly the next sync, fsync or fdatasync; what was written stays unsynced until a sync succeeds', async () => {
  const { env, disk, fd } = diskWith(Buffer.from('aaaa'), { at: 4, bytes: Buffer.from('bbbb') })
  disk.failNextSync()
  assert.throws(() => disk.fsync(fd), { code: 'EIO', syscall: 'fsync' })
  disk.crash()
  assert.equal(disk.contentOf('/d/f')!.toString(), 'aaaa', 'the failed sync made nothing durable')
  const again = disk.open('/d/f', 'r+')
  disk.writeSync(again, Buffer.from('cc'), 0, 2, 4)
  disk.failNextSync('ENOSPC')
  const outcomes: string[] = []
  disk.fdatasync(again, (err) => outcomes.push(err?.code ?? 'ok'))
  disk.fdatasync(again, (err) => outcomes.push(err?.code ?? 'ok'))
  await env.scheduler.drain()
  assert.deepEqual(outcomes, ['ENOSPC', 'ok'], 'once, then the disk syncs again')
  disk.fsync(again)
  disk.crash()
  assert.equal(disk.contentOf('/d/f')!.toString(), 'aaaacc')
})

test('a failed sync fails the namespace\'s flush once; the next flush makes the write durable', async () => {
  const { env, open } = setup()
  const ns = await open()
  assert.equal(putInt(ns, 'k', 1), 0)
  env.disk.failNextSync()
  await assert.rejects(settled(env, ns.flusher!.flushAll()), /EIO: injected sync failure/)
  await settled(env, ns.flusher!.flushAll())
  ns.flusher!.stop()
  env.disk.crash()
  assert.equal(getInt(await open(), 'k'), 1)
})

test('a torn crash keeps a prefix, at most tearBytes long, of one file\'s last unsynced write, the same for the same seed', () => {
  const old = Buffer.alloc(100, 'a')
  const write = Buffer.alloc(1000, 'b')
  const kept = new Set<number>()
  for (let seed = 1; seed <= 40; seed++) {
    const { disk } = diskWith(old, { at: 50, bytes: write })
    const torn = disk.crash({ random: new SeededRandom(seed), tearBytes: 300 })!
    assert.equal(torn.path, '/d/f')
    assert.equal(torn.position, 50)
    assert.equal(torn.writeBytes, 1000)
    assert.ok(torn.keptBytes >= 0 && torn.keptBytes <= 300, `kept ${torn.keptBytes}`)
    kept.add(torn.keptBytes)
    const k = torn.keptBytes
    const expected = Buffer.concat([old.subarray(0, 50), write.subarray(0, k), old.subarray(Math.min(100, 50 + k))])
    assert.deepEqual(disk.contentOf('/d/f'), expected, `seed ${seed}: the synced bytes with the write's first ${k} over them`)
    disk.crash()
    assert.deepEqual(disk.contentOf('/d/f'), expected, 'what survived is durable')
    const replay = diskWith(old, { at: 50, bytes: write }).disk.crash({ random: new SeededRandom(seed), tearBytes: 300 })
    assert.deepEqual(replay, torn, 'the same seed tears the same way')
  }
  assert.ok(kept.size > 10 && [...kept].some((k) => k > 50), `tears of many lengths, some past the old end: ${[...kept].join(' ')}`)
  const plain = diskWith(old, { at: 50, bytes: write })
  assert.equal(plain.disk.crash(), undefined, 'without random no write is torn')
  assert.deepEqual(plain.disk.contentOf('/d/f'), old)
  const synced = diskWith(old, { at: 0, bytes: write })
  synced.disk.fsync(synced.fd)
  assert.equal(synced.disk.crash({ random: new SeededRandom(1) }), undefined, 'a synced file has nothing to tear')
})

test('a torn crash tears one file; every other unsynced write is lost', () => {
  const { disk } = diskWith(Buffer.from('f'))
  disk.writeFile('/d/g', Buffer.from('g'))
  for (const path of ['/d/f', '/d/g']) {
    const fd = disk.open(path, 'r+')
    disk.writeSync(fd, Buffer.from('xxxx'), 0, 4, 1)
    disk.writeSync(fd, Buffer.from('yyyy'), 0, 4, 5)
  }
  const torn = disk.crash({ random: new SeededRandom(9) })!
  for (const path of ['/d/f', '/d/g']) {
    const expected = path === torn.path ? `${path.at(-1)}\0\0\0\0${'y'.repeat(torn.keptBytes)}` : path.at(-1)
    assert.equal(disk.contentOf(path)!.toString(), expected, `${path}: only the last write of the torn file, never the one before it`)
  }
})

test('corrupt changes every byte of the range, in what was synced and what was written, and nothing else', () => {
  const synced = Buffer.alloc(40, 7)
  const { disk } = diskWith(synced, { at: 30, bytes: Buffer.alloc(30, 9) })
  const before = disk.contentOf('/d/f')!
  disk.corrupt('/d/f', 20, 30, new SeededRandom(4))
  const after = disk.contentOf('/d/f')!
  assert.equal(after.length, 60)
  for (let i = 0; i < 60; i++) assert.equal(after[i] !== before[i], i >= 20 && i < 50, `byte ${i}`)
  disk.crash()
  const durable = disk.contentOf('/d/f')!
  assert.equal(durable.length, 40)
  for (let i = 0; i < 40; i++) assert.equal(durable[i] !== synced[i], i >= 20, `synced byte ${i}`)
  assert.deepEqual(durable.subarray(20, 30), after.subarray(20, 30), 'the same bad bytes where both held the same')
  const again = diskWith(synced, { at: 30, bytes: Buffer.alloc(30, 9) }).disk
  again.corrupt('/d/f', 20, 30, new SeededRandom(4))
  assert.deepEqual(again.contentOf('/d/f'), after, 'the same seed corrupts the same way')
  assert.throws(() => again.corrupt('/d/f', 50, 11, new SeededRandom(4)), RangeError)
  assert.throws(() => again.corrupt('/d/none', 0, 1, new SeededRandom(4)), { code: 'ENOENT' })
})

test('setLatency: asynchronous reads, writes and syncs finish that many ms later, in order; 0 restores the next turn', async () => {
  const { env, disk, fd } = diskWith(Buffer.from('abcd'))
  disk.setLatency(5)
  const done: string[] = []
  const note = (what: string) => (err: EnvError | null) => done.push(`${what}${err ? ` ${err.code}` : ''}@${env.clock.monotonicMs()}`)
  disk.write(fd, Buffer.from('zz'), 0, 2, 0, note('write'))
  const target = Buffer.alloc(4)
  disk.read(fd, target, 0, 4, 0, note('read'))
  disk.fdatasync(fd, note('sync'))
  await env.scheduler.advance(4)
  assert.deepEqual(done, [], 'nothing finished before 5 ms')
  await env.scheduler.advance(1)
  assert.deepEqual(done, ['write@5', 'read@5', 'sync@5'])
  assert.equal(target.toString(), 'zzcd', 'the read saw the write before it')
  disk.setLatency(0)
  disk.fdatasync(fd, note('fast'))
  await env.scheduler.drain()
  assert.deepEqual(done.at(-1), 'fast@5')
  assert.throws(() => disk.setLatency(-1), RangeError)
})

test('a crash keeps exactly what the last sync saw, through writes, truncates and syncs in any order (syncs copy only what was written since)', async () => {
  const fc = await import('fast-check')
  const op = fc.oneof(
    fc.record({ kind: fc.constant('write' as const), position: fc.nat(3000), bytes: fc.uint8Array({ minLength: 1, maxLength: 700 }) }),
    fc.record({ kind: fc.constant('truncate' as const), size: fc.nat(3500) }),
    fc.record({ kind: fc.constant('sync' as const) }),
  )
  fc.assert(fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
    const disk = new MemoryDisk(manualEnv({ seed: 1 }).scheduler)
    disk.mkdir('/d')
    const fd = disk.open('/d/f', 'w+')
    // The model: the file's bytes, and a whole copy of them at each sync.
    let model = Buffer.alloc(0)
    let synced = Buffer.alloc(0)
    for (const o of ops) {
      if (o.kind === 'write') {
        disk.writeSync(fd, o.bytes, 0, o.bytes.length, o.position)
        const grown = Buffer.alloc(Math.max(model.length, o.position + o.bytes.length))
        model.copy(grown)
        grown.set(o.bytes, o.position)
        model = grown
      } else if (o.kind === 'truncate') {
        disk.truncate(fd, o.size)
        const resized = Buffer.alloc(o.size)
        model.copy(resized, 0, 0, Math.min(model.length, o.size))
        model = resized
      } else {
        disk.fsync(fd)
        synced = Buffer.from(model)
      }
    }
    assert.deepEqual(disk.contentOf('/d/f'), model)
    disk.crash()
    assert.deepEqual(disk.contentOf('/d/f'), synced)
  }), { numRuns: 300 })
})
