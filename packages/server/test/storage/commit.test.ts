import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { computeDigest, decodeMessage, emptyHeader, encodeMessage, FieldType, Info1, Info2, OpType, ParticleType, PROTO_HEADER_BYTES, integerParticle } from '@aerolite/protocol'
import { dispatchMessage } from '../../src/commands/dispatch.ts'
import { afterCommit } from '../../src/storage/commit-wait.ts'
import { deviceConfig, memoryLogger, openNamespace, putInt, tempDir } from './harness.ts'
import { commandsOf } from '../commands/harness.ts'

function putMessage(key: string, value: number) {
  return decodeMessage(encodeMessage({ ...emptyHeader(), info2: Info2.WRITE }, [
    { type: FieldType.NAMESPACE, data: Buffer.from('test') },
    { type: FieldType.SET, data: Buffer.from('demo') },
    { type: FieldType.DIGEST, data: computeDigest('demo', ParticleType.STRING, Buffer.from(key)) },
  ], [{ type: OpType.WRITE, particleType: ParticleType.INTEGER, name: 'v', value: integerParticle(value) }]))
}

describe('commit-to-device', () => {
  it('concurrent writers share one fdatasync (group commit)', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const ns = await openNamespace(deviceConfig([join(dir, 'a.dat')], (s) => {
        s.commitToDevice = true
      }))
      const files = ns.files!
      const sync = files.sync.bind(files)
      let syncs = 0
      files.sync = async () => {
        syncs++
        await sync()
      }
      const waits: Promise<void>[] = []
      for (let i = 0; i < 50; i++) {
        assert.equal(putInt(ns, `k${i}`, i), 0)
        waits.push(ns.whenDurable()!)
      }
      await Promise.all(waits)
      assert.equal(syncs, 1)
      assert.equal(ns.whenDurable(), undefined, 'nothing left to sync')
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('a write answers only after its flush; a read answers at once', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const ns = await openNamespace(deviceConfig([join(dir, 'a.dat')], (s) => {
        s.commitToDevice = true
      }))
      const lookup = commandsOf(ns)
      const message = putMessage('k', 1)
      const result = afterCommit(message, dispatchMessage(message, lookup), [ns])
      assert.ok('stream' in result, 'the write waits for the disk')
      const frames: Buffer[] = []
      for await (const frame of result.stream({ aborted: () => false })) frames.push(frame)
      assert.equal(frames.length, 1)
      assert.equal(decodeMessage(frames[0]!.subarray(PROTO_HEADER_BYTES)).resultCode, 0)
      assert.equal(ns.whenDurable(), undefined)
      const read = decodeMessage(encodeMessage({ ...emptyHeader(), info1: Info1.READ | Info1.GET_ALL }, message.fields, []))
      assert.ok('reply' in afterCommit(read, dispatchMessage(read, lookup), [ns]))
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('without commit-to-device a write answers at once', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const ns = await openNamespace(deviceConfig([join(dir, 'a.dat')]))
      const message = putMessage('k', 1)
      assert.ok('reply' in afterCommit(message, dispatchMessage(message, commandsOf(ns)), [ns]))
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })
})
