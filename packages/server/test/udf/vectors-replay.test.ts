// Replays the UDF trace recorded against Aerospike CE 8.1 (12_udf.jsonl: udf-put, udf-list polling,
// apply add_bins / echo / a missing function, get, remove, udf-remove) against a fresh node and
// compares every reply: info values exactly (the udf-list hash too) except the node name and map
// generations; messages byte for byte except record_ttl and transaction_ttl.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startServer } from '@aerolite/server'
import { PROTO_HEADER_BYTES, ProtoType } from '@aerolite/protocol'
import { WireConn } from '../../../../test/wire/wire-helpers.ts'

const VECTORS = fileURLToPath(new URL('../../../../../shared/vectors/', import.meta.url))
const FILE = `${VECTORS}12_udf.jsonl`
/** Info values that legitimately differ between nodes. */
const MASKED_INFO = new Set(['node', 'peers-generation', 'partition-generation'])
const RECORD_TTL_AT = PROTO_HEADER_BYTES + 10
const TRANSACTION_TTL_END = PROTO_HEADER_BYTES + 18

interface VectorLine {
  dir: 'c2s' | 's2c'
  hex: string
  note: string
  conn: number
  seq: number
}

function infoRows(body: Buffer): Array<[string, string]> {
  return body.toString('utf8').split('\n').filter((r) => r.length > 0).map((row) => {
    const tab = row.indexOf('\t')
    return tab < 0 ? [row, ''] : [row.slice(0, tab), row.slice(tab + 1)]
  })
}

function maskedMessage(frame: Buffer): Buffer {
  const copy = Buffer.from(frame)
  copy.fill(0, RECORD_TTL_AT, TRANSACTION_TTL_END)
  return copy
}

test('replay 12_udf.jsonl', { skip: existsSync(FILE) ? false : `no ${FILE}`, timeout: 15_000 }, async () => {
  const lines = readFileSync(FILE, 'utf8').split('\n').filter((l) => l.trim().length > 0).map((l) => JSON.parse(l) as VectorLine)
  const server = await startServer({ port: 0, logLevel: 'silent' })
  const conns = new Map<number, WireConn>()
  const pending = new Map<number, Buffer[]>()
  const differences: string[] = []
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
        const whole = Buffer.concat([frame.subarray(0, 2), Buffer.alloc(6), reply.body])
        whole.writeUIntBE(reply.body.length, 2, 6)
        whole[1] = reply.type
        pending.set(line.conn, [...(pending.get(line.conn) ?? []), whole])
        continue
      }
      const ours = pending.get(line.conn)?.shift()
      assert.ok(ours !== undefined, `s2c seq ${line.seq} has no request before it`)
      compared++
      const where = `seq ${line.seq} (${line.note})`
      if (frame[1] === ProtoType.INFO) {
        const recorded = infoRows(frame.subarray(PROTO_HEADER_BYTES))
        const actual = infoRows(ours.subarray(PROTO_HEADER_BYTES))
        assert.equal(actual.length, recorded.length, `${where}: number of info rows`)
        recorded.forEach(([name, value], i) => {
          const [ourName, ourValue] = actual[i]!
          if (ourName !== name) differences.push(`${where}: row ${i} is ${ourName}, recorded ${name}`)
          else if (!MASKED_INFO.has(name) && ourValue !== value) differences.push(`${where}: ${name.slice(0, 40)} = ${ourValue.slice(0, 120)}, recorded ${value.slice(0, 120)}`)
        })
      } else if (!maskedMessage(frame).equals(maskedMessage(ours))) {
        differences.push(`${where}: recorded ${line.hex}, actual ${ours.toString('hex')}`)
      }
    }
  } finally {
    for (const conn of conns.values()) conn.close()
    await server.stop()
  }
  assert.ok(compared >= 10, 'the trace has replies to compare')
  assert.deepEqual(differences, [])
})
