// Replays the batch trace recorded against Aerospike CE 8.1 (09_batch_get.jsonl) against a fresh
// node and compares every reply message: batchGet, batchExists and batchSelect rows (with their row
// index in transaction_ttl), then the LAST message. Frame boundaries may differ (both servers pack
// several messages per frame), so messages are compared, not frames; record_ttl is a clock-dependent
// void time and is compared as zero / non-zero only.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startServer } from '@aerolite/server'
import { Info1, Info3, PROTO_HEADER_BYTES, ProtoType, decodeMessageAt, type Message } from '@aerolite/protocol'
import { WireConn } from '../../../../test/wire/wire-helpers.ts'

const VECTORS = fileURLToPath(new URL('../../../../../shared/vectors/09_batch_get.jsonl', import.meta.url))

interface VectorLine {
  dir: 'c2s' | 's2c'
  hex: string
  note: string
  conn: number
  tend_info: boolean
}

function messagesOf(frameBody: Buffer): Message[] {
  const out: Message[] = []
  for (let at = 0; at < frameBody.length; ) {
    const { message, end } = decodeMessageAt(frameBody, at)
    out.push(message)
    at = end
  }
  return out
}

/** Everything a client sees of a reply message, with the void time reduced to zero / non-zero. */
function comparable(m: Message): unknown {
  return {
    info3: m.info3, resultCode: m.resultCode, generation: m.generation, expires: m.recordTtl !== 0, rowIndex: m.transactionTtl,
    fields: m.fields.map((f) => [f.type, f.data.toString('hex')]),
    ops: m.ops.map((o) => [o.type, o.particleType, o.name.toString(), o.value.toString('hex')]),
  }
}

test('replay 09_batch_get.jsonl', { skip: existsSync(VECTORS) ? false : `no ${VECTORS}`, timeout: 20_000 }, async () => {
  const lines = readFileSync(VECTORS, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as VectorLine)
    .filter((l) => !l.tend_info && Buffer.from(l.hex, 'hex')[1] !== ProtoType.INFO)
  const server = await startServer({ port: 0, logLevel: 'silent' })
  const conn = await WireConn.open(server)
  let batches = 0
  try {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!
      if (line.dir !== 'c2s') continue
      const request = Buffer.from(line.hex, 'hex')
      const isBatch = (request[PROTO_HEADER_BYTES + 1]! & Info1.BATCH) !== 0
      const recorded: Message[] = []
      for (let j = i + 1; j < lines.length && lines[j]!.dir === 's2c'; j++) recorded.push(...messagesOf(Buffer.from(lines[j]!.hex, 'hex').subarray(PROTO_HEADER_BYTES)))
      conn.send(request)
      const ours: Message[] = []
      do {
        const frame = await conn.nextFrame()
        ours.push(...messagesOf(frame.body))
      } while (isBatch && (ours.at(-1)!.info3 & Info3.LAST) === 0)
      assert.deepEqual(ours.map(comparable), recorded.map(comparable), `reply to "${line.note}"`)
      if (isBatch) batches++
    }
  } finally {
    conn.close()
    await server.stop()
  }
  assert.equal(batches, 3, 'batchGet, batchExists and batchSelect replayed')
})
