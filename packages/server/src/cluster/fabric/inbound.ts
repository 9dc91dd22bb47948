// The inbound half of the fabric from one peer: a connection the peer dialled and sends on. It
// carries one sender's frames, in the order sent; a malformed or oversized frame, or a second
// sender, closes it with one logged line (the peer redials).
import type { NetSocket } from '@aerolite/protocol'
import type { Logger } from '../../log.ts'
import type { FabricCounters } from './counters.ts'
import { FabricFrameError, FabricFrameParser, type FabricFrame } from './frame.ts'

export interface InboundOptions {
  maxPayloadBytes: number
  log: Logger
  counters: FabricCounters
  onFrame(frame: FabricFrame): void
  onClose(connection: InboundConnection): void
}

export class InboundConnection {
  private readonly socket: NetSocket
  private readonly parser: FabricFrameParser
  private readonly options: InboundOptions
  private sender: bigint | undefined
  private closed = false

  constructor(socket: NetSocket, options: InboundOptions) {
    this.socket = socket
    this.options = options
    this.parser = new FabricFrameParser(options.maxPayloadBytes)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (err) => options.log.debug({ remote: socket.remoteAddress, err: err.message }, 'fabric inbound socket error'))
    socket.on('close', () => {
      this.closed = true
      options.onClose(this)
    })
  }

  destroy(): void {
    this.closed = true
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return
    let frames: FabricFrame[]
    try {
      frames = this.parser.push(chunk)
    } catch (err) {
      if (!(err instanceof FabricFrameError)) throw err
      return this.refuse(err.message)
    }
    for (const frame of frames) {
      if (this.sender === undefined) this.sender = frame.sender
      else if (frame.sender !== this.sender) return this.refuse(`frame from node ${hex(frame.sender)} on the connection of node ${hex(this.sender)}`)
      this.options.onFrame(frame)
      // A handler may have closed the fabric.
      if (this.closed) return
    }
  }

  private refuse(reason: string): void {
    this.options.counters.badFrames++
    const from = this.sender === undefined ? '' : ` (node ${hex(this.sender)})`
    this.options.log.warn({ remote: this.socket.remoteAddress }, `closing fabric connection from ${this.socket.remoteAddress ?? 'unknown'}${from}: ${reason}`)
    this.destroy()
  }
}

function hex(nodeId: bigint): string {
  return nodeId.toString(16).toUpperCase()
}
