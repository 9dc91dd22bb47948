// The fabric: payload codec, frame codec, and Fabric instances talking over loopback sockets.
import { afterEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { connect, type Socket } from 'node:net'
import fc from 'fast-check'
import { pino, type Logger } from 'pino'
import { PROTO_HEADER_BYTES, encodeProtoHeader, type Env, type NetSocket, type Network } from '@aerolite/protocol'
import { FabricCodecError, PayloadReader, PayloadWriter } from '../../src/cluster/fabric/codec.ts'
import { FabricError, type FabricErrorCode } from '../../src/cluster/fabric/errors.ts'
import { Fabric, type FabricTuning } from '../../src/cluster/fabric/fabric.ts'
import {
  FABRIC_FRAME_OVERHEAD_BYTES, FABRIC_HEADER_BYTES, FABRIC_PROTO_TYPE, FabricFrameError, FabricFrameParser, decodeFabricFrame, encodeFabricFrame,
  type FabricFrame, type FabricHeader,
} from '../../src/cluster/fabric/frame.ts'
import { makeView, type Endpoint, type MemberInfo, type View } from '../../src/cluster/view.ts'
import { manualEnv, type ManualEnv } from '../../src/env/manual-env.ts'
import { realEnv } from '../../src/env/real-env.ts'
import { realNetwork } from '../../src/env/real-network.ts'
import { SimNetwork } from '../../src/env/sim-network.ts'

// ---------------------------------------------------------------------------------------------
// Payload codec

type Field =
  | { kind: 'u8' | 'u16' | 'u32' | 'f64'; value: number }
  | { kind: 'u64'; value: bigint }
  | { kind: 'u64n'; value: number }
  | { kind: 'bytes' | 'raw'; value: Uint8Array }
  | { kind: 'string'; value: string }

const fieldArb: fc.Arbitrary<Field> = fc.oneof(
  fc.integer({ min: 0, max: 0xff }).map((value) => ({ kind: 'u8' as const, value })),
  fc.integer({ min: 0, max: 0xffff }).map((value) => ({ kind: 'u16' as const, value })),
  fc.integer({ min: 0, max: 0xffff_ffff }).map((value) => ({ kind: 'u32' as const, value })),
  fc.double().map((value) => ({ kind: 'f64' as const, value })),
  fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }).map((value) => ({ kind: 'u64' as const, value })),
  fc.maxSafeNat().map((value) => ({ kind: 'u64n' as const, value })),
  fc.uint8Array({ maxLength: 300 }).map((value) => ({ kind: 'bytes' as const, value })),
  fc.uint8Array({ maxLength: 40 }).map((value) => ({ kind: 'raw' as const, value })),
  fc.string({ unit: 'grapheme', maxLength: 50 }).map((value) => ({ kind: 'string' as const, value })),
)

function writeFields(fields: readonly Field[], writer = new PayloadWriter(1)): Buffer {
  for (const f of fields) {
    switch (f.kind) {
      case 'u8': writer.u8(f.value); break
      case 'u16': writer.u16(f.value); break
      case 'u32': writer.u32(f.value); break
      case 'f64': writer.f64(f.value); break
      case 'u64': writer.u64(f.value); break
      case 'u64n': writer.u64(f.value); break
      case 'bytes': writer.bytes(f.value); break
      case 'raw': writer.raw(f.value); break
      case 'string': writer.string(f.value); break
    }
  }
  return writer.finish()
}

function readFields(kinds: readonly Field[], reader: PayloadReader): Field[] {
  return kinds.map((f): Field => {
    switch (f.kind) {
      case 'u8': return { kind: f.kind, value: reader.u8() }
      case 'u16': return { kind: f.kind, value: reader.u16() }
      case 'u32': return { kind: f.kind, value: reader.u32() }
      case 'f64': return { kind: f.kind, value: reader.f64() }
      case 'u64': return { kind: f.kind, value: reader.u64() }
      case 'u64n': return { kind: f.kind, value: reader.u64Number() }
      case 'bytes': return { kind: f.kind, value: new Uint8Array(reader.bytes()) }
      case 'raw': return { kind: f.kind, value: new Uint8Array(reader.raw(f.value.length)) }
      case 'string': return { kind: f.kind, value: reader.string() }
    }
  })
}

function codecError(pattern: RegExp): (err: unknown) => boolean {
  return (err) => err instanceof FabricCodecError && err.code === 'ERR_FABRIC_CODEC' && pattern.test(err.message)
}

describe('fabric payload codec', () => {
  test('any sequence of fields reads back as written, to the last byte', () => {
    fc.assert(fc.property(fc.array(fieldArb, { maxLength: 30 }), (fields) => {
      const reader = new PayloadReader(writeFields(fields))
      assert.deepEqual(readFields(fields, reader), fields)
      reader.end()
    }), { numRuns: 300 })
  })

  test('a payload cut anywhere short fails to read with a codec error, never a wrong value past its end', () => {
    fc.assert(fc.property(fc.array(fieldArb, { minLength: 1, maxLength: 10 }), fc.nat(), (fields, at) => {
      const payload = writeFields(fields)
      fc.pre(payload.length > 0)
      const cut = payload.subarray(0, at % payload.length)
      assert.throws(() => readFields(fields, new PayloadReader(cut)), codecError(/ends at byte \d+, before the/))
    }), { numRuns: 300 })
  })

  test('trailing bytes fail end()', () => {
    const reader = new PayloadReader(new PayloadWriter().u32(7).u8(1).finish())
    assert.equal(reader.u32(), 7)
    assert.throws(() => reader.end(), codecError(/1 bytes left after its last field/))
  })

  test('values out of range are refused by name and value', () => {
    const w = new PayloadWriter()
    assert.throws(() => w.u8(256), codecError(/^u8 value 256 is not an integer in 0\.\.255$/))
    assert.throws(() => w.u8(-1), codecError(/u8 value -1/))
    assert.throws(() => w.u16(0x10000), codecError(/u16 value 65536/))
    assert.throws(() => w.u32(1.5), codecError(/u32 value 1\.5/))
    assert.throws(() => w.u64(2n ** 64n), codecError(/u64 value 18446744073709551616/))
    assert.throws(() => w.u64(-1n), codecError(/u64 value -1/))
    assert.throws(() => w.u64(2 ** 53), codecError(/u64 value 9007199254740992/))
    assert.equal(w.length, 0, 'a refused value writes nothing')
  })

  test('a u64 beyond 2^53 is refused as a number but read as a bigint', () => {
    const payload = new PayloadWriter().u64(2n ** 60n).finish()
    assert.equal(new PayloadReader(payload).u64(), 2n ** 60n)
    assert.throws(() => new PayloadReader(payload).u64Number(), codecError(/beyond 2\^53/))
  })

  test('a length prefix larger than the payload is refused before anything is read past it', () => {
    const payload = Buffer.concat([new PayloadWriter().u32(0xffff_fff0).finish(), Buffer.from('abc')])
    assert.throws(() => new PayloadReader(payload).bytes(), codecError(/before the bytes of length 4294967280/))
    assert.throws(() => new PayloadReader(payload).string(), codecError(/before the string of length 4294967280/))
  })

  test('invalid UTF-8 is refused', () => {
    const payload = new PayloadWriter().bytes(Buffer.from([0xc3, 0x28])).finish()
    assert.throws(() => new PayloadReader(payload).string(), codecError(/not valid UTF-8/))
  })

  test('the writer stops at its byte limit and grows below it', () => {
    const w = new PayloadWriter(4, 64)
    w.raw(Buffer.alloc(60))
    assert.throws(() => w.u64(1), codecError(/payload of 68 bytes would exceed the limit of 64 bytes/))
    w.u32(9)
    assert.equal(w.finish().length, 64)
    assert.equal(new PayloadReader(w.finish()).raw(60).length, 60)
  })
})

// ---------------------------------------------------------------------------------------------
// Frames

const headerArb: fc.Arbitrary<FabricHeader> = fc.record({
  revision: fc.maxSafeNat(),
  clusterKey: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
  sender: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
  type: fc.integer({ min: 0, max: 255 }),
  kind: fc.constantFrom('one-way' as const, 'request' as const, 'reply' as const),
  requestId: fc.integer({ min: 1, max: 0xffff_ffff }),
}).map((h) => ({ ...h, requestId: h.kind === 'one-way' ? 0 : h.requestId }))

function plainFrame(f: FabricFrame): object {
  return { ...f, payload: f.payload.toString('hex') }
}

/** A frame body (after the proto header) with the given fields patched in. */
function body(patch: (b: Buffer) => void, payloadBytes = 0): Buffer {
  const frame = encodeFabricFrame({ revision: 1, clusterKey: 2n, sender: 3n, type: 4, requestId: 5, kind: 'request' }, Buffer.alloc(payloadBytes, 7))
  const b = frame.subarray(PROTO_HEADER_BYTES)
  patch(b)
  return b
}

function frameError(pattern: RegExp): (err: unknown) => boolean {
  return (err) => err instanceof FabricFrameError && err.code === 'ERR_FABRIC_FRAME' && pattern.test(err.message)
}

describe('fabric frames', () => {
  test('frames read back as written, whatever the split of the stream', () => {
    const frameArb = fc.tuple(headerArb, fc.uint8Array({ maxLength: 200 }))
    fc.assert(fc.property(fc.array(frameArb, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (specs, cutSeeds) => {
      const stream = Buffer.concat(specs.map(([h, p]) => encodeFabricFrame(h, Buffer.from(p))))
      const cuts = [...new Set(cutSeeds.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
      const parser = new FabricFrameParser(1024)
      const got: FabricFrame[] = []
      let prev = 0
      for (const cut of [...cuts, stream.length]) {
        got.push(...parser.push(stream.subarray(prev, cut)))
        prev = cut
      }
      assert.deepEqual(got.map(plainFrame), specs.map(([h, p]) => plainFrame({ ...h, payload: Buffer.from(p) })))
      assert.equal(parser.pendingBytes, 0)
    }), { numRuns: 200 })
  })

  test('one byte at a time', () => {
    const stream = Buffer.concat([
      encodeFabricFrame({ revision: 9, clusterKey: 1n, sender: 2n, type: 3, requestId: 0, kind: 'one-way' }, Buffer.from('hello')),
      encodeFabricFrame({ revision: 9, clusterKey: 1n, sender: 2n, type: 3, requestId: 77, kind: 'reply' }, Buffer.alloc(0)),
    ])
    const parser = new FabricFrameParser(1024)
    const got: FabricFrame[] = []
    for (let i = 0; i < stream.length; i++) got.push(...parser.push(stream.subarray(i, i + 1)))
    assert.deepEqual(got.map((f) => [f.kind, f.requestId, f.payload.toString()]), [['one-way', 0, 'hello'], ['reply', 77, '']])
  })

  test('the header layout is fixed: 8 + 30 bytes before the payload', () => {
    const frame = encodeFabricFrame({ revision: 0x0102, clusterKey: 0xaabbn, sender: 0xa1n, type: 7, requestId: 0x01020304, kind: 'request' }, Buffer.from([0xee]))
    assert.equal(FABRIC_FRAME_OVERHEAD_BYTES, 38)
    assert.equal(frame.toString('hex'), [
      '02', '46', '00000000001f', // version 2, type 'F', body 31 bytes
      '0000000000000102', '000000000000aabb', '00000000000000a1', '07', '01020304', '02', 'ee',
    ].join(''))
  })

  test('malformed fabric headers are refused with the reason', () => {
    assert.throws(() => decodeFabricFrame(Buffer.alloc(FABRIC_HEADER_BYTES - 1)), frameError(/29 bytes is shorter than its 30-byte header/))
    for (const flags of [0, 3, 8, 0x82]) {
      assert.throws(() => decodeFabricFrame(body((b) => b.writeUInt8(flags, 29))), frameError(/flags .* are not exactly one of/), `flags ${flags}`)
    }
    assert.throws(() => decodeFabricFrame(body((b) => b.writeUInt32BE(0, 25))), frameError(/fabric request frame with request id 0/))
    assert.throws(() => decodeFabricFrame(body((b) => b.writeUInt8(1, 29))), frameError(/fabric one-way frame with request id 5/))
    assert.throws(() => decodeFabricFrame(body((b) => b.writeBigUInt64BE(2n ** 53n, 0))), frameError(/revision 9007199254740992 is beyond 2\^53/))
    assert.equal(decodeFabricFrame(body(() => {}, 3)).payload.length, 3)
  })

  test('a wrong proto type or version, or a size over the limit, is refused at the header', () => {
    const clientHeader = encodeProtoHeader(3, 10)
    assert.throws(() => new FabricFrameParser(1024).push(clientHeader), frameError(/unknown proto type 3/))
    const v1 = encodeProtoHeader(FABRIC_PROTO_TYPE, 40)
    v1[0] = 1
    assert.throws(() => new FabricFrameParser(1024).push(v1), frameError(/unsupported proto version 1/))
    // The size alone is refused: no body has arrived, none is buffered.
    assert.throws(() => new FabricFrameParser(1024).push(encodeProtoHeader(FABRIC_PROTO_TYPE, FABRIC_HEADER_BYTES + 1025)), frameError(/1055 bytes exceeds the limit of 1054/))
    assert.equal(new FabricFrameParser(1024).push(encodeFabricFrame({ revision: 1, clusterKey: 1n, sender: 1n, type: 1, requestId: 0, kind: 'one-way' }, Buffer.alloc(1024))).length, 1)
  })

  test('headers that could not be decoded are not encoded', () => {
    const base: FabricHeader = { revision: 1, clusterKey: 1n, sender: 1n, type: 1, requestId: 0, kind: 'one-way' }
    assert.throws(() => encodeFabricFrame({ ...base, requestId: 3 }, Buffer.alloc(0)), /one-way message cannot have request id 3/)
    assert.throws(() => encodeFabricFrame({ ...base, kind: 'request' }, Buffer.alloc(0)), /request message cannot have request id 0/)
    assert.throws(() => encodeFabricFrame({ ...base, type: 256 }, Buffer.alloc(0)), /message type 256 is not a u8/)
    assert.throws(() => encodeFabricFrame({ ...base, revision: -1 }, Buffer.alloc(0)), /view revision -1/)
    assert.throws(() => encodeFabricFrame({ ...base, clusterKey: 2n ** 64n }, Buffer.alloc(0)), /cluster key/)
  })
})

// ---------------------------------------------------------------------------------------------
// Fabric over loopback

interface Node {
  id: string
  fabric: Fabric
  endpoint: Endpoint
  lines: Array<Record<string, unknown>>
}

const open: Fabric[] = []

afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()))
})

function memoryLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) })
  return { log, lines }
}

const fastTuning: Partial<FabricTuning> = { reconnectMinMs: 5, reconnectMaxMs: 20 }

async function startNode(id: string, tuning: Partial<FabricTuning> = {}, port = 0, env: Env = realEnv): Promise<Node> {
  const { log, lines } = memoryLogger()
  const fabric = new Fabric({ env, self: { nodeId: id }, log, tuning: { ...fastTuning, ...tuning } })
  open.push(fabric)
  const endpoint = await fabric.listen('127.0.0.1', port)
  return { id, fabric, endpoint, lines }
}

function member(node: Pick<Node, 'id' | 'endpoint'>): MemberInfo {
  return { nodeId: node.id, service: { host: '127.0.0.1', port: 3000 }, fabric: node.endpoint, rackIds: {}, build: 'test' }
}

function viewOf(revision: number, nodes: ReadonlyArray<Pick<Node, 'id' | 'endpoint'>>): View {
  return makeView(revision, nodes.map(member))
}

async function cluster(ids: readonly string[], tuning: Partial<FabricTuning> = {}): Promise<Node[]> {
  const nodes = await Promise.all(ids.map((id) => startNode(id, tuning)))
  const view = viewOf(1, nodes)
  for (const node of nodes) node.fabric.setView(view)
  return nodes
}

/** Waits (turn by turn, no timers) until `condition` holds; fails past a generous deadline instead of hanging. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 10_000
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`still waiting for ${what}`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Collects one-way messages of `type` as [from, text]. */
function collect(node: Node, type: number): Array<[string, string]> {
  const got: Array<[string, string]> = []
  node.fabric.onMessage(type, (from, payload) => { got.push([from, payload.toString()]) })
  return got
}

/** A request handler that never replies; its calls are counted. */
function silent(node: Node, type: number): { calls: number; replies: Array<(payload: Buffer) => void> } {
  const state = { calls: 0, replies: [] as Array<(payload: Buffer) => void> }
  node.fabric.onMessage(type, (_from, _payload, reply) => {
    state.calls++
    if (reply !== undefined) state.replies.push(reply)
  })
  return state
}

function fabricError(code: FabricErrorCode, pattern?: RegExp): (err: unknown) => boolean {
  return (err) => err instanceof FabricError && err.code === code && (pattern === undefined || pattern.test(err.message))
}

const ECHO = 1
const ONE_WAY = 2
const SILENT = 3

function echo(node: Node): void {
  node.fabric.onMessage(ECHO, (from, payload, reply) => {
    assert.ok(reply !== undefined, 'a request comes with reply')
    reply(Buffer.from(`${node.id} answers ${from}: ${payload.toString()}`))
  })
}

describe('fabric between three nodes', () => {
  test('request and reply between each pair, both ways', async () => {
    const nodes = await cluster(['A1', 'B2', 'C3'])
    for (const node of nodes) echo(node)
    const asked: Array<Promise<string>> = []
    for (const from of nodes) {
      for (const to of nodes) {
        if (from !== to) asked.push(from.fabric.request(to.id, ECHO, Buffer.from(`hi ${to.id}`), 5000).then((b) => b.toString()))
      }
    }
    assert.deepEqual(await Promise.all(asked), [
      'B2 answers A1: hi B2', 'C3 answers A1: hi C3', 'A1 answers B2: hi A1', 'C3 answers B2: hi C3', 'A1 answers C3: hi A1', 'B2 answers C3: hi B2',
    ])
    for (const node of nodes) {
      assert.equal(node.fabric.counters.messagesOut, 4, `${node.id}: 2 requests and 2 replies`)
      assert.equal(node.fabric.counters.messagesIn, 4)
      assert.equal(node.fabric.counters.channelsOpened, 2)
    }
  })

  test('one-way messages arrive in the order sent, per pair', async () => {
    const [a, b, c] = await cluster(['A1', 'B2', 'C3'])
    const got = collect(b!, ONE_WAY)
    for (let i = 0; i < 1000; i++) {
      a!.fabric.send(b!.id, ONE_WAY, Buffer.from(`${i}`))
      c!.fabric.send(b!.id, ONE_WAY, Buffer.from(`${i}`))
    }
    await until(() => got.length === 2000, '2000 messages at B2')
    for (const sender of [a!.id, c!.id]) {
      const seq = got.filter(([from]) => from === sender).map(([, text]) => Number(text))
      assert.deepEqual(seq, Array.from({ length: 1000 }, (_, i) => i), `order from ${sender}`)
    }
    assert.equal(b!.fabric.counters.messagesIn, 2000)
    assert.equal(a!.fabric.counters.bytesOut, 1000 * FABRIC_FRAME_OVERHEAD_BYTES + Array.from({ length: 1000 }, (_, i) => `${i}`.length).reduce((s, n) => s + n, 0))
  })

  test('the messages of one turn leave under one cork (one write), not one write each', async () => {
    let corks = 0
    const network: Network = {
      listen: (options) => realNetwork.listen(options),
      turnEnd: (run) => realNetwork.turnEnd(run),
      connect: (host, port) => {
        const socket = realNetwork.connect(host, port)
        const cork = socket.cork.bind(socket)
        socket.cork = () => { corks++; cork() }
        return socket
      },
    }
    const b = await startNode('B2')
    const a = await startNode('A1', {}, 0, { ...realEnv, network })
    const view = viewOf(1, [a, b])
    a.fabric.setView(view)
    b.fabric.setView(view)
    const got = collect(b, ONE_WAY)
    a.fabric.send(b.id, ONE_WAY, Buffer.from('warm-up'))
    await until(() => got.length === 1, 'the channel to open')
    const before = corks
    for (let i = 0; i < 1000; i++) a.fabric.send(b.id, ONE_WAY, Buffer.from(`${i}`))
    assert.equal(corks - before, 1)
    await until(() => got.length === 1001, 'the 1000 messages')
  })

  test('a message from an older view is dropped, counted, and never handled', async () => {
    const [a, b, c] = await cluster(['A1', 'B2', 'C3'])
    const got = collect(a!, ONE_WAY)
    a!.fabric.setView(viewOf(2, [a!, b!, c!]))
    b!.fabric.send(a!.id, ONE_WAY, Buffer.from('from view 1'))
    await until(() => a!.fabric.counters.droppedStale === 1, 'the stale drop')
    b!.fabric.setView(viewOf(2, [a!, b!, c!]))
    b!.fabric.send(a!.id, ONE_WAY, Buffer.from('from view 2'))
    await until(() => got.length === 1, 'the view-2 message')
    assert.deepEqual(got, [['B2', 'from view 2']])
  })

  test('a message of the same revision under another cluster key is dropped and counted', async () => {
    const [a, b, c] = await cluster(['A1', 'B2', 'C3'])
    const got = collect(a!, ONE_WAY)
    a!.fabric.setView(viewOf(2, [a!, b!, c!]))
    b!.fabric.setView(viewOf(2, [a!, b!])) // same revision, another member set: another key
    b!.fabric.send(a!.id, ONE_WAY, Buffer.from('other cluster'))
    await until(() => a!.fabric.counters.droppedWrongKey === 1, 'the wrong-key drop')
    assert.deepEqual(got, [])
    assert.equal(a!.fabric.counters.droppedStale, 0)
  })

  test('messages from a newer view are held, in order, and delivered when this node reaches it', async () => {
    const [a, b, c] = await cluster(['A1', 'B2', 'C3'])
    const got = collect(a!, ONE_WAY)
    echo(a!)
    const view2 = viewOf(2, [a!, b!, c!])
    b!.fabric.setView(view2)
    b!.fabric.send(a!.id, ONE_WAY, Buffer.from('first'))
    const answer = b!.fabric.request(a!.id, ECHO, Buffer.from('second'), 5000)
    b!.fabric.send(a!.id, ONE_WAY, Buffer.from('third'))
    await until(() => a!.fabric.counters.held === 3, 'three held messages')
    assert.deepEqual(got, [])
    a!.fabric.setView(view2)
    // Delivered as setView returns, in the order sent.
    assert.deepEqual(got, [['B2', 'first'], ['B2', 'third']])
    assert.equal((await answer).toString(), 'A1 answers B2: second')
    assert.equal(a!.fabric.counters.droppedStale, 0)
  })

  test('past the hold bound newer messages are dropped; held ones of another cluster key are dropped on arrival at their revision', async () => {
    const [a, b, c] = await cluster(['A1', 'B2', 'C3'], { maxHeldMessagesPerPeer: 2 })
    const got = collect(a!, ONE_WAY)
    b!.fabric.setView(viewOf(2, [a!, b!, c!]))
    for (const text of ['x', 'y', 'z']) b!.fabric.send(a!.id, ONE_WAY, Buffer.from(text))
    await until(() => a!.fabric.counters.held + a!.fabric.counters.droppedHeldOverBound === 3, 'the three messages at A1')
    assert.equal(a!.fabric.counters.held, 2)
    assert.equal(a!.fabric.counters.droppedHeldOverBound, 1)
    // A1 reaches revision 2 with another member set, so another key: B2's view 2 was another cluster.
    a!.fabric.setView(viewOf(2, [a!, b!]))
    assert.equal(a!.fabric.counters.droppedWrongKey, 2)
    assert.deepEqual(got, [])
  })

  test('newer-view messages are held for a bounded number of peers', async () => {
    const [a, b, c] = await cluster(['A1', 'B2', 'C3'], { maxHeldPeers: 1 })
    collect(a!, ONE_WAY)
    const view2 = viewOf(2, [a!, b!, c!])
    b!.fabric.setView(view2)
    b!.fabric.send(a!.id, ONE_WAY, Buffer.from('held'))
    await until(() => a!.fabric.counters.held === 1, 'B2 held')
    c!.fabric.setView(view2)
    c!.fabric.send(a!.id, ONE_WAY, Buffer.from('no room'))
    await until(() => a!.fabric.counters.droppedHeldOverBound === 1, 'C3 dropped')
    assert.ok(a!.lines.some((l) => l.msg === 'fabric message of view 2 from node C3 dropped: messages of 1 nodes are held already'))
  })

  test('held messages of a view this node jumps over are stale', async () => {
    const [a, b, c] = await cluster(['A1', 'B2', 'C3'])
    const got = collect(a!, ONE_WAY)
    b!.fabric.setView(viewOf(2, [a!, b!, c!]))
    b!.fabric.send(a!.id, ONE_WAY, Buffer.from('of view 2'))
    await until(() => a!.fabric.counters.held === 1, 'the held message')
    a!.fabric.setView(viewOf(3, [a!, b!, c!]))
    assert.equal(a!.fabric.counters.droppedStale, 1)
    assert.deepEqual(got, [])
  })

  test('pending requests fail at once when the peer goes away', async () => {
    const [a, b] = await cluster(['A1', 'B2', 'C3'])
    const quiet = silent(b!, SILENT)
    const asked = a!.fabric.request(b!.id, SILENT, Buffer.from('?'), 60_000)
    await until(() => quiet.calls === 1, 'the request at B2')
    const channel = new Promise<void>((resolve) => a!.fabric.onChannelChange((id, up) => { if (id === b!.id && !up) resolve() }))
    await b!.fabric.close()
    await assert.rejects(asked, fabricError('ERR_FABRIC_UNREACHABLE', /^request to node B2 failed: its fabric channel broke \(.+\)$/))
    await channel
    assert.equal(a!.fabric.counters.requestsFailed, 1)
  })

  test('pending requests fail when the view changes, and a reply across views is not sent', async () => {
    const [a, b, c] = await cluster(['A1', 'B2', 'C3'])
    const quiet = silent(c!, SILENT)
    const asked = a!.fabric.request(c!.id, SILENT, Buffer.from('?'), 60_000)
    await until(() => quiet.calls === 1, 'the request at C3')
    const view2 = viewOf(2, [a!, b!, c!])
    a!.fabric.setView(view2)
    await assert.rejects(asked, fabricError('ERR_FABRIC_VIEW_CHANGED', /request to node C3 failed: the view moved to revision 2; retry in the new view/))
    c!.fabric.setView(view2)
    quiet.replies[0]!(Buffer.from('late'))
    assert.equal(c!.fabric.counters.repliesDroppedViewChanged, 1)
    assert.equal(c!.fabric.counters.messagesOut, 0)
    assert.throws(() => quiet.replies[0]!(Buffer.from('again')), /already answered/)
  })

  test('a peer that leaves the view is unreachable and its requests fail', async () => {
    const [a, b, c] = await cluster(['A1', 'B2', 'C3'])
    silent(c!, SILENT)
    const asked = a!.fabric.request(c!.id, SILENT, Buffer.from('?'), 60_000)
    a!.fabric.setView(viewOf(2, [a!, b!]))
    await assert.rejects(asked, fabricError('ERR_FABRIC_VIEW_CHANGED'))
    assert.throws(() => a!.fabric.send(c!.id, ONE_WAY, Buffer.from('x')), fabricError('ERR_FABRIC_UNREACHABLE', /^no fabric message to node C3: it is not in view 2$/))
    await assert.rejects(a!.fabric.request(c!.id, SILENT, Buffer.from('?'), 1000), fabricError('ERR_FABRIC_UNREACHABLE'))
    assert.equal(a!.fabric.counters.refusedUnreachable, 2)
  })

  test('the channel redials a peer that comes back on the same port; sends fail fast while it is down', async () => {
    const [a, b, c] = await cluster(['A1', 'B2', 'C3'])
    echo(b!)
    assert.equal((await a!.fabric.request(b!.id, ECHO, Buffer.from('one'), 5000)).toString(), 'B2 answers A1: one')
    const view = a!.fabric.currentView!
    let refused: unknown
    const down = new Promise<void>((resolve) => a!.fabric.onChannelChange((id, up) => {
      if (id !== b!.id || up) return
      // Right after the break, before any redial: refused at once.
      try { a!.fabric.send(b!.id, ONE_WAY, Buffer.from('lost')) } catch (err) { refused = err }
      resolve()
    }))
    await b!.fabric.close()
    await down
    assert.ok(fabricError('ERR_FABRIC_UNREACHABLE', /node B2 at 127\.0\.0\.1:\d+ is unreachable .*; redialling in the background/)(refused), String(refused))
    assert.ok((refused as FabricError).retryable)

    const back = await startNode(b!.id, {}, b!.endpoint.port)
    echo(back)
    back.fabric.setView(view)
    await until(() => a!.fabric.counters.reconnects === 1, 'the redial to connect')
    assert.equal((await a!.fabric.request(b!.id, ECHO, Buffer.from('two'), 5000)).toString(), 'B2 answers A1: two')
    assert.ok(a!.fabric.counters.reconnectAttempts >= 1)
    assert.ok(a!.lines.some((l) => /fabric channel to node B2 at 127\.0\.0\.1:\d+ broke/.test(String(l.msg))))
    void c
  })

  test('a member that moves its fabric endpoint in a new view is dialled at the new one', async () => {
    const [a, b] = await cluster(['A1', 'B2'])
    echo(b!)
    assert.equal((await a!.fabric.request(b!.id, ECHO, Buffer.from('one'), 5000)).toString(), 'B2 answers A1: one')
    await b!.fabric.close()
    const moved = await startNode('B2')
    echo(moved)
    const view2 = viewOf(2, [a!, moved])
    moved.fabric.setView(view2)
    a!.fabric.setView(view2)
    assert.equal((await a!.fabric.request(moved.id, ECHO, Buffer.from('two'), 5000)).toString(), 'B2 answers A1: two')
    assert.equal(moved.fabric.counters.messagesIn, 1)
  })

  test('redials back off exponentially to the cap, jittered, on the Env scheduler', async () => {
    const connects: number[] = []
    const base = manualEnv({ seed: 11 })
    const env: ManualEnv = { ...base, network: refusingNetwork(base, connects) }
    const { log, lines } = memoryLogger()
    const fabric = new Fabric({ env, self: { nodeId: 'A1' }, log, tuning: { reconnectMinMs: 100, reconnectMaxMs: 400 } })
    open.push(fabric)
    fabric.setView(viewOf(1, [{ id: 'A1', endpoint: { host: '127.0.0.1', port: 1 } }, { id: 'B2', endpoint: { host: '127.0.0.1', port: 2 } }]))
    const failed = assert.rejects(fabric.request('B2', ECHO, Buffer.from('?'), 60_000),
      fabricError('ERR_FABRIC_UNREACHABLE', /^request to node B2 failed: its fabric channel broke \(ECONNREFUSED\)$/))
    await env.scheduler.drain()
    await failed
    assert.throws(() => fabric.send('B2', ONE_WAY, Buffer.alloc(1)), fabricError('ERR_FABRIC_UNREACHABLE', /\(ECONNREFUSED\); redialling in the background/))
    await env.scheduler.advance(5000)
    const gaps = connects.slice(1).map((at, i) => at - connects[i]!)
    assert.ok(gaps.length >= 10, `${gaps.length} redials in 5 s`)
    gaps.forEach((gap, i) => {
      const ceilingMs = Math.min(400, 100 * 2 ** i)
      assert.ok(gap >= ceilingMs / 2 && gap <= ceilingMs, `redial ${i + 1} after ${gap} ms, outside [${ceilingMs / 2}, ${ceilingMs}]`)
    })
    assert.ok(gaps.some((gap, i) => gap !== Math.min(400, 100 * 2 ** i)), 'jittered')
    assert.equal(fabric.counters.channelBreaks, connects.length)
    assert.equal(fabric.counters.reconnectAttempts, connects.length - 1)
    assert.equal(fabric.counters.reconnects, 0)
    // The first break is worth a warning; the failed redials after it are not.
    assert.equal(lines.filter((l) => l.level === 40).length, 1)
  })

  test('past the per-peer byte bound, sends and requests fail fast and retryable; what was accepted arrives', async () => {
    const payloadBytes = 1000
    const frameBytes = FABRIC_FRAME_OVERHEAD_BYTES + payloadBytes
    const [a, b] = await cluster(['A1', 'B2'], { maxPayloadBytes: 2000, maxQueuedBytesPerPeer: 5 * frameBytes })
    const got = collect(b!, ONE_WAY)
    // Not yet connected: the frames queue, five fit.
    for (let i = 0; i < 5; i++) a!.fabric.send(b!.id, ONE_WAY, Buffer.alloc(payloadBytes, 48 + i))
    assert.throws(() => a!.fabric.send(b!.id, ONE_WAY, Buffer.alloc(payloadBytes)),
      fabricError('ERR_FABRIC_BACKPRESSURE', /^fabric queue to node B2 holds 5190 bytes; 1038 more would pass its limit of 5190$/))
    await assert.rejects(a!.fabric.request(b!.id, ECHO, Buffer.alloc(payloadBytes), 1000), fabricError('ERR_FABRIC_BACKPRESSURE'))
    await until(() => got.length === 5, 'the five accepted messages')
    assert.deepEqual(got.map(([, text]) => text[0]), ['0', '1', '2', '3', '4'])
    // Connected: one turn's writes wait in the socket (corked) and count against the bound too.
    let accepted = 0
    assert.throws(() => { for (;;) { a!.fabric.send(b!.id, ONE_WAY, Buffer.alloc(payloadBytes, 49)); accepted++ } }, fabricError('ERR_FABRIC_BACKPRESSURE'))
    assert.equal(accepted, 5)
    await until(() => got.length === 10, 'the next five')
    assert.equal(a!.fabric.counters.refusedBackPressure, 3)
    assert.ok(new FabricError('ERR_FABRIC_BACKPRESSURE', 'B2', '').retryable)
  })

  test('a payload over the limit is refused with the sizes; too many pending requests are refused', async () => {
    const [a, b] = await cluster(['A1', 'B2'], { maxPayloadBytes: 100, maxPendingRequests: 2 })
    silent(b!, SILENT)
    assert.throws(() => a!.fabric.send(b!.id, ONE_WAY, Buffer.alloc(101)),
      fabricError('ERR_FABRIC_TOO_LARGE', /^fabric message of type 2 to node B2 has 101 bytes, over the limit of 100$/))
    const first = a!.fabric.request(b!.id, SILENT, Buffer.alloc(1), 60_000)
    const second = a!.fabric.request(b!.id, SILENT, Buffer.alloc(1), 60_000)
    await assert.rejects(a!.fabric.request(b!.id, SILENT, Buffer.alloc(1), 60_000), fabricError('ERR_FABRIC_BACKPRESSURE', /2 requests pending/))
    await a!.fabric.close()
    await assert.rejects(first, fabricError('ERR_FABRIC_CLOSED'))
    await assert.rejects(second, fabricError('ERR_FABRIC_CLOSED'))
    assert.throws(() => a!.fabric.send(b!.id, ONE_WAY, Buffer.alloc(1)), fabricError('ERR_FABRIC_CLOSED'))
  })

  test('a request whose handler never replies times out; a reply after that is unmatched', async () => {
    const [a, b] = await cluster(['A1', 'B2'])
    const quiet = silent(b!, SILENT)
    await assert.rejects(a!.fabric.request(b!.id, SILENT, Buffer.from('?'), 30), fabricError('ERR_FABRIC_TIMEOUT', /^request of type 3 to node B2 had no reply within 30 ms$/))
    assert.equal(a!.fabric.counters.requestTimeouts, 1)
    await until(() => quiet.calls === 1, 'the request at B2')
    quiet.replies[0]!(Buffer.from('late'))
    await until(() => a!.fabric.counters.repliesUnmatched === 1, 'the late reply at A1')
  })

  test('request timeouts run on the Env scheduler', async () => {
    const env = manualEnv({ seed: 3 })
    const b = await startNode('B2')
    silent(b, SILENT)
    const a = await startNode('A1', {}, 0, env)
    const view = viewOf(1, [a, b])
    a.fabric.setView(view)
    b.fabric.setView(view)
    let outcome: unknown
    a.fabric.request(b.id, SILENT, Buffer.from('?'), 1000).then(() => { outcome = 'answered' }, (err: unknown) => { outcome = err })
    await env.scheduler.advance(999)
    assert.equal(outcome, undefined)
    await env.scheduler.advance(1)
    assert.ok(fabricError('ERR_FABRIC_TIMEOUT')(outcome), String(outcome))
  })

  test('sending to oneself or with a bad message type is a programmer error; unhandled types and handler faults are counted', async () => {
    const [a, b] = await cluster(['A1', 'B2'])
    assert.throws(() => a!.fabric.send('A1', ONE_WAY, Buffer.alloc(0)), /node A1 cannot send a fabric message to itself/)
    assert.throws(() => a!.fabric.send(b!.id, 256, Buffer.alloc(0)), /message type 256 is not an integer in 0\.\.255/)
    assert.throws(() => a!.fabric.request(b!.id, ECHO, Buffer.alloc(0), 0), /request timeout 0 ms is not a positive number/)
    a!.fabric.onMessage(ONE_WAY, () => {})
    assert.throws(() => a!.fabric.onMessage(ONE_WAY, () => {}), /message type 2 already has a handler/)
    b!.fabric.onMessage(SILENT, () => { throw new Error('boom') })
    b!.fabric.onMessage(ECHO, async () => { throw new Error('async boom') })
    a!.fabric.send(b!.id, 99, Buffer.from('nobody'))
    a!.fabric.send(b!.id, SILENT, Buffer.from('throws'))
    a!.fabric.send(b!.id, ECHO, Buffer.from('rejects'))
    await until(() => b!.fabric.counters.handlerFaults === 2, 'two handler faults')
    assert.equal(b!.fabric.counters.droppedNoHandler, 1)
    assert.ok(b!.lines.some((l) => l.msg === 'fabric handler of message type 3 failed on a message from node A1'))
  })
})

// Found by the simulator (seeds 30, 46, 51): a peer killed while the link to it was cut sent its FIN
// into the cut, and the simulated network forgot it once the socket closed, so after the heal the
// channel stayed open to a dead connection and every request to the restarted peer timed out.
describe('fabric on the simulated network', () => {
  test('a peer killed while the link to it is cut: after the heal the channel sees the close, redials the restarted peer, and requests reach it', async () => {
    const env = manualEnv({ seed: 5 })
    const net = new SimNetwork(env)
    const start = async (id: string, host: string): Promise<Node> => {
      const { log, lines } = memoryLogger()
      const fabric = new Fabric({ env: { ...env, network: net.forHost(host) }, self: { nodeId: id }, log, tuning: fastTuning })
      return { id, fabric, endpoint: await fabric.listen(host, 3001), lines }
    }
    /** One request, its outcome once `forMs` of simulated time passed. */
    const ask = async (from: Node, to: string, text: string, forMs = 200): Promise<string> => {
      let outcome = 'no answer'
      from.fabric.request(to, ECHO, Buffer.from(text), forMs).then((reply) => { outcome = reply.toString() }, (err: unknown) => { outcome = (err as FabricError).code })
      await env.scheduler.advance(forMs)
      return outcome
    }
    const a = await start('A1', '10.0.0.1')
    const b = await start('B2', '10.0.0.2')
    echo(b)
    for (const node of [a, b]) node.fabric.setView(viewOf(1, [a, b]))
    assert.equal(await ask(a, 'B2', 'before'), 'B2 answers A1: before')

    net.cut('10.0.0.1', '10.0.0.2')
    net.crashHost('10.0.0.2')
    await env.scheduler.advance(100)
    const restarted = await start('B2', '10.0.0.2')
    echo(restarted)
    for (const node of [a, restarted]) node.fabric.setView(viewOf(2, [a, restarted]))
    assert.equal(await ask(a, 'B2', 'cut'), 'ERR_FABRIC_TIMEOUT', 'nothing crosses the cut')
    assert.equal(a.fabric.counters.channelBreaks, 0, 'the close of the killed peer waits in the cut')

    net.heal('10.0.0.1', '10.0.0.2')
    await env.scheduler.advance(100)
    assert.equal(a.fabric.counters.channelBreaks, 1, 'the close arrived with the heal')
    assert.equal(await ask(a, 'B2', 'after'), 'B2 answers A1: after')
    assert.equal(a.fabric.counters.reconnects, 1)
  })
})

/** A network where every dial is refused, one turn after it starts (as a closed port answers). */
function refusingNetwork(env: ManualEnv, connects: number[]): Network {
  return {
    listen: () => Promise.reject(new Error('this network only dials')),
    turnEnd: (run) => { env.scheduler.soon(run) },
    connect: () => {
      connects.push(env.clock.monotonicMs())
      const socket = Object.assign(new EventEmitter(), {
        writableLength: 0, write: () => true, end: () => {}, destroy: () => {}, pause: () => {}, resume: () => {}, isPaused: () => false,
        cork: () => {}, uncork: () => {}, setNoDelay: () => {},
      })
      env.scheduler.soon(() => {
        socket.emit('error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
        socket.emit('close')
      })
      return socket as unknown as NetSocket
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Bad input on the listening port

function dial(endpoint: Endpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(endpoint.port, endpoint.host, () => resolve(socket))
    socket.once('error', reject)
  })
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.on('error', () => {})
    socket.once('close', () => resolve())
  })
}

describe('fabric listener facing bad input', () => {
  const cases: Array<{ name: string; bytes: (view: View) => Buffer; reason: RegExp }> = [
    { name: 'a client frame', bytes: () => encodeProtoHeader(1, 5), reason: /fabric unknown proto type 1/ },
    { name: 'an oversized frame (the header alone)', bytes: () => encodeProtoHeader(FABRIC_PROTO_TYPE, 2 ** 40), reason: /exceeds the limit of/ },
    { name: 'a header shorter than the fabric header', bytes: () => Buffer.concat([encodeProtoHeader(FABRIC_PROTO_TYPE, 4), Buffer.alloc(4)]), reason: /shorter than its 30-byte header/ },
    {
      name: 'bad flags',
      bytes: (view) => {
        const frame = encodeFabricFrame({ revision: view.revision, clusterKey: view.clusterKey, sender: 0xb2n, type: ONE_WAY, requestId: 0, kind: 'one-way' }, Buffer.from('x'))
        frame[PROTO_HEADER_BYTES + 29] = 0x7
        return frame
      },
      reason: /flags 0x7 are not exactly one of one-way, request, reply/,
    },
    {
      name: 'a second sender on one connection',
      bytes: (view) => Buffer.concat([0xb2n, 0xc3n].map((sender) =>
        encodeFabricFrame({ revision: view.revision, clusterKey: view.clusterKey, sender, type: ONE_WAY, requestId: 0, kind: 'one-way' }, Buffer.from('x')))),
      reason: /frame from node C3 on the connection of node B2/,
    },
  ]
  for (const { name, bytes, reason } of cases) {
    test(`${name}: the connection closes with one logged reason; the node goes on`, async () => {
      const [a, b] = await cluster(['A1', 'B2'])
      const got = collect(a!, ONE_WAY)
      echo(a!)
      const socket = await dial(a!.endpoint)
      const gone = closed(socket)
      socket.write(bytes(a!.fabric.currentView!))
      await gone
      assert.equal(a!.fabric.counters.badFrames, 1)
      const warnings = a!.lines.filter((l) => l.level === 40)
      assert.equal(warnings.length, 1)
      assert.match(String(warnings[0]!.msg), /^closing fabric connection from 127\.0\.0\.1.*: /)
      assert.match(String(warnings[0]!.msg), reason)
      // At most the well-formed frame before the bad one was acted on.
      assert.ok(got.length <= 1)
      assert.equal((await b!.fabric.request(a!.id, ECHO, Buffer.from('still there?'), 5000)).toString(), 'A1 answers B2: still there?')
    })
  }
})
