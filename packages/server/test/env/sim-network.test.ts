// The simulated network: TCP's promises (once, in order, per direction), on simulated time, the
// same for the same seed; and its faults (cut links hold bytes, resets, crashed hosts, refused and
// timed-out connects).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { NetSocket } from '@aerolite/protocol'
import { manualEnv } from '../../src/env/manual-env.ts'
import { SimNetwork } from '../../src/env/sim-network.ts'

interface Ends {
  client: NetSocket
  server: NetSocket
  clientGot: Buffer[]
  serverGot: Buffer[]
  closed: string[]
  errors: string[]
}

async function setup(seed = 1, options: ConstructorParameters<typeof SimNetwork>[1] = {}) {
  const env = manualEnv({ seed })
  const lines: string[] = []
  const net = new SimNetwork(env, { ...options, log: (line) => lines.push(`${env.clock.monotonicMs().toFixed(3)} ${line}`) })
  const accepted: NetSocket[] = []
  const server = await net.forHost('10.0.0.2').listen({ host: '0.0.0.0', port: 3000, onConnection: (socket) => accepted.push(socket), onError: () => {} })
  const open = async (): Promise<Ends> => {
    const ends: Ends = { client: net.forHost('10.0.0.1').connect('10.0.0.2', 3000), server: undefined as never, clientGot: [], serverGot: [], closed: [], errors: [] }
    let connected = false
    ends.client.on('connect', () => (connected = true))
    ends.client.on('data', (chunk) => ends.clientGot.push(chunk))
    ends.client.on('close', () => ends.closed.push('client'))
    ends.client.on('error', (err) => ends.errors.push(`client ${(err as { code?: string }).code}`))
    await env.scheduler.advance(5)
    assert.ok(connected, 'connected within 5 ms')
    ends.server = accepted.at(-1)!
    ends.server.on('data', (chunk) => ends.serverGot.push(chunk))
    ends.server.on('close', () => ends.closed.push('server'))
    ends.server.on('error', (err) => ends.errors.push(`server ${(err as { code?: string }).code}`))
    return ends
  }
  return { env, net, server, open, lines }
}

const bytes = (n: number, from = 0): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) & 0xff))

test('bytes arrive once and in order each way, split or not, after simulated latency', async () => {
  const { env, open } = await setup()
  const ends = await open()
  const sent: Buffer[] = []
  for (let i = 0; i < 200; i++) {
    const chunk = bytes(1 + (i % 17), i)
    sent.push(chunk)
    ends.client.write(chunk)
    ends.server.write(chunk)
  }
  assert.equal(ends.serverGot.length, 0, 'nothing arrives before time moves')
  await env.scheduler.advance(10)
  assert.deepEqual(Buffer.concat(ends.serverGot), Buffer.concat(sent))
  assert.deepEqual(Buffer.concat(ends.clientGot), Buffer.concat(sent))
  assert.ok(ends.serverGot.length > 200, 'some chunks arrived split')
  assert.equal(ends.client.writableLength, 0)
})

test('the same seed gives the same deliveries at the same moments; another seed does not', async () => {
  const run = async (seed: number): Promise<string[]> => {
    const { env, open, lines } = await setup(seed)
    const ends = await open()
    for (let i = 0; i < 50; i++) ends.client.write(bytes(10 + i))
    await env.scheduler.advance(10)
    return lines
  }
  assert.deepEqual(await run(7), await run(7))
  assert.notDeepEqual(await run(7), await run(8))
})

test('a cut link holds bytes (one way or both) until it heals, then delivers them in order', async () => {
  const { env, net, open } = await setup()
  const ends = await open()
  ends.client.write(bytes(5))
  net.cut('10.0.0.1', '10.0.0.2', true)
  ends.client.write(bytes(5, 5))
  ends.server.write(bytes(3))
  await env.scheduler.advance(1000)
  assert.deepEqual(Buffer.concat(ends.serverGot), Buffer.alloc(0), 'bytes already on the way are held too')
  assert.deepEqual(Buffer.concat(ends.clientGot), bytes(3), 'the other way still flows')
  net.heal('10.0.0.1', '10.0.0.2', true)
  await env.scheduler.advance(5)
  assert.deepEqual(Buffer.concat(ends.serverGot), bytes(10))
})

test('connects: refused without a listener, timed out over a cut link, completed once healed in time', async () => {
  const { env, net } = await setup(1, { synTimeoutMs: 1000 })
  const outcome = (socket: NetSocket): string[] => {
    const seen: string[] = []
    socket.on('connect', () => seen.push('connect'))
    socket.on('error', (err) => seen.push((err as { code?: string }).code ?? '?'))
    socket.on('close', () => seen.push('close'))
    return seen
  }
  const refused = outcome(net.forHost('10.0.0.1').connect('10.0.0.2', 4000))
  await env.scheduler.advance(5)
  assert.deepEqual(refused, ['ECONNREFUSED', 'close'])
  net.cut('10.0.0.1', '10.0.0.2')
  const timedOut = outcome(net.forHost('10.0.0.1').connect('10.0.0.2', 3000))
  await env.scheduler.advance(1500)
  assert.deepEqual(timedOut, ['ETIMEDOUT', 'close'])
  const healed = outcome(net.forHost('10.0.0.1').connect('10.0.0.2', 3000))
  await env.scheduler.advance(500)
  net.heal('10.0.0.1', '10.0.0.2')
  await env.scheduler.advance(500)
  assert.deepEqual(healed, ['connect'])
})

test('listen: a port taken answers EADDRINUSE, port 0 picks a free one, another host\'s address is not available', async () => {
  const { net } = await setup()
  const host = net.forHost('10.0.0.2')
  await assert.rejects(host.listen({ host: '0.0.0.0', port: 3000, onConnection: () => {}, onError: () => {} }), { code: 'EADDRINUSE' })
  const a = await host.listen({ host: '10.0.0.2', port: 0, onConnection: () => {}, onError: () => {} })
  const b = await host.listen({ host: '10.0.0.2', port: 0, onConnection: () => {}, onError: () => {} })
  assert.ok(a.port > 0 && b.port > 0 && a.port !== b.port)
  await assert.rejects(host.listen({ host: '10.0.0.9', port: 1, onConnection: () => {}, onError: () => {} }), { code: 'EADDRNOTAVAIL' })
})

test('a reset ends both sides with ECONNRESET', async () => {
  const { env, net, open } = await setup()
  const ends = await open()
  net.reset('10.0.0.1', '10.0.0.2')
  await env.scheduler.advance(1)
  assert.deepEqual(ends.errors.sort(), ['client ECONNRESET', 'server ECONNRESET'])
  assert.deepEqual(ends.closed.sort(), ['client', 'server'])
  assert.equal(ends.client.write(bytes(1)), false, 'a closed socket takes no bytes')
})

test('end and destroy deliver what was written, then both sides close; end emits finish', async () => {
  const { env, open } = await setup()
  const ended = await open()
  let finished = false
  ended.client.on('finish', () => (finished = true))
  ended.client.end(bytes(4))
  await env.scheduler.drain()
  assert.equal(finished, true, 'finish once end() handed everything over')
  await env.scheduler.advance(5)
  assert.deepEqual(Buffer.concat(ended.serverGot), bytes(4))
  assert.deepEqual(ended.closed.sort(), ['client', 'server'])
  const destroyed = await open()
  destroyed.server.write(bytes(6))
  destroyed.server.destroy()
  await env.scheduler.advance(5)
  assert.deepEqual(Buffer.concat(destroyed.clientGot), bytes(6))
  assert.deepEqual(destroyed.closed.sort(), ['client', 'server'])
  assert.deepEqual(destroyed.errors, [])
})

test('a crashed host: its listener is gone and peers see the close, or nothing when the machine vanished', async () => {
  const { env, net, open } = await setup()
  const told = await open()
  net.crashHost('10.0.0.1')
  await env.scheduler.advance(5)
  assert.deepEqual(told.closed, ['server'], 'the crashed side runs no listener')
  const silent = await open()
  net.crashHost('10.0.0.1', { silent: true })
  await env.scheduler.advance(5)
  assert.deepEqual(silent.closed, [])
  net.crashHost('10.0.0.2')
  const refused: string[] = []
  net.forHost('10.0.0.1').connect('10.0.0.2', 3000).on('error', (err) => refused.push((err as { code?: string }).code ?? '?'))
  await env.scheduler.advance(5)
  assert.deepEqual(refused, ['ECONNREFUSED'])
})

test('a close held on a cut link (a crashed host\'s, a destroy\'s) reaches the peer once the link heals, as TCP retransmits its FIN', async () => {
  const { env, net, open } = await setup()
  const crashed = await open()
  net.cut('10.0.0.1', '10.0.0.2')
  net.crashHost('10.0.0.2')
  await env.scheduler.advance(50)
  assert.deepEqual(crashed.closed, [], 'nothing crosses a cut link')
  net.heal('10.0.0.1', '10.0.0.2')
  await env.scheduler.advance(5)
  assert.deepEqual(crashed.closed, ['client'], 'the peer of the killed process sees the close after the heal')

  const again = await setup()
  const destroyed = await again.open()
  again.net.cut('10.0.0.1', '10.0.0.2')
  destroyed.client.write(bytes(3))
  destroyed.client.destroy()
  await again.env.scheduler.advance(50)
  assert.deepEqual(destroyed.serverGot, [])
  again.net.heal('10.0.0.1', '10.0.0.2')
  await again.env.scheduler.advance(5)
  assert.deepEqual(Buffer.concat(destroyed.serverGot), bytes(3), 'what was written before the destroy arrives')
  assert.deepEqual(destroyed.closed, ['client', 'server'])
})

test('back-pressure: write answers false past the high-water mark and drain follows delivery; pause holds data', async () => {
  const { env, open } = await setup()
  const ends = await open()
  let drained = 0
  ends.client.on('drain', () => drained++)
  let ok = true
  for (let i = 0; i < 20 && ok; i++) ok = ends.client.write(Buffer.alloc(128 * 1024))
  assert.equal(ok, false)
  assert.ok(ends.client.writableLength >= 1024 * 1024)
  ends.server.pause()
  await env.scheduler.advance(5)
  assert.equal(drained, 1)
  assert.equal(ends.serverGot.length, 0, 'paused: nothing emitted')
  ends.server.resume()
  await env.scheduler.advance(1)
  assert.equal(Buffer.concat(ends.serverGot).length, 8 * 128 * 1024)
})

test('a listener closes once every connection it accepted has closed', async () => {
  const { env, server, open } = await setup()
  const ends = await open()
  let closed = false
  server.close(() => (closed = true))
  await env.scheduler.advance(5)
  assert.equal(closed, false)
  ends.client.destroy()
  await env.scheduler.advance(5)
  assert.equal(closed, true)
})

test('a paused host: its kernel takes bytes and connections, its process sees them only at resume, in order; peers see no close', async () => {
  const { env, net, open, lines } = await setup()
  const accepted: NetSocket[] = []
  const lateGot: Buffer[] = []
  const onConnection = (socket: NetSocket): void => {
    accepted.push(socket)
    socket.on('data', (chunk) => lateGot.push(chunk))
  }
  await net.forHost('10.0.0.2').listen({ host: '0.0.0.0', port: 3001, onConnection, onError: () => {} })
  const ends = await open()
  ends.server.write(bytes(3))
  net.pauseHost('10.0.0.2')
  assert.equal(net.isPaused('10.0.0.2'), true)
  ends.client.write(bytes(4))
  ends.client.write(bytes(4, 4))
  ends.client.end()
  const late = net.forHost('10.0.0.1').connect('10.0.0.2', 3001)
  let lateConnected = false
  late.on('connect', () => (lateConnected = true))
  late.on('close', () => ends.closed.push('late'))
  await env.scheduler.advance(10)
  late.write(bytes(2, 100))
  await env.scheduler.advance(10_000)
  assert.deepEqual(Buffer.concat(ends.clientGot), bytes(3), 'what the paused host wrote before is still sent')
  assert.equal(ends.serverGot.length, 0, 'the paused process sees no byte')
  assert.equal(accepted.length, 0, 'nor accepts a connection')
  assert.equal(lateConnected, true, 'though the handshake completed')
  assert.deepEqual(ends.closed, [], 'and nobody sees a close, however long the pause')
  assert.deepEqual(ends.errors, [])
  net.resumeHost('10.0.0.2')
  assert.equal(ends.serverGot.length, 0, 'held work runs on the next turn')
  await env.scheduler.drain()
  assert.equal(accepted.length, 1, 'accepted at resume')
  await env.scheduler.advance(10)
  assert.deepEqual(Buffer.concat(ends.serverGot), bytes(8), 'held bytes arrive whole and in order')
  assert.deepEqual(ends.closed.sort(), ['client', 'server'], 'the held FIN is seen after the bytes; then both close')
  assert.deepEqual(Buffer.concat(lateGot), bytes(2, 100))
  assert.ok(lines.some((line) => line.endsWith('pause 10.0.0.2')) && lines.some((line) => line.endsWith('resume 10.0.0.2')), 'both are logged')
})

test('a link delay adds latency one way, keeps bytes in order when it changes, and slows the handshake', async () => {
  const { env, net, open, lines } = await setup(5, { minLatencyMs: 1, maxLatencyMs: 1, splitChunks: false })
  const ends = await open()
  const arrivals: number[] = []
  ends.server.on('data', () => arrivals.push(env.clock.monotonicMs()))
  net.setLinkDelay('10.0.0.1', '10.0.0.2', 50, true)
  ends.client.write(bytes(5))
  net.setLinkDelay('10.0.0.1', '10.0.0.2', undefined, true)
  ends.client.write(bytes(5, 5))
  ends.server.write(bytes(2))
  await env.scheduler.advance(2)
  assert.deepEqual(Buffer.concat(ends.clientGot), bytes(2), 'the other way is not delayed')
  assert.equal(ends.serverGot.length, 0)
  await env.scheduler.advance(48)
  assert.equal(ends.serverGot.length, 0, 'not before 1 + 50 ms')
  await env.scheduler.advance(5)
  assert.deepEqual(Buffer.concat(ends.serverGot), bytes(10), 'the later, undelayed chunk did not overtake')
  assert.deepEqual(arrivals, [56, 56], 'sent at 5 ms, arrived at 5 + 1 + 50')
  assert.ok(lines.some((line) => line.endsWith('delay 10.0.0.1->10.0.0.2 50ms')) && lines.some((line) => line.endsWith('delay 10.0.0.1->10.0.0.2 off')))
  net.setLinkDelay('10.0.0.1', '10.0.0.2', 100)
  const startedMs = env.clock.monotonicMs()
  const slow = net.forHost('10.0.0.1').connect('10.0.0.2', 3000)
  let connectedAt = -1
  slow.on('connect', () => (connectedAt = env.clock.monotonicMs()))
  await env.scheduler.advance(300)
  assert.equal(connectedAt - startedMs, 202, 'SYN and SYN-ACK each take 1 + 100 ms')
  assert.throws(() => net.setLinkDelay('10.0.0.1', '10.0.0.2', -1), RangeError)
})
