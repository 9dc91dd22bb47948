import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import {
  computeDigest, decodeMessage, emptyHeader, encodeMessage, FieldType, Info1, Info2, OpType, ParticleType, PROTO_HEADER_BYTES, ResultCode,
  integerParticle, type Message,
} from '@aerolite/protocol'
import { dispatchMessage } from '../../src/commands/dispatch.ts'
import { whenSettled } from '../../src/commands/record-result.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { countSyncs, deviceConfig, memoryLogger, openNamespace, putInt, tempDir } from './harness.ts'
import { commandsOf } from '../commands/harness.ts'

function putMessage(key: string, value: number, ns = 'test'): Message {
  return decodeMessage(encodeMessage({ ...emptyHeader(), info2: Info2.WRITE }, [
    { type: FieldType.NAMESPACE, data: Buffer.from(ns) },
    { type: FieldType.SET, data: Buffer.from('demo') },
    { type: FieldType.DIGEST, data: computeDigest('demo', ParticleType.STRING, Buffer.from(key)) },
  ], [{ type: OpType.WRITE, particleType: ParticleType.INTEGER, name: 'v', value: integerParticle(value) }]))
}

function readMessage(write: Message): Message {
  return decodeMessage(encodeMessage({ ...emptyHeader(), info1: Info1.READ | Info1.GET_ALL }, write.fields, []))
}

const lookupOf = commandsOf

/** The result code and generation of a dispatched single-record command, once it answered. */
async function answered(result: ReturnType<typeof dispatchMessage>): Promise<{ resultCode: number; generation: number }> {
  assert.ok(!('stream' in result))
  const { reply } = await whenSettled(result)
  const message = decodeMessage(reply.subarray(PROTO_HEADER_BYTES))
  return { resultCode: message.resultCode, generation: message.generation }
}

async function withDurableNamespace(run: (ns: Namespace, dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir()
  try {
    const ns = await openNamespace(deviceConfig([join(dir, 'a.dat')], (s) => {
      s.commitToDevice = true
    }))
    try {
      await run(ns, dir)
    } finally {
      await ns.close(memoryLogger().log)
    }
  } finally {
    cleanup()
  }
}

describe('commit-to-device', () => {
  it('concurrent writers share one fdatasync (group commit)', async () => {
    await withDurableNamespace(async (ns) => {
      const syncs = countSyncs(ns)
      const waits: Promise<void>[] = []
      for (let i = 0; i < 50; i++) {
        assert.equal(putInt(ns, `k${i}`, i), 0)
        waits.push(ns.whenDurable()!)
      }
      await Promise.all(waits)
      assert.equal(syncs(), 1)
      assert.equal(ns.whenDurable(), undefined, 'nothing left to sync')
    })
  })

  it('a write answers only once its change is durable; a read answers at once', async () => {
    await withDurableNamespace(async (ns) => {
      const message = putMessage('k', 1)
      const result = dispatchMessage(message, lookupOf(ns))
      assert.ok('reply' in result && result.settled !== undefined, 'the write waits for the disk')
      assert.equal((await answered(result)).resultCode, ResultCode.OK)
      assert.equal(ns.whenDurable(), undefined)
      const read = dispatchMessage(readMessage(message), lookupOf(ns))
      assert.ok('reply' in read && read.settled === undefined)
    })
  })

  it('without commit-to-device a write answers at once', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const ns = await openNamespace(deviceConfig([join(dir, 'a.dat')]))
      const result = dispatchMessage(putMessage('k', 1), lookupOf(ns))
      assert.ok('reply' in result && result.settled === undefined)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('the wait covers only the namespace written', async () => {
    await withDurableNamespace(async (durable, dir) => {
      const config = deviceConfig([join(dir, 'b.dat')])
      config.name = 'other'
      const other = await openNamespace(config)
      try {
        const lookup = lookupOf(durable, other)
        const first = dispatchMessage(putMessage('k', 1), lookup)
        assert.ok('reply' in first && first.settled !== undefined)
        const second = dispatchMessage(putMessage('k', 2, 'other'), lookup)
        assert.ok('reply' in second && second.settled === undefined, 'a write elsewhere does not wait for this namespace')
        await answered(first)
      } finally {
        await other.close(memoryLogger().log)
      }
    })
  })

  it('a command on a record with a change in flight runs after it, in order; past transaction-pending-limit it answers KEY_BUSY', async () => {
    await withDurableNamespace(async (ns) => {
      ns.config.transactionPendingLimit = 2
      const lookup = lookupOf(ns)
      const first = dispatchMessage(putMessage('k', 1), lookup)
      const queued = [dispatchMessage(putMessage('k', 2), lookup), dispatchMessage(putMessage('k', 3), lookup)]
      for (const result of queued) assert.ok('later' in result, 'queued behind the change in flight')
      const refused = await answered(dispatchMessage(putMessage('k', 4), lookup))
      assert.equal(refused.resultCode, ResultCode.KEY_BUSY)
      assert.equal(ns.counters.failKeyBusy, 1)
      // A read sees the applied version at once.
      const read = dispatchMessage(readMessage(putMessage('k', 0)), lookup)
      assert.ok('reply' in read && read.settled === undefined)
      assert.equal(decodeMessage(read.reply.subarray(PROTO_HEADER_BYTES)).generation, 1)
      assert.deepEqual(await answered(first), { resultCode: ResultCode.OK, generation: 1 })
      assert.deepEqual(await answered(queued[0]!), { resultCode: ResultCode.OK, generation: 2 })
      assert.deepEqual(await answered(queued[1]!), { resultCode: ResultCode.OK, generation: 3 })
      assert.equal(ns.inFlight.size, 0, 'settled changes are forgotten')
      const other = dispatchMessage(putMessage('k', 5), lookup)
      assert.ok('reply' in other, 'nothing in flight: the write runs at once')
      await answered(other)
    })
  })

  it('a change the disk refuses answers SERVER_ERROR', async () => {
    await withDurableNamespace(async (ns) => {
      const files = ns.files!
      const sync = files.sync.bind(files)
      files.sync = async () => {
        throw new Error('EIO: injected')
      }
      const result = await answered(dispatchMessage(putMessage('k', 1), lookupOf(ns)))
      assert.equal(result.resultCode, ResultCode.SERVER_ERROR)
      files.sync = sync
    })
  })
})
