// A TCP proxy a test can cut, between a node and etcd: real-process fault runs and tests use it.
import { connect, createServer, type Server, type Socket } from 'node:net'

/**
 * Forwards a local port to a target port (asked at each connection: the target may restart
 * elsewhere). cut('reset') closes it and resets every connection through it (the client hears of
 * it at once); cut('silent') keeps everything open and forwards nothing, as a link that drops
 * packets does (the client hears nothing until its own timeouts). restore() heals it (the
 * connections a silent cut held are reset).
 */
export class TcpProxy {
  port = 0
  private server: Server | undefined
  private silent = false
  private readonly sockets = new Set<Socket>()
  private readonly targetPort: () => number
  /** The address it listens on (the target is on 127.0.0.1). */
  readonly host: string

  constructor(targetPort: number | (() => number), host = '127.0.0.1') {
    this.targetPort = typeof targetPort === 'number' ? () => targetPort : targetPort
    this.host = host
  }

  async start(): Promise<void> {
    const server = createServer((inbound) => {
      this.sockets.add(inbound)
      inbound.on('error', () => {})
      inbound.on('close', () => this.sockets.delete(inbound))
      if (this.silent) return void inbound.pause()
      const outbound = connect(this.targetPort(), '127.0.0.1')
      this.sockets.add(outbound)
      for (const [a, b] of [[inbound, outbound], [outbound, inbound]] as const) {
        a.pipe(b)
        a.on('error', () => b.destroy())
        a.on('close', () => {
          this.sockets.delete(a)
          b.destroy()
        })
      }
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, this.host, () => resolve())
    })
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address')
    this.port = address.port
    this.server = server
  }

  async cut(how: 'reset' | 'silent'): Promise<void> {
    if (how === 'silent') {
      this.silent = true
      for (const socket of this.sockets) {
        socket.unpipe()
        socket.pause()
      }
      return
    }
    await this.stop()
  }

  async restore(): Promise<void> {
    if (this.silent) {
      this.silent = false
      for (const socket of this.sockets) socket.resetAndDestroy()
      this.sockets.clear()
      return
    }
    if (this.server === undefined) await this.start()
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    for (const socket of this.sockets) socket.resetAndDestroy()
    this.sockets.clear()
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
