// The client service: accepts TCP connections up to proto-fd-max and hands each to a connection.
// Until serve(), accepted sockets are held unread: a node that is still joining its cluster must not
// answer as if it were alone (a restarted node did, on its stale copy, while it reached etcd).
import type { Env, NetServer, NetSocket } from '@aerolite/protocol'
import type { Logger } from 'pino'
import type { ServerConfig } from '../config/index.ts'
import { ClientConnection, type ConnectionHandlers } from './connection.ts'
import { ReplyBatch } from './reply-batch.ts'
import type { ServiceStats } from './stats.ts'

export class ServiceListener {
  /** Sockets to listen on, and the time idle connections are reaped on. */
  private readonly env: Pick<Env, 'network' | 'clock' | 'scheduler'>
  private server: NetServer | undefined
  private readonly connections = new Set<ClientConnection>()
  /** Sockets accepted before serve(), paused; undefined once serving. */
  private held: Set<NetSocket> | undefined = new Set()
  private readonly config: ServerConfig
  private readonly stats: ServiceStats
  private readonly log: Logger
  private readonly handlers: ConnectionHandlers
  private readonly replyBatch: ReplyBatch

  constructor(config: ServerConfig, handlers: ConnectionHandlers, stats: ServiceStats, log: Logger, env: Pick<Env, 'network' | 'clock' | 'scheduler'>) {
    this.config = config
    this.handlers = handlers
    this.stats = stats
    this.log = log
    this.env = env
    this.replyBatch = new ReplyBatch(env.network)
  }

  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    try {
      this.server = await this.env.network.listen({
        host,
        port,
        onConnection: (socket) => this.accept(socket),
        slabReads: true,
        onError: (err) => this.log.error({ err: err.message }, 'client service error'),
      })
    } catch (err) {
      const { message, code } = err as { message: string; code?: string }
      throw Object.assign(new Error(`cannot listen on ${host}:${port}: ${message}`), { code })
    }
    return { host: this.server.host, port: this.server.port }
  }

  /** Reads and answers the connections held so far and every later one. */
  serve(): void {
    const held = this.held
    this.held = undefined
    for (const socket of held ?? []) {
      this.open(socket)
      socket.resume()
    }
  }

  /** Stops accepting, lets every connection flush what it was sent, then resolves. */
  drain(): Promise<void> {
    this.dropHeld()
    return new Promise((resolve) => {
      if (this.server === undefined) return resolve()
      this.server.close(() => resolve())
      for (const connection of this.connections) connection.drain()
    })
  }

  /** Stops accepting and cuts every connection at once (a killed process, for tests). */
  abort(): void {
    this.dropHeld()
    this.server?.close(() => undefined)
    for (const connection of this.connections) connection.abort()
  }

  private dropHeld(): void {
    for (const socket of this.held ?? []) socket.destroy()
    this.held?.clear()
  }

  private accept(socket: NetSocket): void {
    if (this.connections.size + (this.held?.size ?? 0) >= this.config.service.protoFdMax) {
      this.stats.connectionsRefused++
      this.log.warn({ remote: socket.remoteAddress, limit: this.config.service.protoFdMax }, 'refusing client connection: proto-fd-max reached')
      socket.destroy()
      return
    }
    const held = this.held
    if (held !== undefined) {
      socket.pause()
      held.add(socket)
      socket.on('error', () => undefined)
      socket.once('close', () => held.delete(socket))
      return
    }
    this.open(socket)
  }

  private open(socket: NetSocket): void {
    const connection = new ClientConnection(socket, this.handlers, this.log, {
      maxFrameBytes: this.config.service.maxFrameBytes,
      idleTimeoutMs: this.config.service.protoFdIdleMs,
      env: this.env,
      replyBatch: this.replyBatch,
      onReaped: () => this.stats.connectionsReaped++,
      onBadFrame: () => this.stats.badFrames++,
    })
    this.connections.add(connection)
    this.stats.clientConnections = this.connections.size
    this.stats.clientConnectionsOpened++
    socket.once('close', () => {
      this.connections.delete(connection)
      this.stats.clientConnections = this.connections.size
      this.stats.clientConnectionsClosed++
    })
  }
}
