// A fixed number of connections to one node. A connection that failed is replaced on request; all
// callers asking for the same position share one reconnect.
import { Connection, type ConnectOptions } from './connection.ts'

export class ConnectionPool {
  readonly host: string
  readonly port: number
  readonly size: number
  private readonly options: ConnectOptions
  private readonly connections: (Connection | undefined)[]
  private readonly reconnecting: (Promise<Connection> | undefined)[]
  private closed = false

  private constructor(host: string, port: number, size: number, options: ConnectOptions) {
    this.host = host
    this.port = port
    this.size = size
    this.options = options
    this.connections = new Array<Connection | undefined>(size)
    this.reconnecting = new Array<Promise<Connection> | undefined>(size)
  }

  /** Opens all size connections; fails (closing those opened) if any cannot be opened. */
  static async open(host: string, port: number, size: number, options: ConnectOptions): Promise<ConnectionPool> {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size ${size} is not a positive integer`)
    const pool = new ConnectionPool(host, port, size, options)
    const opened = await Promise.allSettled(Array.from({ length: size }, () => Connection.open(host, port, options)))
    const failed = opened.find((r) => r.status === 'rejected')
    opened.forEach((r, i) => {
      if (r.status === 'fulfilled') pool.connections[i] = r.value
    })
    if (failed !== undefined) {
      pool.close()
      throw failed.reason
    }
    return pool
  }

  /** The connection at position i if it is open. */
  at(i: number): Connection | undefined {
    const connection = this.connections[i]
    return connection?.isOpen === true ? connection : undefined
  }

  /** An open connection at position i, opening a new one if the old one failed. */
  reconnect(i: number): Promise<Connection> {
    const open = this.at(i)
    if (open !== undefined) return Promise.resolve(open)
    if (this.closed) return Promise.reject(new Error(`pool of ${this.host}:${this.port} is closed`))
    let pending = this.reconnecting[i]
    if (pending === undefined) {
      pending = Connection.open(this.host, this.port, this.options).then((connection) => {
        if (this.closed) connection.destroy()
        else this.connections[i] = connection
        return connection
      }).finally(() => {
        this.reconnecting[i] = undefined
      })
      this.reconnecting[i] = pending
    }
    return pending
  }

  /** Requests waiting on the pool's connections. */
  pendingCount(): number {
    let count = 0
    for (const connection of this.connections) count += connection?.pendingCount ?? 0
    return count
  }

  close(): void {
    this.closed = true
    for (const connection of this.connections) connection?.destroy()
  }
}
