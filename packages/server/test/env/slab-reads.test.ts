// Sockets that read into slabs: chunks are never overwritten, slabs grow for big reads and shrink
// back, and the sockets behave as Node's own (pause, end, close, a server that closes after them).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { ReadSlab } from '../../src/env/slab-reads.ts'
import { realNetwork } from '../../src/env/real-network.ts'
import { limits } from '../../src/limits.ts'

/** Plays one read of `bytes` (of a value) into the slab, as the socket does, and returns the chunk. */
function read(slab: ReadSlab, bytes: number, value: number): Buffer {
  const into = slab.next()
  const n = Math.min(bytes, into.length)
  into.fill(value, 0, n)
  return slab.took(n, into)
}

test('chunks read into a slab are never overwritten by later reads', () => {
  const slab = new ReadSlab()
  const chunks: Buffer[] = []
  for (let i = 0; i < 200; i++) chunks.push(read(slab, 100 + ((i * 37) % 900), i & 0xff))
  chunks.forEach((chunk, i) => assert.ok(chunk.every((b) => b === (i & 0xff)), `chunk ${i} was overwritten`))
  assert.ok(new Set(chunks.map((c) => c.buffer)).size > 1, 'reads moved on to new slabs')
})

test('a read that fills its space gets a bigger slab next, up to the limit; a short read brings it back', () => {
  const slab = new ReadSlab()
  assert.equal(slab.next().length, limits.readSlabBytes)
  read(slab, Number.MAX_SAFE_INTEGER, 1)
  assert.equal(slab.next().length, limits.readSlabBytes * 2)
  for (let i = 0; i < 10; i++) read(slab, Number.MAX_SAFE_INTEGER, 1)
  assert.equal(slab.next().length, limits.maxReadSlabBytes)
  read(slab, 10, 1)
  assert.equal(slab.next().length, limits.maxReadSlabBytes - 10, "the current slab's tail is used first")
  read(slab, slab.next().length - limits.minReadBytes + 1, 2)
  assert.equal(slab.next().length, limits.readSlabBytes, 'then a slab of the first size')
})

async function listen(onSocket: (socket: Socket) => void) {
  return realNetwork.listen({ host: '127.0.0.1', port: 0, slabReads: true, onConnection: (s) => onSocket(s as Socket), onError: (err) => { throw err } })
}

test('a slab-reading socket gets every byte in order, big writes included, and ends and closes as a socket does', async () => {
  const received: Buffer[] = []
  let serverClosed: Promise<unknown> = Promise.resolve()
  const server = await listen((socket) => {
    socket.on('data', (chunk) => received.push(chunk))
    serverClosed = once(socket, 'close')
  })
  const sent = Buffer.alloc(3 * 1024 * 1024)
  for (let i = 0; i < sent.length; i++) sent[i] = (i * 131) & 0xff
  const client = connect(server.port, '127.0.0.1')
  client.end(sent)
  // The server side ends its half when the client's ends (no half-open sockets), and both close.
  await once(client, 'close')
  await serverClosed
  await new Promise<void>((resolve) => server.close(resolve))
  assert.ok(Buffer.concat(received).equals(sent), 'the bytes arrived whole and in order')
  assert.ok(received.some((c) => c.length > limits.readSlabBytes), 'big reads used bigger slabs')
})

test('a paused slab-reading socket reads nothing until resumed', async () => {
  let serverSide: Socket | undefined
  const chunks: Buffer[] = []
  const server = await listen((socket) => {
    serverSide = socket
    socket.pause()
    socket.on('data', (chunk) => chunks.push(chunk))
  })
  const client = connect(server.port, '127.0.0.1')
  await once(client, 'connect')
  client.write('hello')
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.equal(chunks.length, 0)
  serverSide!.resume()
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.equal(Buffer.concat(chunks).toString(), 'hello')
  client.destroy()
  await new Promise<void>((resolve) => server.close(resolve))
})

test('closing the server is done only once its slab-reading sockets have closed', async () => {
  let serverSide: Socket | undefined
  const server = await listen((socket) => { serverSide = socket })
  const client = connect(server.port, '127.0.0.1')
  await once(client, 'connect')
  await new Promise((resolve) => setTimeout(resolve, 50))
  let done = false
  server.close(() => { done = true })
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.equal(done, false, 'a socket is still open')
  serverSide!.destroy()
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.equal(done, true)
  client.destroy()
})
