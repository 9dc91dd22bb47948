// Replaying the golden wire traces recorded against Aerospike CE 8.1 (../shared/vectors/*.jsonl,
// /work/shared/vectors here) against a fresh Aerolite node. Each test keeps what is its own: which
// trace, which lines, and how a reply is compared (which bytes are masked); this file reads the
// trace, runs the node, sends the requests and collects the replies.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { startServer, type EmbeddedServer } from '@aerolite/server'
import { Info3, PROTO_HEADER_BYTES, ProtoType, decodeMessageAt, encodeFrame, type Frame } from '@aerolite/protocol'
import { skipUnlessCi } from '../vectors-required.ts'
import { WireConn } from './wire-helpers.ts'

/** The folder of the traces; absent outside the machine that holds the shared vectors. */
export const VECTORS = fileURLToPath(new URL('../../../shared/vectors/', import.meta.url))

/** One line of a trace: a frame as sent, by the client (c2s) or by the server (s2c). */
export interface VectorLine {
  dir: 'c2s' | 's2c'
  hex: string
  note: string
  conn: number
  seq: number
  /** Sent by the client's cluster tending, not by the call under test. */
  tend_info: boolean
}

/** The `skip` option of a test that replays trace `name`: a reason when it is absent (outside CI), else false. */
export function traceSkip(name: string): string | false {
  if (!existsSync(VECTORS)) return skipUnlessCi(`no vectors folder at ${VECTORS}`)
  return existsSync(`${VECTORS}${name}.jsonl`) ? false : skipUnlessCi(`no ${name}.jsonl in ${VECTORS}`)
}

export function readTrace(name: string): VectorLine[] {
  return readFileSync(`${VECTORS}${name}.jsonl`, 'utf8').split('\n').filter((l) => l.trim().length > 0).map((l) => JSON.parse(l) as VectorLine)
}

/** The proto type of a line's frame (second byte of the proto header). */
export function protoTypeOf(line: VectorLine): number {
  return Buffer.from(line.hex, 'hex')[1]!
}

// record_ttl (a void time, which depends on the clock) and transaction_ttl: bytes 10-17 of a message header.
const TTLS_FROM = 10
const TTLS_TO = 18

/**
 * A copy of a message (its header at `messageAt`: after the proto header by default) with
 * record_ttl and transaction_ttl zeroed; one too short to have them is copied as it is.
 */
export function maskTtls(bytes: Buffer, messageAt = PROTO_HEADER_BYTES): Buffer {
  const copy = Buffer.from(bytes)
  if (copy.length >= messageAt + TTLS_TO) copy.fill(0, messageAt + TTLS_FROM, messageAt + TTLS_TO)
  return copy
}

/** The rows of an info reply body as [command line, value] pairs. */
export function infoRows(body: Buffer): Array<[string, string]> {
  return body.toString('utf8').split('\n').filter((r) => r.length > 0).map((row) => {
    const tab = row.indexOf('\t')
    return tab < 0 ? [row, ''] : [row.slice(0, tab), row.slice(tab + 1)]
  })
}

async function withNode<T>(run: (server: EmbeddedServer) => Promise<T>): Promise<T> {
  const server = await startServer({ port: 0, logLevel: 'silent' })
  try {
    return await run(server)
  } finally {
    await server.stop()
  }
}

/** A recorded reply and ours, both whole frames (proto header included). */
export interface RepliedLine {
  /** The s2c line. */
  line: VectorLine
  recorded: Buffer
  actual: Buffer
  /** Date.now() when our reply arrived. */
  receivedAtMs: number
}

/**
 * Replays request by request on as many connections as the trace used: each c2s frame is sent on
 * its connection and one reply frame read; each s2c line is handed to `compare` with the reply our
 * node gave to the request before it on that connection.
 */
export async function replayInLockstep(lines: readonly VectorLine[], compare: (reply: RepliedLine) => void): Promise<{ compared: number; connections: number }> {
  return withNode(async (server) => {
    const conns = new Map<number, WireConn>()
    /** Our replies per recorded connection, waiting for the next s2c line. */
    const replies = new Map<number, Array<{ frame: Buffer; receivedAtMs: number }>>()
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
          const queue = replies.get(line.conn) ?? []
          queue.push({ frame: encodeFrame(reply.type, reply.body), receivedAtMs: Date.now() })
          replies.set(line.conn, queue)
          continue
        }
        const ours = replies.get(line.conn)?.shift()
        assert.ok(ours !== undefined, `s2c seq ${line.seq} on conn ${line.conn} has no request before it`)
        compared++
        compare({ line, recorded: frame, actual: ours.frame, receivedAtMs: ours.receivedAtMs })
      }
    } finally {
      for (const conn of conns.values()) conn.close()
    }
    return { compared, connections: conns.size }
  })
}

/** A request of the trace with every s2c frame recorded after it, and the frames our node answered. */
export interface Exchange {
  /** The c2s line. */
  line: VectorLine
  request: Buffer
  /** Bodies of the s2c frames up to the next request. */
  recorded: Buffer[]
  /** Our reply: one frame, or for a streamed reply every frame up to its LAST message. */
  actual: Frame[]
}

/**
 * Replays the requests one after the other on one connection. A request for which `streams` is
 * true gets a stream of type-3 frames that ends with a message flagged LAST, and is read to its end,
 * whose framing may differ from the recording's; any other request gets one frame.
 */
export async function replayInTurn(lines: readonly VectorLine[], streams: (request: Buffer) => boolean, compare: (exchange: Exchange) => void): Promise<void> {
  await withNode(async (server) => {
    const conn = await WireConn.open(server)
    try {
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!
        if (line.dir !== 'c2s') continue
        const request = Buffer.from(line.hex, 'hex')
        const recorded: Buffer[] = []
        for (let j = i + 1; j < lines.length && lines[j]!.dir === 's2c'; j++) recorded.push(Buffer.from(lines[j]!.hex, 'hex').subarray(PROTO_HEADER_BYTES))
        conn.send(request)
        const streamed = streams(request)
        const actual: Frame[] = []
        let frame: Frame
        do {
          frame = await conn.nextFrame()
          actual.push(frame)
        } while (streamed && frame.type === ProtoType.MESSAGE && !endsWithLast(frame.body))
        compare({ line, request, recorded, actual })
      }
    } finally {
      conn.close()
    }
  })
}

/** Whether the last message of a type-3 body is flagged LAST (an empty body ends nothing). */
function endsWithLast(body: Buffer): boolean {
  let lastAt = -1
  for (let at = 0; at < body.length; ) {
    lastAt = at
    at = decodeMessageAt(body, at).end
  }
  return lastAt >= 0 && (body[lastAt + 3]! & Info3.LAST) !== 0
}
