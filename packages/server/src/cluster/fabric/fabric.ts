// The fabric: how the nodes of a cluster talk to each other (replica writes, migrations, proxies).
//
// Two connections per pair of nodes, each one-directional: a node sends on the connection it
// dialled to a peer (peer-channel.ts) and receives on the one the peer dialled to it (inbound.ts).
// No dial race to settle, each direction's order is one socket's order, and all sending state
// (queue, bound, redial) belongs to one side.
//
// Every message carries the sender's view (revision and cluster key). A receiver acts only on
// messages of its own view: older ones are dropped, newer ones are held (bounded) until it
// reaches that view. A request belongs to the view it was made in: a view change fails it, and a
// reply is not sent once the replier's view moved on; the caller retries in the new view.
import type { Env, NetServer } from '@aerolite/protocol'
import { limits } from '../../limits.ts'
import type { Logger } from '../../log.ts'
import { NO_PLANTED_FAULTS, type PlantedFaults } from '../planted-faults.ts'
import type { Endpoint, MemberInfo, View } from '../view.ts'
import { newFabricCounters, type FabricCounters } from './counters.ts'
import { FabricError, type FabricErrorCode } from './errors.ts'
import { FABRIC_FRAME_OVERHEAD_BYTES, encodeFabricHeader, type FabricFrame, type FabricKind } from './frame.ts'
import { InboundConnection } from './inbound.ts'
import { PeerChannel } from './peer-channel.ts'

/** Answers a request; only the first call sends. */
export type FabricReply = (payload: Buffer) => void

/**
 * Serves one message type. `payload` is a view of the received bytes: copy what is kept beyond the
 * call. `reply` is given for requests.
 */
export type FabricHandler = (from: string, payload: Buffer, reply: FabricReply | undefined) => void | Promise<void>

/** Bounds and delays; limits.ts gives the defaults (tests make them small). */
export interface FabricTuning {
  maxPayloadBytes: number
  maxQueuedBytesPerPeer: number
  maxHeldMessagesPerPeer: number
  maxHeldBytesPerPeer: number
  maxHeldPeers: number
  maxPendingRequests: number
  reconnectMinMs: number
  reconnectMaxMs: number
}

export interface FabricOptions {
  env: Env
  self: Pick<MemberInfo, 'nodeId'>
  log: Logger
  tuning?: Partial<FabricTuning>
  /** Deliberate bugs for the simulator's proof that its checker fails; never set by the product. */
  plantedFaults?: PlantedFaults
}

interface PendingRequest {
  nodeId: string
  timer: { cancel(): void }
  resolve(payload: Buffer): void
  reject(err: Error): void
}

interface Hold {
  frames: FabricFrame[]
  bytes: number
}

export class Fabric {
  readonly counters: FabricCounters = newFabricCounters()
  private readonly env: Env
  private readonly log: Logger
  private readonly tuning: FabricTuning
  private readonly selfId: string
  private readonly selfKey: bigint
  private readonly plantedFaults: PlantedFaults
  private view: View | undefined
  /** The view's members other than this node, by node id as the view spells it, and by number. */
  private peers = new Map<string, MemberInfo>()
  private peersByKey = new Map<bigint, MemberInfo>()
  private readonly channels = new Map<string, PeerChannel>()
  private readonly inbound = new Set<InboundConnection>()
  /** Frames from newer views, per sender, in arrival order. */
  private readonly holds = new Map<bigint, Hold>()
  private readonly pending = new Map<number, PendingRequest>()
  private readonly handlers = new Map<number, FabricHandler>()
  private nextRequestId = 1
  private readonly channelListeners: Array<(nodeId: string, open: boolean) => void> = []
  private server: NetServer | undefined
  private closed = false

  constructor(options: FabricOptions) {
    this.env = options.env
    this.log = options.log
    this.selfId = options.self.nodeId
    this.selfKey = nodeKey(options.self.nodeId)
    this.plantedFaults = options.plantedFaults ?? NO_PLANTED_FAULTS
    this.tuning = {
      maxPayloadBytes: limits.maxFabricPayloadBytes,
      maxQueuedBytesPerPeer: limits.maxFabricQueuedBytesPerPeer,
      maxHeldMessagesPerPeer: limits.maxFabricHeldMessagesPerPeer,
      maxHeldBytesPerPeer: limits.maxFabricHeldBytesPerPeer,
      maxHeldPeers: limits.maxFabricHeldPeers,
      maxPendingRequests: limits.maxFabricPendingRequests,
      reconnectMinMs: limits.fabricReconnectMinMs,
      reconnectMaxMs: limits.fabricReconnectMaxMs,
      ...options.tuning,
    }
    const largestFrame = FABRIC_FRAME_OVERHEAD_BYTES + this.tuning.maxPayloadBytes
    if (this.tuning.maxQueuedBytesPerPeer < largestFrame) throw new RangeError(`fabric: a peer queue of ${this.tuning.maxQueuedBytesPerPeer} bytes cannot hold a message of ${largestFrame} bytes`)
    if (this.tuning.maxHeldBytesPerPeer < largestFrame) throw new RangeError(`fabric: a hold of ${this.tuning.maxHeldBytesPerPeer} bytes cannot take a message of ${largestFrame} bytes`)
  }

  /** The view set last (undefined before the first). */
  get currentView(): View | undefined {
    return this.view
  }

  /** Accepts peers' connections on host:port (0: a free port); resolves with the bound endpoint. */
  async listen(host: string, port: number): Promise<Endpoint> {
    if (this.closed) throw new Error('fabric: listen after close')
    if (this.server !== undefined) throw new Error(`fabric: already listening on ${this.server.host}:${this.server.port}`)
    const server = await this.env.network.listen({
      host,
      port,
      onConnection: (socket) => {
        if (this.closed) {
          socket.destroy()
          return
        }
        this.inbound.add(new InboundConnection(socket, {
          maxPayloadBytes: this.tuning.maxPayloadBytes,
          log: this.log,
          counters: this.counters,
          onFrame: (frame) => this.receive(frame),
          onClose: (connection) => this.inboundClosed(connection),
        }))
      },
      onError: (err) => this.log.error({ err: err.message, code: err.code }, `fabric listener on ${host}:${port} failed`),
    })
    if (this.closed) {
      // close() ran while the port was being bound: it found nothing to stop.
      await new Promise<void>((resolve) => server.close(resolve))
      throw new Error('fabric: closed while starting to listen')
    }
    this.server = server
    return { host: server.host, port: server.port }
  }

  /** Registers the handler of one message type (one per type). */
  onMessage(type: number, handler: FabricHandler): void {
    checkType(type)
    if (this.handlers.has(type)) throw new Error(`fabric: message type ${type} already has a handler`)
    this.handlers.set(type, handler)
  }

  /**
   * Moves to `view`. Channels to nodes that left it (or moved their fabric endpoint) close; pending
   * requests fail (ERR_FABRIC_VIEW_CHANGED); frames not yet written are dropped; messages held for
   * this view are delivered. Views only move forward.
   */
  setView(view: View): void {
    if (this.closed) return
    const previous = this.view
    if (previous !== undefined) {
      if (view.revision < previous.revision) throw new Error(`fabric: view revision went back from ${previous.revision} to ${view.revision}`)
      if (view.revision === previous.revision) {
        if (view.clusterKey !== previous.clusterKey) throw new Error(`fabric: view revision ${view.revision} came with two cluster keys`)
        return
      }
    }
    this.view = view
    this.peers = new Map()
    this.peersByKey = new Map()
    for (const member of view.members) {
      if (member.nodeId === this.selfId) continue
      this.peers.set(member.nodeId, member)
      this.peersByKey.set(nodeKey(member.nodeId), member)
    }
    this.failPending(() => true, 'ERR_FABRIC_VIEW_CHANGED', (nodeId) => `request to node ${nodeId} failed: the view moved to revision ${view.revision}; retry in the new view`)
    for (const [nodeId, channel] of this.channels) {
      const member = this.peers.get(nodeId)
      if (member === undefined || member.fabric.host !== channel.endpoint.host || member.fabric.port !== channel.endpoint.port) {
        channel.close()
        this.channels.delete(nodeId)
      } else {
        this.counters.droppedUnsent += channel.dropQueued()
      }
    }
    this.releaseHolds(view)
  }

  /** Sends a one-way message. Throws FabricError (see its codes) when it cannot be accepted. */
  send(nodeId: string, type: number, payload: Buffer): void {
    checkType(type)
    this.transmit(nodeId, type, 0, 'one-way', payload)
  }

  /**
   * Sends a request; resolves with the reply's payload. Rejects with FabricError: timeout, the
   * channel broke, the peer left, the view changed, the fabric closed, or refused at once.
   */
  request(nodeId: string, type: number, payload: Buffer, timeoutMs: number): Promise<Buffer> {
    checkType(type)
    if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) throw new RangeError(`fabric: request timeout ${timeoutMs} ms is not a positive number`)
    return new Promise<Buffer>((resolve, reject) => {
      if (this.pending.size >= this.tuning.maxPendingRequests) {
        this.counters.refusedBackPressure++
        reject(new FabricError('ERR_FABRIC_BACKPRESSURE', nodeId, `fabric has ${this.pending.size} requests pending, its limit; request to node ${nodeId} refused`))
        return
      }
      const requestId = this.allocateRequestId()
      const timer = this.env.scheduler.after(timeoutMs, () => {
        if (!this.pending.delete(requestId)) return
        this.counters.requestTimeouts++
        reject(new FabricError('ERR_FABRIC_TIMEOUT', nodeId, `request of type ${type} to node ${nodeId} had no reply within ${timeoutMs} ms`))
      })
      // Pending before it is sent: a channel that breaks while sending must find it to fail it.
      this.pending.set(requestId, { nodeId, timer, resolve, reject })
      try {
        this.transmit(nodeId, type, requestId, 'request', payload)
      } catch (err) {
        this.pending.delete(requestId)
        timer.cancel()
        reject(err)
      }
    })
  }

  /** Calls `listener` each time the channel this node sends on to a peer opens, or breaks. */
  onChannelChange(listener: (nodeId: string, open: boolean) => void): void {
    this.channelListeners.push(listener)
  }

  /** Stops listening, closes every channel, fails every pending request (ERR_FABRIC_CLOSED). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.failPending(() => true, 'ERR_FABRIC_CLOSED', (nodeId) => `request to node ${nodeId} failed: the fabric closed`)
    for (const channel of this.channels.values()) channel.close()
    this.channels.clear()
    for (const connection of this.inbound) connection.destroy()
    this.inbound.clear()
    this.holds.clear()
    const server = this.server
    if (server !== undefined) await new Promise<void>((resolve) => server.close(resolve))
  }

  private transmit(nodeId: string, type: number, requestId: number, kind: FabricKind, payload: Buffer): void {
    if (this.closed) throw new FabricError('ERR_FABRIC_CLOSED', nodeId, `fabric is closed; no message to node ${nodeId}`)
    if (nodeId === this.selfId) throw new Error(`fabric: node ${nodeId} cannot send a fabric message to itself`)
    if (payload.length > this.tuning.maxPayloadBytes) {
      throw new FabricError('ERR_FABRIC_TOO_LARGE', nodeId, `fabric message of type ${type} to node ${nodeId} has ${payload.length} bytes, over the limit of ${this.tuning.maxPayloadBytes}`)
    }
    const view = this.view
    const member = this.peers.get(nodeId)
    if (view === undefined || member === undefined) {
      this.counters.refusedUnreachable++
      const where = view === undefined ? 'this node has no view yet' : `it is not in view ${view.revision}`
      throw new FabricError('ERR_FABRIC_UNREACHABLE', nodeId, `no fabric message to node ${nodeId}: ${where}`)
    }
    const head = encodeFabricHeader({ revision: view.revision, clusterKey: view.clusterKey, sender: this.selfKey, type, requestId, kind }, payload.length)
    this.channelTo(member).send(head, payload)
    this.counters.messagesOut++
    this.counters.bytesOut += head.length + payload.length
  }

  private channelTo(member: MemberInfo): PeerChannel {
    const existing = this.channels.get(member.nodeId)
    if (existing !== undefined) return existing
    const channel = new PeerChannel({
      env: this.env,
      log: this.log,
      nodeId: member.nodeId,
      endpoint: { host: member.fabric.host, port: member.fabric.port },
      maxQueuedBytes: this.tuning.maxQueuedBytesPerPeer,
      reconnectMinMs: this.tuning.reconnectMinMs,
      reconnectMaxMs: this.tuning.reconnectMaxMs,
      counters: this.counters,
      onOpen: () => this.channelChanged(member.nodeId, true),
      onBroken: (reason) => {
        this.failPending((p) => p.nodeId === member.nodeId, 'ERR_FABRIC_UNREACHABLE',
          (nodeId) => `request to node ${nodeId} failed: its fabric channel broke (${reason})`)
        this.channelChanged(member.nodeId, false)
      },
    })
    this.channels.set(member.nodeId, channel)
    return channel
  }

  private channelChanged(nodeId: string, open: boolean): void {
    for (const listener of this.channelListeners) listener(nodeId, open)
  }

  private allocateRequestId(): number {
    // Ids wrap within 32 bits, skipping 0 (one-way) and any still pending.
    for (;;) {
      const id = this.nextRequestId
      this.nextRequestId = id === 0xffff_ffff ? 1 : id + 1
      if (!this.pending.has(id)) return id
    }
  }

  private failPending(which: (pending: PendingRequest) => boolean, code: FabricErrorCode, message: (nodeId: string) => string): void {
    for (const [id, pending] of this.pending) {
      if (!which(pending)) continue
      this.pending.delete(id)
      pending.timer.cancel()
      this.counters.requestsFailed++
      pending.reject(new FabricError(code, pending.nodeId, message(pending.nodeId)))
    }
  }

  private inboundClosed(connection: InboundConnection): void {
    // Not a reason to fail requests to that peer: the connection may be an old incarnation's, closing
    // after the node came back. A reply lost with it surfaces as its request's timeout.
    this.inbound.delete(connection)
  }

  private receive(frame: FabricFrame): void {
    this.counters.messagesIn++
    this.counters.bytesIn += FABRIC_FRAME_OVERHEAD_BYTES + frame.payload.length
    const view = this.view
    // Behind a held frame of the same sender, a frame waits too: one sender's order is kept.
    if (view === undefined || frame.revision > view.revision || this.holds.has(frame.sender)) this.hold(frame)
    else this.accept(frame, view)
  }

  private hold(frame: FabricFrame): void {
    let hold = this.holds.get(frame.sender)
    const bytes = FABRIC_FRAME_OVERHEAD_BYTES + frame.payload.length
    if (hold === undefined ? this.holds.size >= this.tuning.maxHeldPeers
      : hold.frames.length >= this.tuning.maxHeldMessagesPerPeer || hold.bytes + bytes > this.tuning.maxHeldBytesPerPeer) {
      this.counters.droppedHeldOverBound++
      const full = hold === undefined ? `messages of ${this.holds.size} nodes are held already` : `its hold is full (${hold.frames.length} messages, ${hold.bytes} bytes)`
      this.log.debug({ peer: hex(frame.sender) }, `fabric message of view ${frame.revision} from node ${hex(frame.sender)} dropped: ${full}`)
      return
    }
    if (hold === undefined) {
      hold = { frames: [], bytes: 0 }
      this.holds.set(frame.sender, hold)
    }
    // A copy: the received payload is a view of a socket chunk that may be far larger than it.
    hold.frames.push({ ...frame, payload: Buffer.from(frame.payload) })
    hold.bytes += bytes
    this.counters.held++
  }

  /** Acts on the held frames of views up to `view`, per sender in arrival order. */
  private releaseHolds(view: View): void {
    for (const [sender, hold] of this.holds) {
      while (hold.frames.length > 0 && hold.frames[0]!.revision <= view.revision) {
        const frame = hold.frames.shift()!
        hold.bytes -= FABRIC_FRAME_OVERHEAD_BYTES + frame.payload.length
        this.accept(frame, view)
        // A handler may have moved the view on, or closed the fabric: it released what it could.
        if (this.view !== view) return
      }
      if (hold.frames.length === 0) this.holds.delete(sender)
    }
  }

  /** A frame of `view` or an older one. */
  private accept(frame: FabricFrame, view: View): void {
    if (frame.revision < view.revision) {
      // Planted fault: a message of an older view (its revision and cluster key) is acted on.
      if (!this.plantedFaults.has('accept-stale-view')) {
        this.counters.droppedStale++
        return
      }
    } else if (frame.clusterKey !== view.clusterKey) {
      this.counters.droppedWrongKey++
      return
    }
    const member = this.peersByKey.get(frame.sender)
    if (member === undefined) {
      this.counters.droppedNotMember++
      return
    }
    if (frame.kind === 'reply') return this.answered(member.nodeId, frame)
    const handler = this.handlers.get(frame.type)
    if (handler === undefined) {
      this.counters.droppedNoHandler++
      this.log.debug({ peer: member.nodeId }, `fabric message of type ${frame.type} from node ${member.nodeId} has no handler: dropped`)
      return
    }
    const reply = frame.kind === 'request' ? this.replier(member.nodeId, frame.type, frame.requestId, view) : undefined
    try {
      const done = handler(member.nodeId, frame.payload, reply)
      if (done instanceof Promise) done.catch((err: unknown) => this.handlerFault(frame.type, member.nodeId, err))
    } catch (err) {
      this.handlerFault(frame.type, member.nodeId, err)
    }
  }

  private answered(nodeId: string, frame: FabricFrame): void {
    const pending = this.pending.get(frame.requestId)
    if (pending === undefined || pending.nodeId !== nodeId) {
      this.counters.repliesUnmatched++
      return
    }
    this.pending.delete(frame.requestId)
    pending.timer.cancel()
    pending.resolve(frame.payload)
  }

  private replier(nodeId: string, type: number, requestId: number, view: View): FabricReply {
    let answered = false
    return (payload) => {
      if (answered) throw new Error(`fabric: request ${requestId} from node ${nodeId} was already answered`)
      answered = true
      if (this.view !== view) {
        this.counters.repliesDroppedViewChanged++
        return
      }
      try {
        this.transmit(nodeId, type, requestId, 'reply', payload)
      } catch (err) {
        if (!(err instanceof FabricError)) throw err
        // The requester times out or fails over: a reply that cannot leave is not the handler's fault.
        this.counters.repliesNotSent++
        this.log.debug({ peer: nodeId, code: err.code }, `fabric reply to node ${nodeId} not sent: ${err.message}`)
      }
    }
  }

  private handlerFault(type: number, nodeId: string, err: unknown): void {
    this.counters.handlerFaults++
    this.log.error({ err, peer: nodeId }, `fabric handler of message type ${type} failed on a message from node ${nodeId}`)
  }
}

/** A node id (upper-case hex of 64 bits) as the number fabric headers carry. */
export function nodeKey(nodeId: string): bigint {
  if (!/^[0-9A-Fa-f]{1,16}$/.test(nodeId)) throw new RangeError(`fabric: node id '${nodeId}' is not 1 to 16 hex digits`)
  return BigInt(`0x${nodeId}`)
}

function hex(nodeId: bigint): string {
  return nodeId.toString(16).toUpperCase()
}

function checkType(type: number): void {
  if (!Number.isInteger(type) || type < 0 || type > 0xff) throw new RangeError(`fabric: message type ${type} is not an integer in 0..255`)
}
