// A persistent namespace on the manual Env's in-memory disk: a clean restart loads the index
// snapshot, a crash loses exactly the writes that were never synced, a second owner of a file is
// refused, and a failing disk stops writes with the OS error named.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { manualEnv, type ManualEnv } from '../../src/env/manual-env.ts'
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
