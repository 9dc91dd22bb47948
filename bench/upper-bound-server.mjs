#!/usr/bin/env node
// The upper bound: a minimal node that does no database work. It answers the info commands a
// client needs to route (one node owning every partition) and each AS_MSG with a fixed, pre-built
// reply of the size a real server sends: a read gets one OK reply carrying the bins of --bins, any
// other command a header-only OK reply. Driven by the same generator as Aerolite, the ratio of the
// two shows what the database work costs.
//
//   node [--import tsx] bench/upper-bound-server.mjs --port N [--namespace test] [--bins B1024] [--reads stream|slab]
//
// --reads slab reads sockets the way Aerolite's client service does (packages/server/src/env/slab-reads.ts,
// loaded through tsx, so that mode needs `--import tsx`); the default is Node's stream of fresh buffers.
import { createServer } from 'node:net'

const args = new Map()
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1])
const port = Number(args.get('port') ?? 0)
const namespace = args.get('namespace') ?? 'test'
const binSpec = args.get('bins') ?? 'B1024'
const reads = args.get('reads') ?? 'stream'
if (reads !== 'stream' && reads !== 'slab') throw new Error(`--reads: stream or slab, not ${reads}`)

const HEADER_BYTES = 8
const MESSAGE_HEADER_BYTES = 22

function frame(type, body) {
  const out = Buffer.alloc(HEADER_BYTES + body.length)
  out[0] = 2
  out[1] = type
  out.writeUIntBE(body.length, 2, 6)
  body.copy(out, HEADER_BYTES)
  return out
}

/** An OK reply message with the given ops ([particle type, name, value]). */
function okReply(ops) {
  const opBytes = ops.reduce((n, [, name, value]) => n + 8 + name.length + value.length, 0)
  const body = Buffer.alloc(MESSAGE_HEADER_BYTES + opBytes)
  body[0] = MESSAGE_HEADER_BYTES
  body.writeUInt32BE(1, 6) // generation
  body.writeUInt16BE(ops.length, 20)
  let at = MESSAGE_HEADER_BYTES
  for (const [particleType, name, value] of ops) {
    body.writeUInt32BE(4 + name.length + value.length, at)
    body[at + 4] = 1 // READ
    body[at + 5] = particleType
    body[at + 7] = name.length
    name.copy(body, at + 8)
    value.copy(body, at + 8 + name.length)
    at += 8 + name.length + value.length
  }
  return frame(3, body)
}

const bins = binSpec.split(',').map((token, i) => {
  const name = Buffer.from(`bin${i + 1}`)
  if (token === 'I') return [1, name, Buffer.alloc(8, 1)]
  const bytes = Number(token.slice(1))
  return [token[0] === 'S' ? 3 : 4, name, Buffer.alloc(bytes, 0x61)]
})
const READ_REPLY = okReply(bins)
const WRITE_REPLY = okReply([])

const ALL_PARTITIONS = Buffer.alloc(512, 0xff).toString('base64')
const INFO = new Map([
  ['node', 'BB9000000000B0B'],
  ['build', '8.1.0.0'],
  ['partition-generation', '1'],
  ['peers-generation', '1'],
  ['peers-clear-std', '1,3000,[]'],
  ['replicas', `${namespace}:0,1,${ALL_PARTITIONS}`],
  ['namespaces', namespace],
  ['status', 'ok'],
])

function infoReply(body) {
  const lines = body.toString('utf8').split('\n').filter((l) => l.length > 0)
  return frame(1, Buffer.from(lines.map((l) => `${l}\t${INFO.get(l) ?? ''}\n`).join(''), 'utf8'))
}

function serve(socket) {
  socket.setNoDelay(true)
  socket.on('error', () => {})
  let pending = null
  socket.on('data', (chunk) => {
    let buf = pending === null ? chunk : Buffer.concat([pending, chunk])
    let at = 0
    socket.cork()
    while (buf.length - at >= HEADER_BYTES) {
      const size = buf.readUIntBE(at + 2, 6)
      if (buf.length - at - HEADER_BYTES < size) break
      const type = buf[at + 1]
      const bodyAt = at + HEADER_BYTES
      if (type === 1) socket.write(infoReply(buf.subarray(bodyAt, bodyAt + size)))
      else {
        // info1 READ without info2 WRITE: a read.
        const isRead = (buf[bodyAt + 1] & 1) !== 0 && (buf[bodyAt + 2] & 1) === 0
        socket.write(isRead ? READ_REPLY : WRITE_REPLY)
      }
      at = bodyAt + size
    }
    socket.uncork()
    pending = at === buf.length ? null : buf.subarray(at)
  })
}

const { server } = reads === 'slab'
  ? (await import('../packages/server/src/env/slab-reads.ts')).createSlabReadServer(serve)
  : { server: createServer(serve) }
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`upper-bound server ready on 127.0.0.1:${server.address().port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
process.on('SIGINT', () => server.close(() => process.exit(0)))
