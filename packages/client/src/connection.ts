// One TCP connection to a node. Requests may be pipelined; the node answers them in order, so each
// reply goes to the oldest waiter. send() takes a waiter object instead of returning a promise, so
// a caller that reuses its waiters (the benchmark) sends without allocating per request.
import { FrameError, FrameParser, type Env, type Frame, type NetSocket } from '@aerolite/protocol'
import { Fifo } from './fifo.ts'

/** Aerospike's PROTO_SIZE_MAX: no reply frame is larger. */
export const MAX_REPLY_BODY_BYTES = 128 * 1024 * 1024

export interface ReplyWaiter {
  onReply(frame: Frame): void
  /** The connection failed or closed before this request's reply arrived. */
  onFailure(error: ConnectionError): void
}

export type ConnectionErrorCode = 'ERR_CONNECT' | 'ERR_CONNECT_TIMEOUT' | 'ERR_CLOSED' | 'ERR_TIMEOUT' | 'ERR_FRAME'

export class ConnectionError extends Error {
  readonly code: ConnectionErrorCode
  constructor(code: ConnectionErrorCode, message: string) {
    super(message)
    this.name = 'ConnectionError'
    this.code = code
  }
}

export interface ConnectOptions {
  /** The network and timers to use (the server package's realEnv in a real process). */
  env: Env
  connectTimeoutMs?: number
}

export class Connection {
  readonly host: string
  readonly port: number
  private readonly socket: NetSocket
  private readonly parser = new FrameParser(MAX_REPLY_BODY_BYTES)
  private readonly waiters = new Fifo<ReplyWaiter>()
  private failure: ConnectionError | undefined

  private constructor(socket: NetSocket, host: string, port: number) {
    this.socket = socket
    this.host = host
    this.port = port
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (err) => this.fail(new ConnectionError('ERR_CLOSED', `connection to ${host}:${port} failed: ${err.message}`)))
    socket.on('close', () => this.fail(new ConnectionError('ERR_CLOSED', `connection to ${host}:${port} closed`)))
  }

  static open(host: string, port: number, options: ConnectOptions): Promise<Connection> {
    const timeoutMs = options.connectTimeoutMs ?? 1000
    const { network, scheduler } = options.env
    return new Promise((resolve, reject) => {
      const socket = network.connect(host, port)
      const timer = scheduler.after(timeoutMs, () => {
        socket.destroy()
        reject(new ConnectionError('ERR_CONNECT_TIMEOUT', `no connection to ${host}:${port} within ${timeoutMs} ms`))
      })
      const onError = (err: Error): void => {
        timer.cancel()
        reject(new ConnectionError('ERR_CONNECT', `cannot reach ${host}:${port}: ${err.message}`))
      }
      socket.once('error', onError)
      socket.once('connect', () => {
        timer.cancel()
        socket.off('error', onError)
        resolve(new Connection(socket, host, port))
      })
    })
  }

  get isOpen(): boolean {
    return this.failure === undefined
  }

  /** Requests sent and not yet answered. */
  get pendingCount(): number {
    return this.waiters.length
  }

  /** Sends one complete frame; the waiter hears of its reply or of the connection's failure. */
  send(frame: Buffer, waiter: ReplyWaiter): void {
    const failure = this.failure
    if (failure !== undefined) {
      // Callers expect to hear back later, never from inside send().
      queueMicrotask(() => waiter.onFailure(failure))
      return
    }
    this.waiters.push(waiter)
    this.socket.write(frame)
  }

  /** Sends one frame and resolves with its reply. */
  request(frame: Buffer): Promise<Frame> {
    return new Promise((resolve, reject) => this.send(frame, { onReply: resolve, onFailure: reject }))
  }

  /** Closes the connection; requests still waiting fail with error (default: closed). */
  destroy(error = new ConnectionError('ERR_CLOSED', `connection to ${this.host}:${this.port} closed`)): void {
    this.fail(error)
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[]
    try {
      frames = this.parser.push(chunk)
    } catch (err) {
      if (!(err instanceof FrameError)) throw err
      this.fail(new ConnectionError('ERR_FRAME', `bad reply from ${this.host}:${this.port}: ${err.message}`))
      return
    }
    for (const frame of frames) {
      // A waiter may have closed the connection from its onReply.
      if (this.failure !== undefined) return
      const waiter = this.waiters.shift()
      if (waiter === undefined) {
        this.fail(new ConnectionError('ERR_FRAME', `${this.host}:${this.port} sent a reply nobody asked for`))
        return
      }
      waiter.onReply(frame)
    }
  }

  private fail(error: ConnectionError): void {
    if (this.failure !== undefined) return
    this.failure = error
    this.socket.destroy()
    for (const waiter of this.waiters.drain()) waiter.onFailure(error)
  }
}
