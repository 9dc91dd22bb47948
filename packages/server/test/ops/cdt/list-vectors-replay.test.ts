// Replays the list trace recorded against Aerospike CE 8.1 (07_list_ops.jsonl) against a fresh node
// and compares every reply byte for byte, masking only record_ttl (a clock-dependent void time)
// and transaction_ttl, as the vectors README says.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startServer } from '@aerolite/server'
import { PROTO_HEADER_BYTES } from '@aerolite/protocol'
import { WireConn } from '../../../../../test/wire/wire-helpers.ts'

const VECTORS = fileURLToPath(new URL('../../../../../../shared/vectors/07_list_ops.jsonl', import.meta.url))

interface VectorLine {
  dir: 'c2s' | 's2c'
  hex: string
  note: string
  conn: number
  seq: number
}

// record_ttl and transaction_ttl: 8 bytes starting 10 bytes into the message header.
const MASK_FROM = PROTO_HEADER_BYTES + 10
const MASK_TO = PROTO_HEADER_BYTES + 18

function masked(frame: Buffer): string {
  const copy = Buffer.from(frame)
  if (copy.length >= MASK_TO) copy.fill(0, MASK_FROM, MASK_TO)
  return copy.toString('hex')
}

test('replay 07_list_ops.jsonl', { skip: existsSync(VECTORS) ? false : `no ${VECTORS}`, timeout: 15_000 }, async () => {
  const lines = readFileSync(VECTORS, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as VectorLine)
  const server = await startServer({ port: 0, logLevel: 'silent' })
  const conns = new Map<number, WireConn>()
  const pending = new Map<number, Buffer[]>()
  let compared = 0
  try {
    for (const line of lines) {
      const frame = Buffer.from(line.hex, 'hex')
      if (line.dir === 'c2s') {
        let conn = conns.get(line.conn)
        if (conn === undefined) {
          conn = await WireConn.open(server)
          conns.set(line.conn, conn)
        }
        const reply = await conn.request(frame)
        const whole = Buffer.alloc(PROTO_HEADER_BYTES + reply.body.length)
        whole[0] = 2
        whole[1] = reply.type
        whole.writeUIntBE(reply.body.length, 2, 6)
        reply.body.copy(whole, PROTO_HEADER_BYTES)
        pending.set(line.conn, [...(pending.get(line.conn) ?? []), whole])
        continue
      }
      const ours = pending.get(line.conn)?.shift()
      assert.ok(ours !== undefined, `s2c seq ${line.seq} has no request before it`)
      assert.equal(masked(ours), masked(frame), `reply to "${line.note}" (seq ${line.seq})`)
      compared++
    }
  } finally {
    for (const conn of conns.values()) conn.close()
    await server.stop()
  }
  assert.ok(compared >= 8, `${compared} replies compared`)
})
