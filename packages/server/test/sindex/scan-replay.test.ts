// Replays /work/shared/vectors/10_scan.jsonl (recorded against Aerospike CE 8.1) against a fresh node.
// Single-record replies must match byte for byte (void time and transaction ttl masked, as in
// test/wire/vectors-replay). A scan's reply is a stream whose framing and record order depend on the
// real server's threads, so it is compared message by message: the same record messages (as a
// multiset, void time masked) and the same final LAST message.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startServer } from '@aerolite/server'
import { Info3, MESSAGE_HEADER_BYTES, PROTO_HEADER_BYTES, ProtoType, decodeMessageAt } from '@aerolite/protocol'
import { WireConn } from '../../../../test/wire/wire-helpers.ts'

const VECTORS = fileURLToPath(new URL('../../../../../shared/vectors/10_scan.jsonl', import.meta.url))

interface VectorLine {
  dir: 'c2s' | 's2c'
  hex: string
  note: string
  conn: number
  seq: number
  tend_info: boolean
}

/** The AS_MSG messages of a type-3 frame body, each with record_ttl and transaction_ttl zeroed. */
function messagesOf(body: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0; at < body.length; ) {
    const { end } = decodeMessageAt(body, at)
    const copy = Buffer.from(body.subarray(at, end))
    copy.fill(0, 10, 18)
    out.push(copy)
    at = end
  }
  return out
}

const isLast = (message: Buffer): boolean => (message[3]! & Info3.LAST) !== 0
const isScan = (request: Buffer): boolean => request.length > PROTO_HEADER_BYTES + MESSAGE_HEADER_BYTES && (request[PROTO_HEADER_BYTES + 3]! & Info3.PARTITION_DONE) !== 0

test('replay 10_scan.jsonl', { skip: existsSync(VECTORS) ? false : `no ${VECTORS}`, timeout: 15_000 }, async () => {
  const lines = (readFileSync(VECTORS, 'utf8').split('\n').filter((l) => l.trim().length > 0).map((l) => JSON.parse(l)) as VectorLine[])
    .filter((l) => !l.tend_info && Buffer.from(l.hex, 'hex')[1] === ProtoType.MESSAGE)
  const server = await startServer({ port: 0, logLevel: 'silent' })
  const conn = await WireConn.open(server)
  let compared = 0
  try {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!
      if (line.dir !== 'c2s') continue
      const request = Buffer.from(line.hex, 'hex')
      // The recorded reply: every s2c frame up to the next request.
      const recorded: Buffer[] = []
      for (let j = i + 1; j < lines.length && lines[j]!.dir === 's2c'; j++) recorded.push(...messagesOf(Buffer.from(lines[j]!.hex, 'hex').subarray(PROTO_HEADER_BYTES)))
      conn.send(request)
      const actual: Buffer[] = []
      do {
        const frame = await conn.nextFrame()
        assert.equal(frame.type, ProtoType.MESSAGE, `seq ${line.seq}: reply type`)
        actual.push(...messagesOf(frame.body))
      } while (isScan(request) && !isLast(actual[actual.length - 1]!))
      if (isScan(request)) {
        const sorted = (list: Buffer[]): string[] => list.slice(0, -1).map((m) => m.toString('hex')).sort()
        assert.deepEqual(sorted(actual), sorted(recorded), `seq ${line.seq} (${line.note}): record messages`)
        assert.deepEqual(actual[actual.length - 1], recorded[recorded.length - 1], `seq ${line.seq}: LAST message`)
      } else {
        assert.deepEqual(actual, recorded, `seq ${line.seq} (${line.note}): reply`)
      }
      compared++
    }
  } finally {
    conn.close()
    await server.stop()
  }
  assert.equal(compared, 22, 'every request of the trace was replayed')
})
