// Raw-socket helpers for the wire tests: a framed connection with bounded waits, request builders
// for single-record messages, and a health probe (status + put/get round trip on a new socket).
import { connect, type Socket } from 'node:net'
import assert from 'node:assert/strict'
import { inflateSync } from 'node:zlib'
import {
  FieldType, FrameParser, Info1, Info2, OpType, ParticleType, ProtoType, computeDigest, decodeMessage,
  encodeFrame, encodeMessage, emptyHeader, integerParticle, parseInfoResponse,
  type Field, type Frame, type Message, type MessageHeader, type OutOp,
} from '@aerolite/protocol'

/** Longest any single wait in these tests may take. */
export const WAIT_MS = 3000

export interface Endpoint {
  host: string
  port: number
}

/** A client socket that collects whole frames and remembers whether (and how) it was closed. */
export class WireConn {
  readonly socket: Socket
  private readonly parser = new FrameParser(256 * 1024 * 1024)
  private readonly frames: Frame[] = []
  private waiters: Array<() => void> = []
  closed = false
  /** Bytes received that did not form a valid frame header (e.g. an HTTP answer). */
  parseError: Error | undefined

  private constructor(socket: Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => {
      try {
        this.frames.push(...this.parser.push(chunk))
      } catch (err) {
        this.parseError = err as Error
      }
      this.wake()
    })
    socket.on('error', () => { /* a reset counts as a close */ })
    socket.on('close', () => {
      this.closed = true
      this.wake()
    })
  }

  static open(ep: Endpoint, timeoutMs = WAIT_MS): Promise<WireConn> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: ep.host, port: ep.port, noDelay: true })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`connect to ${ep.host}:${ep.port} timed out`))
      }, timeoutMs)
      socket.once('connect', () => {
        clearTimeout(timer)
        resolve(new WireConn(socket))
      })
      socket.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
    })
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  /** Resolves when cond() holds or the connection closes or times out; returns cond()'s last value. */
  private async waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (!cond()) {
      if (this.closed) return cond()
      const left = deadline - Date.now()
      if (left <= 0) return false
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    return true
  }

  send(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes)
  }

  /** The next frame; throws if none arrives within the timeout or the server closes first. */
  async nextFrame(timeoutMs = WAIT_MS): Promise<Frame> {
    const ok = await this.waitFor(() => this.frames.length > 0, timeoutMs)
    if (!ok) throw new Error(this.closed ? 'connection closed before a reply arrived' : `no reply within ${timeoutMs} ms`)
    return this.frames.shift()!
  }

  /** The next frame, or undefined if the connection closes (or nothing arrives) first. */
  async nextFrameOrClose(timeoutMs = WAIT_MS): Promise<Frame | undefined> {
    await this.waitFor(() => this.frames.length > 0, timeoutMs)
    return this.frames.shift()
  }

  /** True if the server closed the connection within the timeout. */
  async waitClose(timeoutMs = WAIT_MS): Promise<boolean> {
    return this.waitFor(() => this.closed, timeoutMs)
  }

  async request(frame: Buffer, timeoutMs = WAIT_MS): Promise<Frame> {
    this.send(frame)
    return this.nextFrame(timeoutMs)
  }

  /** Sends an info request and returns the raw reply text. */
  async infoText(text: string): Promise<string> {
    const frame = await this.request(encodeFrame(ProtoType.INFO, Buffer.from(text, 'utf8')))
    assert.equal(frame.type, ProtoType.INFO, 'an info request gets a type-1 reply')
    return frame.body.toString('utf8')
  }

  async info(...commands: string[]): Promise<Map<string, string>> {
    return parseInfoResponse(await this.infoText(commands.map((c) => `${c}\n`).join('')))
  }

  /** Sends an AS_MSG and decodes the (possibly compressed) reply. */
  async message(frame: Buffer): Promise<Message> {
    return decodeReply(await this.request(frame))
  }

  close(): void {
    this.socket.destroy()
  }
}

/** Decodes a type-3 reply, inflating a type-4 one first. */
export function decodeReply(frame: Frame): Message {
  if (frame.type === ProtoType.COMPRESSED) return decodeMessage(inflateCompressed(frame.body).subarray(8))
  assert.equal(frame.type, ProtoType.MESSAGE, `expected a type-3 reply, got type ${frame.type}`)
  return decodeMessage(frame.body)
}

/** Inflates a type-4 body to the inner frame (8-byte header included), checking its declared size. */
export function inflateCompressed(body: Buffer): Buffer {
  const declared = Number(body.readBigUInt64BE(0))
  const inner = inflateSync(body.subarray(8))
  assert.equal(inner.length, declared, 'inflated size equals the declared size')
  assert.equal(inner[0], 2, 'inner proto version')
  assert.equal(inner[1], ProtoType.MESSAGE, 'inner proto type')
  assert.equal(inner.readUIntBE(2, 6) + 8, inner.length, 'inner header size matches')
  return inner
}

// --- request builders --------------------------------------------------------------------------

export interface KeySpec {
  ns?: string
  set?: string
  /** A string user key; the digest is computed from it. */
  key: string
}

export function stringKeyField(key: string): Field {
  return { type: FieldType.KEY, data: Buffer.concat([Buffer.of(ParticleType.STRING), Buffer.from(key, 'utf8')]) }
}

/** NAMESPACE, SET, DIGEST (and KEY) fields, as the official clients send them. */
export function keyFields(spec: KeySpec, sendKey = true): Field[] {
  const set = spec.set ?? 'wire'
  const fields: Field[] = [
    { type: FieldType.NAMESPACE, data: Buffer.from(spec.ns ?? 'test', 'utf8') },
    { type: FieldType.SET, data: Buffer.from(set, 'utf8') },
    { type: FieldType.DIGEST, data: computeDigest(set, ParticleType.STRING, Buffer.from(spec.key, 'utf8')) },
  ]
  if (sendKey) fields.push(stringKeyField(spec.key))
  return fields
}

export function header(patch: Partial<MessageHeader>): MessageHeader {
  return { ...emptyHeader(), transactionTtl: 1000, ...patch }
}

export function messageFrame(head: Partial<MessageHeader>, fields: readonly Field[], ops: readonly OutOp[] = []): Buffer {
  return encodeFrame(ProtoType.MESSAGE, encodeMessage(header(head), fields, ops))
}

export function writeOp(name: string, particleType: number, value: Buffer): OutOp {
  return { type: OpType.WRITE, particleType, name, value }
}

export function putFrame(spec: KeySpec, ops: readonly OutOp[], head: Partial<MessageHeader> = {}): Buffer {
  return messageFrame({ info2: Info2.WRITE, ...head }, keyFields(spec), ops)
}

export function getFrame(spec: KeySpec, head: Partial<MessageHeader> = {}): Buffer {
  return messageFrame({ info1: Info1.READ | Info1.GET_ALL, ...head }, keyFields(spec))
}

export function deleteFrame(spec: KeySpec): Buffer {
  return messageFrame({ info2: Info2.WRITE | Info2.DELETE }, keyFields(spec))
}

/** The bins of a read reply, by name. */
export function binsOf(message: Message): Map<string, { particleType: number; value: Buffer }> {
  const out = new Map<string, { particleType: number; value: Buffer }>()
  for (const op of message.ops) out.set(op.name.toString('utf8'), { particleType: op.particleType, value: op.value })
  return out
}

// --- health -----------------------------------------------------------------------------------

let healthSeq = 0

/** A fresh connection gets `status\tok\n` and a put/get/delete round trip of a random record. */
export async function assertHealthy(ep: Endpoint): Promise<void> {
  const conn = await WireConn.open(ep)
  try {
    assert.equal(await conn.infoText('status\n'), 'status\tok\n')
    const spec = { key: `health-${process.pid}-${++healthSeq}-${Math.random().toString(36).slice(2)}` }
    const n = BigInt(Math.floor(Math.random() * 1e9))
    const put = await conn.message(putFrame(spec, [writeOp('n', ParticleType.INTEGER, integerParticle(n)), writeOp('s', ParticleType.STRING, Buffer.from(spec.key))]))
    assert.equal(put.resultCode, 0, 'health put succeeds')
    assert.equal(put.generation, 1, 'health put creates generation 1')
    const got = await conn.message(getFrame(spec))
    assert.equal(got.resultCode, 0, 'health get succeeds')
    const bins = binsOf(got)
    assert.equal(bins.get('n')?.value.readBigInt64BE(0), n)
    assert.equal(bins.get('s')?.value.toString('utf8'), spec.key)
    const del = await conn.message(deleteFrame(spec))
    assert.equal(del.resultCode, 0, 'health delete succeeds')
  } finally {
    conn.close()
  }
}

/** Node-wide `statistics` as a map, read on a new connection. */
export async function statistics(ep: Endpoint): Promise<Map<string, string>> {
  const conn = await WireConn.open(ep)
  try {
    const value = (await conn.info('statistics')).get('statistics') ?? ''
    const out = new Map<string, string>()
    for (const pair of value.split(';')) {
      const eq = pair.indexOf('=')
      if (eq > 0) out.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    return out
  } finally {
    conn.close()
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
