// The client service: accepts TCP connections up to proto-fd-max and hands each to a connection.
import { createServer, type Server, type Socket } from 'node:net'
import type { Logger } from 'pino'
import type { ServerConfig } from '../config/index.ts'
import { ClientConnection, type ConnectionHandlers } from './connection.ts'
import type { ServiceStats } from './stats.ts'

export class ServiceListener {
  private readonly server: Server
  private readonly connections = new Set<ClientConnection>()
  private readonly config: ServerConfig
  private readonly stats: ServiceStats
  private readonly log: Logger
  private readonly handlers: ConnectionHandlers

  constructor(config: ServerConfig, handlers: ConnectionHandlers, stats: ServiceStats, log: Logger) {
    this.config = config
    this.handlers = handlers
    this.stats = stats
    this.log = log
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket))
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(Object.assign(new Error(`cannot listen on ${host}:${port}: ${err.message}`), { code: err.code }))
      }
      this.server.once('error', onError)
      this.server.listen({ host, port, exclusive: true }, () => {
        this.server.off('error', onError)
        this.server.on('error', (err) => this.log.error({ err: err.message }, 'client service error'))
        const address = this.server.address()
        if (address === null || typeof address === 'string') return reject(new Error('service has no TCP address'))
        resolve({ host: address.address, port: address.port })
      })
    })
  }

  /** Stops accepting, lets every connection flush what it was sent, then resolves. */
  drain(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve())
      for (const connection of this.connections) connection.drain()
    })
  }

  private accept(socket: Socket): void {
    if (this.connections.size >= this.config.service.protoFdMax) {
      this.stats.connectionsRefused++
      this.log.warn({ remote: socket.remoteAddress, limit: this.config.service.protoFdMax }, 'refusing client connection: proto-fd-max reached')
      socket.destroy()
      return
    }
    const connection = new ClientConnection(socket, this.handlers, this.log, {
      maxFrameBytes: this.config.service.maxFrameBytes,
      idleTimeoutMs: this.config.service.protoFdIdleMs,
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
