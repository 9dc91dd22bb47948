// The outbound half of the fabric to one peer: the connection this node dials and sends on (the
// peer never writes on it; it sends to us on the connection it dials). It connects on the first
// send, queues frames while connecting, writes them corked so one turn's messages leave in few
// writes, refuses past a byte bound, and redials with capped, jittered exponential back-off when
// the connection breaks.
//
// While connecting, frames queue within the bound. Once a connection broke (or failed to open),
// everything not yet written is dropped and, until the redial connects, sends fail fast as
// unreachable: a peer that is down does not collect a backlog its callers are waiting on.
import type { Env, NetSocket, Timer } from '@aerolite/protocol'
import type { Logger } from '../../log.ts'
import type { Endpoint } from '../view.ts'
import type { FabricCounters } from './counters.ts'
import { FabricError } from './errors.ts'

export interface PeerChannelOptions {
  env: Env
  log: Logger
  nodeId: string
  endpoint: Endpoint
  /** Bytes accepted and not yet written to the socket (queued while connecting, or in its buffer). */
  maxQueuedBytes: number
  reconnectMinMs: number
  reconnectMaxMs: number
  counters: FabricCounters
  onOpen(): void
  /** The connection broke or could not open: frames not yet written are lost. */
  onBroken(reason: string): void
}

type State = 'idle' | 'connecting' | 'open' | 'backoff' | 'closed'

export class PeerChannel {
  readonly nodeId: string
  readonly endpoint: Endpoint
  private readonly options: PeerChannelOptions
  private state: State = 'idle'
  private socket: NetSocket | undefined
  /** Frames waiting for the connection to open: header and payload buffers, in order. */
  private queue: Buffer[] = []
  private queuedBytes = 0
  private queuedFrames = 0
  /** Breaks since the last successful connect: sets the back-off. */
  private failures = 0
  private lastProblem = ''
  private redial: Timer | undefined
  private corkedSocket: NetSocket | undefined

  constructor(options: PeerChannelOptions) {
    this.options = options
    this.nodeId = options.nodeId
    this.endpoint = options.endpoint
  }

  /** Whether the connection is open now. */
  get isOpen(): boolean {
    return this.state === 'open'
  }

  /** Bytes accepted and not yet written to the network. */
  get pendingBytes(): number {
    return this.state === 'open' ? this.socket!.writableLength : this.queuedBytes
  }

  /**
   * Sends one frame (its header, then its payload); `payload` must not change afterwards. Throws
   * FabricError when the channel is broken or closed, or past the byte bound.
   */
  send(head: Buffer, payload: Buffer): void {
    const bytes = head.length + payload.length
    if (this.state === 'closed') throw new FabricError('ERR_FABRIC_CLOSED', this.nodeId, `fabric channel to node ${this.nodeId} is closed`)
    if (this.state === 'backoff') {
      this.options.counters.refusedUnreachable++
      throw new FabricError('ERR_FABRIC_UNREACHABLE', this.nodeId, `node ${this.nodeId} at ${this.address()} is unreachable (${this.lastProblem}); redialling in the background`)
    }
    if (this.pendingBytes + bytes > this.options.maxQueuedBytes) {
      this.options.counters.refusedBackPressure++
      throw new FabricError('ERR_FABRIC_BACKPRESSURE', this.nodeId,
        `fabric queue to node ${this.nodeId} holds ${this.pendingBytes} bytes; ${bytes} more would pass its limit of ${this.options.maxQueuedBytes}`)
    }
    if (this.state === 'open') return this.write(this.socket!, head, payload)
    if (this.state === 'idle') this.connect()
    this.queue.push(head, payload)
    this.queuedBytes += bytes
    this.queuedFrames++
  }

  /** Drops the frames not yet handed to the socket (they belong to a view that ended); returns how many. */
  dropQueued(): number {
    const dropped = this.queuedFrames
    this.queue = []
    this.queuedBytes = 0
    this.queuedFrames = 0
    return dropped
  }

  /** Closes for good: the peer left the view, or the fabric is closing. Unwritten frames are dropped. */
  close(): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.redial?.cancel()
    this.redial = undefined
    this.options.counters.droppedUnsent += this.dropQueued()
    const socket = this.socket
    this.socket = undefined
    socket?.destroy()
  }

  private connect(): void {
    this.state = 'connecting'
    const { host, port } = this.endpoint
    const socket = this.options.env.network.connect(host, port)
    this.socket = socket
    socket.on('connect', () => {
      if (this.socket !== socket) return
      this.opened(socket)
    })
    socket.on('error', (err) => {
      this.lastProblem = (err as { code?: string }).code ?? err.message
    })
    socket.on('data', () => {
      // One-directional by design: a peer that writes here does not speak this protocol.
      if (this.socket !== socket) return
      this.lastProblem = 'peer wrote on an outbound fabric connection'
      socket.destroy()
    })
    socket.on('close', () => {
      if (this.socket !== socket) return
      this.socket = undefined
      this.broken()
    })
  }

  private opened(socket: NetSocket): void {
    this.state = 'open'
    this.options.counters.channelsOpened++
    if (this.failures > 0) {
      this.options.counters.reconnects++
      this.options.log.info({ peer: this.nodeId }, `fabric channel to node ${this.nodeId} at ${this.address()} reconnected after ${this.failures} failure(s)`)
    }
    this.failures = 0
    socket.setNoDelay(true)
    if (this.queue.length > 0) {
      socket.cork()
      for (const buffer of this.queue) if (buffer.length > 0) socket.write(buffer)
      socket.uncork()
      this.queue = []
      this.queuedBytes = 0
      this.queuedFrames = 0
    }
    this.options.onOpen()
  }

  private write(socket: NetSocket, head: Buffer, payload: Buffer): void {
    // Everything sent in this turn leaves in one writev when the turn ends.
    if (this.corkedSocket !== socket) {
      this.corkedSocket = socket
      socket.cork()
      this.options.env.scheduler.soon(() => {
        if (this.corkedSocket === socket) this.corkedSocket = undefined
        socket.uncork()
      })
    }
    socket.write(head)
    if (payload.length > 0) socket.write(payload)
  }

  private broken(): void {
    const lost = this.dropQueued()
    this.options.counters.droppedUnsent += lost
    this.options.counters.channelBreaks++
    const reason = this.lastProblem === '' ? 'connection closed' : this.lastProblem
    this.lastProblem = reason
    this.failures++
    const { reconnectMinMs, reconnectMaxMs, env, log } = this.options
    const ceilingMs = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** Math.min(this.failures - 1, 30))
    // Jitter: peers that lost the same node do not all redial it at the same moment.
    const delayMs = Math.round(ceilingMs * (0.5 + 0.5 * env.random.float()))
    this.state = 'backoff'
    this.redial = env.scheduler.after(delayMs, () => {
      this.redial = undefined
      this.options.counters.reconnectAttempts++
      this.lastProblem = ''
      this.connect()
    })
    const line = `fabric channel to node ${this.nodeId} at ${this.address()} broke (${reason}); ${lost} unsent message(s) dropped; redialling in ${delayMs} ms`
    // The first break is news; the redials that fail after it are not.
    if (this.failures === 1) log.warn({ peer: this.nodeId }, line)
    else log.debug({ peer: this.nodeId }, line)
    this.options.onBroken(reason)
  }

  private address(): string {
    return `${this.endpoint.host}:${this.endpoint.port}`
  }
}
