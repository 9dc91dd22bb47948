import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  FieldType, Info1, Info2, Info3, PROTO_HEADER_BYTES, ParticleType, ResultCode, computeDigest, decodeMessage, decodeMessageAt, encodeMessage,
  emptyHeader, integerParticle, type Message,
} from '@aerolite/protocol'
import { dispatchMessage } from '../../src/commands/dispatch.ts'
import { parseBatch, streamBatch } from '../../src/commands/batch.ts'
import { headerReply, type CommandReply } from '../../src/commands/reply.ts'
import { whenSettled } from '../../src/commands/record-result.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { limits } from '../../src/limits.ts'
import fc from 'fast-check'
import { commandsOf, makeNamespace, put, write } from './harness.ts'
import { countSyncs, deviceConfig, memoryLogger, openNamespace, tempDir } from '../storage/harness.ts'
import { join } from 'node:path'

interface Row {
  key: string
  ns?: string
  /** undefined = repeat of the previous row */
  kind?: 'read' | 'write' | 'delete'
}

const digestOf = (key: string): Buffer => computeDigest('demo', ParticleType.STRING, Buffer.from(key))

function field(type: number, data: Buffer): Buffer {
  const out = Buffer.alloc(5 + data.length)
  out.writeUInt32BE(data.length + 1)
  out[4] = type
  data.copy(out, 5)
  return out
}

/** Encodes a BATCH_INDEX payload the way the 7.4 C client does. */
function batchField(rows: Row[], flags = 0x0c): Buffer {
  const parts: Buffer[] = [Buffer.alloc(5)]
  parts[0]!.writeUInt32BE(rows.length)
  parts[0]![4] = flags
  rows.forEach((row, index) => {
    const head = Buffer.alloc(4)
    head.writeUInt32BE(index)
    parts.push(head, digestOf(row.key))
    if (row.kind === undefined) {
      parts.push(Buffer.of(0x01))
      return
    }
    const fields = [field(FieldType.NAMESPACE, Buffer.from(row.ns ?? 'test')), field(FieldType.SET, Buffer.from('demo'))]
    if (row.kind === 'read') {
      const h = Buffer.alloc(1 + 3 + 4 + 4)
      h[0] = 0x0a
      h[1] = Info1.READ | Info1.GET_ALL
      h.writeUInt16BE(fields.length, 8)
      parts.push(h.subarray(0, 4), Buffer.alloc(4), h.subarray(8, 12), ...fields)
      return
    }
    const info2 = row.kind === 'delete' ? Info2.WRITE | Info2.DELETE : Info2.WRITE
    const ops = row.kind === 'write' ? [writeOp()] : []
    const h = Buffer.alloc(1 + 3 + 2 + 4 + 4)
    h[0] = 0x0e
    h[2] = info2
    h.writeUInt16BE(fields.length, 10)
    h.writeUInt16BE(ops.length, 12)
    parts.push(h, ...fields, ...ops)
  })
  return Buffer.concat(parts)
}

function writeOp(): Buffer {
  const value = integerParticle(7)
  const out = Buffer.alloc(8 + 1 + value.length)
  out.writeUInt32BE(4 + 1 + value.length)
  out[4] = 2
  out[5] = ParticleType.INTEGER
  out[7] = 1
  out.write('v', 8)
  value.copy(out, 9)
  return out
}

async function runBatch(ns: Namespace, payload: Buffer): Promise<Message[]> {
  const body = encodeMessage({ ...emptyHeader(), info1: Info1.BATCH }, [{ type: FieldType.BATCH_INDEX, data: payload }])
  const result = dispatchMessage(decodeMessage(body), commandsOf(ns))
  const frames: Buffer[] = []
  if ('stream' in result) for await (const frame of result.stream({ aborted: () => false })) frames.push(frame)
  else frames.push((await whenSettled(result)).reply)
  const messages: Message[] = []
  for (const frame of frames) {
    const frameBody = frame.subarray(PROTO_HEADER_BYTES)
    for (let at = 0; at < frameBody.length; ) {
      const { message, end } = decodeMessageAt(frameBody, at)
      messages.push(message)
      at = end
    }
  }
  return messages
}

describe('batch', () => {
  it('answers every row with its index and result, then LAST', async () => {
    const ns = makeNamespace()
    put(ns, 'a', [write('v', ParticleType.INTEGER, integerParticle(1))])
    const replies = await runBatch(ns, batchField([{ key: 'a', kind: 'read' }, { key: 'missing' }, { key: 'a' }]))
    assert.equal(replies.length, 4)
    assert.deepEqual(replies.slice(0, 3).map((m) => [m.transactionTtl, m.resultCode, m.ops.length]), [[0, 0, 1], [1, 2, 0], [2, 0, 1]])
    assert.equal(replies[3]!.info3 & Info3.LAST, Info3.LAST)
    assert.equal(replies[3]!.resultCode, ResultCode.OK)
  })

  it('mixes writes, deletes and reads of the same key in row order', async () => {
    const ns = makeNamespace()
    const replies = await runBatch(ns, batchField([{ key: 'k', kind: 'write' }, { key: 'k', kind: 'read' }, { key: 'k', kind: 'delete' }, { key: 'k', kind: 'read' }]))
    assert.deepEqual(replies.slice(0, 4).map((m) => m.resultCode), [0, 0, 0, 2])
    assert.equal(replies[1]!.ops[0]!.value.readBigInt64BE(0), 7n)
  })

  it('under commit-to-device, rows answer once durable, share one sync, and rows of one record apply in row order', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const ns = await openNamespace(deviceConfig([join(dir, 'a.dat')], (s) => {
        s.commitToDevice = true
      }))
      const syncs = countSyncs(ns)
      const rows: Row[] = [{ key: 'k', kind: 'write' }, { key: 'k', kind: 'read' }, { key: 'k', kind: 'delete' }, { key: 'k', kind: 'read' }]
      for (let i = 0; i < 20; i++) rows.push({ key: `other${i}`, kind: 'write' })
      const replies = await runBatch(ns, batchField(rows))
      assert.equal(replies.length, rows.length + 1)
      const byRow = new Map(replies.slice(0, rows.length).map((m) => [m.transactionTtl, m.resultCode]))
      assert.deepEqual([0, 1, 2, 3].map((i) => byRow.get(i)), [0, 0, 0, ResultCode.RECORD_NOT_FOUND])
      for (let i = 4; i < rows.length; i++) assert.equal(byRow.get(i), ResultCode.OK)
      assert.equal(ns.whenDurable(), undefined, 'every row was durable before the batch ended')
      assert.ok(syncs() <= 3, `${syncs()} syncs for ${rows.length} rows`)
      await ns.close(memoryLogger().log)
    } finally {
      cleanup()
    }
  })

  it('answers rows of an unknown namespace with 20 and the others normally', async () => {
    const ns = makeNamespace()
    const replies = await runBatch(ns, batchField([{ key: 'x', kind: 'write' }, { key: 'x', ns: 'nope', kind: 'read' }, { key: 'x', kind: 'read' }]))
    assert.deepEqual(replies.slice(0, 3).map((m) => m.resultCode), [0, ResultCode.NAMESPACE_NOT_FOUND, 0])
  })

  it('stops at the first error without respond-all-keys and reports it in LAST', async () => {
    const ns = makeNamespace()
    const replies = await runBatch(ns, batchField([{ key: 'x', ns: 'nope', kind: 'read' }, { key: 'y', kind: 'read' }], 0x08))
    assert.equal(replies.length, 2)
    assert.equal(replies[1]!.info3 & Info3.LAST, Info3.LAST)
    assert.equal(replies[1]!.resultCode, ResultCode.NAMESPACE_NOT_FOUND)
  })

  it('handles thousands of rows, spread over several frames', async () => {
    const ns = makeNamespace()
    const rows: Row[] = [{ key: 'k0', kind: 'write' }]
    for (let i = 1; i < 5000; i++) rows.push({ key: `k${i}` })
    const replies = await runBatch(ns, batchField(rows))
    assert.equal(replies.length, 5001)
    assert.ok(replies.slice(0, 5000).every((m, i) => m.transactionTtl === i && m.resultCode === 0))
    assert.equal(ns.objects, 5000)
  })

  it('refuses malformed batches with one LAST message carrying the error', async () => {
    const ns = makeNamespace()
    const repeatFirst = batchField([{ key: 'a' }])
    const truncated = batchField([{ key: 'a', kind: 'read' }]).subarray(0, 20)
    const badType = batchField([{ key: 'a', kind: 'read' }])
    badType[4 + 1 + 4 + 20] = 0x40
    const tooMany = Buffer.alloc(5)
    tooMany.writeUInt32BE(limits.maxBatchRows + 1)
    for (const [payload, code] of [[repeatFirst, 4], [truncated, 4], [badType, 4], [tooMany, ResultCode.BATCH_MAX_REQUESTS]] as const) {
      const replies = await runBatch(ns, payload)
      assert.equal(replies.length, 1)
      assert.equal(replies[0]!.info3 & Info3.LAST, Info3.LAST)
      assert.equal(replies[0]!.resultCode, code)
    }
  })

  it('never crashes on random payloads or random corruptions of a valid one', async () => {
    const ns = makeNamespace()
    const valid = batchField([{ key: 'a', kind: 'write' }, { key: 'b' }, { key: 'a', kind: 'read' }, { key: 'a', kind: 'delete' }])
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([at, b]) => {
            const copy = Buffer.from(valid)
            copy[at] = b
            return copy
          }),
        ),
        async (payload) => {
          const replies = await runBatch(ns, payload)
          const last = replies.at(-1)!
          assert.equal(last.info3 & Info3.LAST, Info3.LAST)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('runs rows answered later (proxied) side by side, a bounded number at once, and one record\'s rows in row order', async () => {
    const ns = makeNamespace()
    const rows: Row[] = Array.from({ length: 3 * limits.batchRowsWaitingAtOnce }, (_, i) => ({ key: i % 10 === 0 ? 'same' : `k${i}`, kind: 'read' }))
    const batch = parseBatch(decodeMessage(encodeMessage({ ...emptyHeader(), info1: Info1.BATCH }, [{ type: FieldType.BATCH_INDEX, data: batchField(rows) }])))
    const pending: Array<{ digest: string; answer: (reply: CommandReply) => void }> = []
    let mostAtOnce = 0
    let sameRunning = 0
    const execute = (message: Message): { later: Promise<CommandReply> } => {
      const digest = message.fields.find((f) => f.type === FieldType.DIGEST)!.data.toString('hex')
      if (digest === digestOf('same').toString('hex')) assert.equal(sameRunning++, 0, 'a row of the record ran while an earlier one waited')
      mostAtOnce = Math.max(mostAtOnce, pending.length + 1)
      return { later: new Promise((resolve) => pending.push({ digest, answer: resolve })) }
    }
    // Answers the waiting rows newest first, as replies from several masters may come back.
    const answering = setInterval(() => {
      const row = pending.pop()
      if (row === undefined) return
      if (row.digest === digestOf('same').toString('hex')) sameRunning--
      row.answer({ reply: headerReply(ResultCode.OK) })
    }, 1)
    try {
      const frames: Buffer[] = []
      for await (const frame of streamBatch(batch, commandsOf(ns), execute as never, () => false)) frames.push(frame)
      const indexes = frames.flatMap((frame) => {
        const out: number[] = []
        const body = frame.subarray(PROTO_HEADER_BYTES)
        for (let at = 0; at < body.length; ) {
          const { message, end } = decodeMessageAt(body, at)
          if ((message.info3 & Info3.LAST) === 0) out.push(message.transactionTtl)
          at = end
        }
        return out
      })
      assert.deepEqual([...indexes].sort((a, b) => a - b), rows.map((_, i) => i), 'every row answered once')
      assert.ok(mostAtOnce <= limits.batchRowsWaitingAtOnce && mostAtOnce > 1, `rows waiting at once: ${mostAtOnce}`)
    } finally {
      clearInterval(answering)
    }
  })
})
