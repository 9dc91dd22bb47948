// A network of many hosts in one process, on a manual scheduler, for the simulator: no socket is
// real and nothing waits on real time. Each host gets its own Network (forHost), so every
// connection knows both of its ends. What TCP promises holds: per direction, bytes arrive once and
// in order, after a latency drawn from the seeded random (chunks may be split on the way, as TCP
// may split them). What TCP does not promise is what the faults do:
//   - cut(from, to): bytes from `from` to `to` wait (TCP retransmitting) until the link heals,
//     those of a socket closed meanwhile too, its FIN last (a killed process's peer sees the close
//     after the heal); a connection attempt over a cut link fails after the SYN timeout;
//   - reset(a, b): every connection between the two hosts ends with ECONNRESET on both sides;
//   - crashHost(host): the host's listeners vanish and its sockets close (peers see the close, as
//     the kernel of a killed process sends it), or with `silent` peers see nothing (a machine gone);
//   - pauseHost(host): the host's process is stopped (SIGSTOP): its kernel still takes bytes and
//     connections, but the process sees nothing (no event of its sockets, no accept) until
//     resumeHost(), when it sees all of it in the order it arrived; peers see no close;
//   - setLinkDelay(from, to, ms): a slow or congested path adds ms to every chunk's latency,
//     bytes still in order.
import { EventEmitter } from 'node:events'
import type { Clock, EnvError, ListenOptions, Network, NetServer, NetSocket, Random, Scheduler, Timer } from '@aerolite/protocol'

export interface SimNetworkOptions {
  /** One-way latency of a chunk: min + (max - min) × random (default 0.1..1 ms). */
  minLatencyMs?: number
  maxLatencyMs?: number
  /** How long a connection attempt over a cut link waits before ETIMEDOUT (default 3000 ms). */
  synTimeoutMs?: number
  /** Whether chunks may arrive split in two (default true): framing must not depend on write boundaries. */
  splitChunks?: boolean
  log?: (line: string) => void
}

/** Bytes a socket may have on the way before write() asks the writer to wait for 'drain'. */
const HIGH_WATER_BYTES = 1024 * 1024
const FIRST_FREE_PORT = 30_000
/** How often a connection attempt over a cut link tries again (a SYN retransmission), until the SYN timeout. */
const SYN_RETRY_MS = 200

interface Listener {
  host: string
  port: number
  onConnection: (socket: NetSocket) => void
  closing: (() => void) | undefined
  accepted: Set<SimSocket>
}

export class SimNetwork {
  private readonly clock: Clock
  private readonly scheduler: Scheduler
  private readonly random: Random
  private readonly minLatencyMs: number
  private readonly maxLatencyMs: number
  private readonly synTimeoutMs: number
  private readonly splitChunks: boolean
  private readonly listeners = new Map<string, Listener>()
  private readonly nextPort = new Map<string, number>()
  private readonly cutLinks = new Set<string>()
  /** Extra one-way latency per link (ms). */
  private readonly linkDelays = new Map<string, number>()
  private readonly pausedHosts = new Set<string>()
  /** Per host, what its process must see (arrivals, socket events) held while it is paused, in order. */
  private readonly heldWork = new Map<string, (() => void)[]>()
  /** Sockets open per host (both ends of each connection are registered with their own host). */
  private readonly sockets = new Map<string, Set<SimSocket>>()
  /**
   * Closed sockets whose last bytes or FIN still wait on a cut link: their kernel retransmits them
   * after the heal as it would for an open one (the peer of a process killed during a partition
   * must still see the close, or it writes into a dead connection forever).
   */
  private readonly lingering = new Set<SimSocket>()
  /** Called with every delivery and connection event, for the event log a simulation hashes. */
  readonly log: (line: string) => void

  constructor(env: { clock: Clock; scheduler: Scheduler; random: Random }, options: SimNetworkOptions = {}) {
    this.clock = env.clock
    this.scheduler = env.scheduler
    this.random = env.random
    this.minLatencyMs = options.minLatencyMs ?? 0.1
    this.maxLatencyMs = options.maxLatencyMs ?? 1
    this.synTimeoutMs = options.synTimeoutMs ?? 3000
    this.splitChunks = options.splitChunks ?? true
    this.log = options.log ?? (() => {})
  }

  /** The Network of one host: listen binds on it, connect starts from it. */
  forHost(host: string): Network {
    return {
      listen: (options) => this.listen(host, options),
      connect: (toHost, port) => this.connect(host, toHost, port),
      turnEnd: (run) => { this.scheduler.soon(run) },
    }
  }

  /** Bytes (and connection attempts) from `from` to `to` wait until heal(); both ways unless oneWay. */
  cut(from: string, to: string, oneWay = false): void {
    this.cutLinks.add(linkKey(from, to))
    if (!oneWay) this.cutLinks.add(linkKey(to, from))
    this.log(`cut ${from}${oneWay ? '->' : '<->'}${to}`)
  }

  heal(from: string, to: string, oneWay = false): void {
    this.cutLinks.delete(linkKey(from, to))
    if (!oneWay) this.cutLinks.delete(linkKey(to, from))
    this.log(`heal ${from}${oneWay ? '->' : '<->'}${to}`)
    this.linksHealed()
  }

  healAll(): void {
    this.cutLinks.clear()
    this.log('heal all')
    this.linksHealed()
  }

  private linksHealed(): void {
    for (const set of this.sockets.values()) for (const socket of set) socket.linkHealed()
    for (const socket of [...this.lingering]) socket.linkHealed()
  }

  isCut(from: string, to: string): boolean {
    return this.cutLinks.has(linkKey(from, to))
  }

  /**
   * Adds extraMs to the one-way latency of every chunk (and connection handshake) sent from `from`
   * to `to` from now on (both ways unless oneWay); undefined or 0 removes it. Bytes already on the
   * way keep their arrival time, and no chunk overtakes an earlier one on the same connection.
   */
  setLinkDelay(from: string, to: string, extraMs: number | undefined, oneWay = false): void {
    if (extraMs !== undefined && !(extraMs >= 0 && Number.isFinite(extraMs))) throw new RangeError(`a link delay must be a finite number of ms from 0, not ${extraMs}`)
    for (const key of oneWay ? [linkKey(from, to)] : [linkKey(from, to), linkKey(to, from)]) {
      if (extraMs === undefined || extraMs === 0) this.linkDelays.delete(key)
      else this.linkDelays.set(key, extraMs)
    }
    this.log(`delay ${from}${oneWay ? '->' : '<->'}${to} ${extraMs === undefined || extraMs === 0 ? 'off' : `${extraMs}ms`}`)
  }

  linkDelayMs(from: string, to: string): number {
    return this.linkDelays.get(linkKey(from, to)) ?? 0
  }

  /**
   * Stops the host's process (SIGSTOP): until resumeHost(), bytes and FINs reaching its sockets
   * wait in its kernel, connections to its listeners complete but are not accepted (onConnection
   * waits), and no event of its sockets is emitted. Nothing closes: peers see a silent host.
   * Bytes it wrote before are still sent (they are in its kernel); it writes nothing new, as its
   * process runs no code (pause its simNodeEnv too).
   */
  pauseHost(host: string): void {
    this.pausedHosts.add(host)
    this.log(`pause ${host}`)
  }

  /** Continues the host's process: on the next turn it sees what it was held from, in the order it arrived. */
  resumeHost(host: string): void {
    if (!this.pausedHosts.delete(host)) return
    this.log(`resume ${host}`)
    if (this.heldWork.has(host)) this.scheduler.soon(() => this.releaseHeld(host))
  }

  isPaused(host: string): boolean {
    return this.pausedHosts.has(host)
  }

  /** Ends every connection between a and b with ECONNRESET on both sides. */
  reset(a: string, b: string): void {
    this.log(`reset ${a}<->${b}`)
    for (const socket of [...(this.sockets.get(a) ?? [])]) if (socket.remoteAddress === b) socket.fail('ECONNRESET')
  }

  /** The host's process is gone: listeners vanish; its sockets close (peers told unless silent). */
  crashHost(host: string, options: { silent?: boolean } = {}): void {
    this.log(`crash ${host}${options.silent === true ? ' silent' : ''}`)
    // A stopped process can be killed too; what it was held from dies with it.
    this.pausedHosts.delete(host)
    this.heldWork.delete(host)
    for (const [key, listener] of this.listeners) if (listener.host === host) this.listeners.delete(key)
    for (const socket of [...(this.sockets.get(host) ?? [])]) socket.vanish(options.silent === true)
  }

  // --- for SimSocket ------------------------------------------------------------------------

  /** A latency for one chunk. */
  latencyMs(): number {
    return this.minLatencyMs + (this.maxLatencyMs - this.minLatencyMs) * this.random.float()
  }

  /** Where to split a chunk on the way (0: not split). */
  splitAt(length: number): number {
    if (!this.splitChunks || length < 2 || this.random.float() < 0.5) return 0
    return 1 + Math.floor(this.random.float() * (length - 1))
  }

  after(ms: number, run: () => void): Timer {
    return this.scheduler.after(ms, run)
  }

  /**
   * Runs what the host's process sees (an arrival, a socket event) now, or holds it while the host
   * is paused; held work keeps its place, so nothing arriving after the resume overtakes it.
   */
  toHost(host: string, run: () => void): void {
    const held = this.heldWork.get(host)
    if (held !== undefined) held.push(run)
    else if (this.pausedHosts.has(host)) this.heldWork.set(host, [run])
    else run()
  }

  private releaseHeld(host: string): void {
    const held = this.heldWork.get(host)
    if (held === undefined) return
    while (!this.pausedHosts.has(host) && held.length > 0) held.shift()!()
    if (held.length === 0 && this.heldWork.get(host) === held) this.heldWork.delete(host)
  }

  opened(socket: SimSocket): void {
    let set = this.sockets.get(socket.localHost)
    if (set === undefined) this.sockets.set(socket.localHost, (set = new Set()))
    set.add(socket)
  }

  /** The socket closed; with bytes or its FIN still to send, it lingers until they are sent. */
  closed(socket: SimSocket, sending: boolean): void {
    this.sockets.get(socket.localHost)?.delete(socket)
    if (sending) this.lingering.add(socket)
  }

  /** A closed socket sent its last bytes. */
  drained(socket: SimSocket): void {
    this.lingering.delete(socket)
  }

  // --- listen and connect -------------------------------------------------------------------

  private listen(host: string, options: ListenOptions): Promise<NetServer> {
    if (options.host !== host && options.host !== '0.0.0.0' && options.host !== '::') {
      return Promise.reject(osError('EADDRNOTAVAIL', `listen EADDRNOTAVAIL: address not available ${options.host}:${options.port}`))
    }
    let port = options.port
    if (port === 0) {
      port = this.nextPort.get(host) ?? FIRST_FREE_PORT
      while (this.listeners.has(`${host}:${port}`)) port++
      this.nextPort.set(host, port + 1)
    } else if (this.listeners.has(`${host}:${port}`)) {
      return Promise.reject(osError('EADDRINUSE', `listen EADDRINUSE: address already in use ${host}:${port}`))
    }
    const listener: Listener = { host, port, onConnection: options.onConnection, closing: undefined, accepted: new Set() }
    const key = `${host}:${port}`
    this.listeners.set(key, listener)
    this.log(`listen ${key}`)
    return Promise.resolve({
      host,
      port,
      close: (done) => {
        if (this.listeners.get(key) === listener) this.listeners.delete(key)
        listener.closing = done
        if (listener.accepted.size === 0) this.scheduler.soon(done)
      },
    })
  }

  private connect(fromHost: string, toHost: string, port: number): NetSocket {
    const client = new SimSocket(this, fromHost, toHost)
    const startedMs = this.now()
    const attempt = (): void => {
      if (client.destroyed) return
      if (this.isCut(fromHost, toHost) || this.isCut(toHost, fromHost)) {
        if (this.now() - startedMs >= this.synTimeoutMs) return client.fail('ETIMEDOUT')
        this.after(Math.min(SYN_RETRY_MS, this.synTimeoutMs), attempt)
        return
      }
      const listener = this.listeners.get(`${toHost}:${port}`)
      if (listener === undefined || listener.closing !== undefined) return client.fail('ECONNREFUSED')
      const server = new SimSocket(this, toHost, fromHost)
      client.pair(server)
      server.pair(client)
      server.accepted()
      listener.accepted.add(server)
      server.onClosed(() => {
        listener.accepted.delete(server)
        if (listener.closing !== undefined && listener.accepted.size === 0) listener.closing()
      })
      this.log(`connect ${fromHost}->${toHost}:${port}`)
      // The kernel completes the handshake; a paused process accepts it only once it runs again.
      this.toHost(toHost, () => listener.onConnection(server))
      this.after(this.latencyMs() + this.linkDelayMs(toHost, fromHost), () => this.toHost(fromHost, () => client.connected()))
    }
    this.after(this.latencyMs() + this.linkDelayMs(fromHost, toHost), attempt)
    return client
  }

  now(): number {
    return this.clock.monotonicMs()
  }

  soon(run: () => void): void {
    this.scheduler.soon(run)
  }
}

function linkKey(from: string, to: string): string {
  return `${from}>${to}`
}

function osError(code: string, message: string): EnvError {
  const error: EnvError = new Error(message)
  error.code = code
  return error
}

/** A chunk on its way, or the end of the stream (FIN) after the chunks before it. */
interface InFlight {
  data: Buffer | 'fin'
  readyAtMs: number
}

type SocketState = 'connecting' | 'open' | 'closed'

/** One end of a simulated connection. */
class SimSocket extends EventEmitter implements NetSocket {
  readonly localHost: string
  readonly remoteAddress: string
  private readonly net: SimNetwork
  private peer: SimSocket | undefined
  private state: SocketState = 'connecting'
  /** Outbound, in order; delivered by one timer at a time, and held while the link is cut. */
  private readonly outbound: InFlight[] = []
  private lastReadyAtMs = 0
  private pump: Timer | undefined
  private queuedBytes = 0
  private needDrain = false
  /** Written before the connection was made (Node queues those too). */
  private readonly early: Buffer[] = []
  private ending = false
  private paused = false
  private readonly inbox: Buffer[] = []
  private closeListeners: (() => void)[] = []

  constructor(net: SimNetwork, localHost: string, remoteHost: string) {
    super()
    this.net = net
    this.localHost = localHost
    this.remoteAddress = remoteHost
    net.opened(this)
  }

  get destroyed(): boolean {
    return this.state === 'closed'
  }

  get writableLength(): number {
    return this.queuedBytes
  }

  // --- the NetSocket surface ----------------------------------------------------------------

  write(data: Uint8Array): boolean {
    if (this.state === 'closed' || this.ending) return false
    const chunk = Buffer.from(data)
    this.queuedBytes += chunk.length
    if (this.state === 'connecting') this.early.push(chunk)
    else this.send(chunk)
    if (this.queuedBytes < HIGH_WATER_BYTES) return true
    this.needDrain = true
    return false
  }

  end(data?: Uint8Array): this {
    if (data !== undefined) this.write(data)
    if (this.state === 'closed' || this.ending) return this
    this.ending = true
    if (this.state === 'open') this.finish()
    return this
  }

  /** Closes this end now; what was written is still sent, then the peer sees the close. */
  destroy(): this {
    if (this.state === 'closed') return this
    if (this.state === 'open' && !this.ending) this.enqueue('fin')
    this.ending = true
    this.close(undefined)
    return this
  }

  pause(): this {
    this.paused = true
    return this
  }

  resume(): this {
    if (!this.paused) return this
    this.paused = false
    this.net.soon(() => this.net.toHost(this.localHost, () => this.flushInbox()))
    return this
  }

  isPaused(): boolean {
    return this.paused
  }

  cork(): void {}

  uncork(): void {}

  setNoDelay(): this {
    return this
  }

  /** Sends the FIN after what was written; 'finish' follows, as Node's once the kernel has it all. */
  private finish(): void {
    this.enqueue('fin')
    this.net.soon(() => this.net.toHost(this.localHost, () => {
      if (this.state === 'open') this.emit('finish')
    }))
  }

  // --- the network's side -------------------------------------------------------------------

  pair(peer: SimSocket): void {
    this.peer = peer
  }

  /** The server side is open as soon as it is accepted; the client side once the SYN-ACK arrives. */
  connected(): void {
    if (this.state !== 'connecting') return
    this.state = 'open'
    for (const chunk of this.early.splice(0)) this.send(chunk)
    if (this.ending) this.finish()
    this.emit('connect')
    this.flushInbox()
  }

  accepted(): void {
    this.state = 'open'
  }

  /** Both ends fail at once with `code` (a reset, a refused or timed-out connect). */
  fail(code: string): void {
    const peer = this.peer
    this.close(osError(code, `${code === 'ECONNREFUSED' ? 'connect' : 'read'} ${code} ${this.remoteAddress}`))
    if (peer !== undefined && peer.state !== 'closed') peer.close(osError(code, `read ${code} ${peer.remoteAddress}`))
  }

  /** This socket's process is gone: no event here; the peer sees a close unless `silent`. */
  vanish(silent: boolean): void {
    if (this.state === 'closed') return
    this.removeAllListeners()
    const wasOpen = this.state === 'open'
    this.state = 'closed'
    for (const listener of this.closeListeners.splice(0)) listener()
    this.outbound.splice(0)
    this.pump?.cancel()
    this.pump = undefined
    // The kernel of a killed process closes its connections; a machine that is gone says nothing.
    if (!silent && wasOpen && !this.ending) this.enqueue('fin')
    this.net.closed(this, this.outbound.length > 0)
  }

  /** The peer's FIN arrived: this end answers with its own (no half-open connections) and closes. */
  remoteEnded(): void {
    if (this.state === 'closed') return
    if (this.state === 'open' && !this.ending) {
      this.ending = true
      this.enqueue('fin')
    }
    this.close(undefined)
  }

  linkHealed(): void {
    this.armPump()
  }

  onClosed(listener: () => void): void {
    this.closeListeners.push(listener)
  }

  private receive(chunk: Buffer): void {
    if (this.state === 'closed') return
    if (this.paused || this.inbox.length > 0 || this.state === 'connecting') this.inbox.push(chunk)
    else this.emit('data', chunk)
  }

  private flushInbox(): void {
    while (!this.paused && this.inbox.length > 0 && this.state === 'open') this.emit('data', this.inbox.shift()!)
  }

  private send(chunk: Buffer): void {
    const at = this.net.splitAt(chunk.length)
    if (at === 0) return this.enqueue(chunk)
    this.enqueue(chunk.subarray(0, at))
    this.enqueue(chunk.subarray(at))
  }

  private enqueue(data: Buffer | 'fin'): void {
    const readyAtMs = Math.max(this.net.now() + this.net.latencyMs() + this.net.linkDelayMs(this.localHost, this.remoteAddress), this.lastReadyAtMs)
    this.lastReadyAtMs = readyAtMs
    this.outbound.push({ data, readyAtMs })
    this.armPump()
  }

  private armPump(): void {
    if (this.pump !== undefined || this.outbound.length === 0 || this.peer === undefined) return
    if (this.net.isCut(this.localHost, this.remoteAddress)) return
    const waitMs = Math.max(0, this.outbound[0]!.readyAtMs - this.net.now())
    this.pump = this.net.after(waitMs, () => {
      this.pump = undefined
      this.deliverDue()
    })
  }

  private deliverDue(): void {
    const peer = this.peer!
    while (this.outbound.length > 0 && this.outbound[0]!.readyAtMs <= this.net.now()) {
      // A link cut while chunks were on the way holds them (TCP retransmits after the heal).
      if (this.net.isCut(this.localHost, this.remoteAddress)) return
      const { data } = this.outbound.shift()!
      if (data === 'fin') {
        this.net.log(`fin ${this.localHost}->${this.remoteAddress}`)
        this.net.toHost(peer.localHost, () => peer.remoteEnded())
        continue
      }
      this.queuedBytes -= data.length
      this.net.log(`data ${this.localHost}->${this.remoteAddress} ${data.length}`)
      this.net.toHost(peer.localHost, () => peer.receive(data))
      if (this.needDrain && this.queuedBytes < HIGH_WATER_BYTES && this.state !== 'closed') {
        this.needDrain = false
        this.net.toHost(this.localHost, () => this.emit('drain'))
      }
    }
    if (this.outbound.length === 0 && this.state === 'closed') this.net.drained(this)
    this.armPump()
  }

  /** Closes this end: 'error' (when given) then 'close', after the current turn, as Node does. */
  private close(error: EnvError | undefined): void {
    if (this.state === 'closed') return
    const wasOpen = this.state === 'open'
    this.state = 'closed'
    this.early.splice(0)
    this.inbox.splice(0)
    if (error !== undefined || !wasOpen) {
      this.outbound.splice(0)
      this.pump?.cancel()
      this.pump = undefined
    }
    this.net.closed(this, this.outbound.length > 0)
    this.net.soon(() => this.net.toHost(this.localHost, () => {
      if (error !== undefined) this.emit('error', error)
      this.emit('close')
      for (const listener of this.closeListeners.splice(0)) listener()
    }))
  }
}
