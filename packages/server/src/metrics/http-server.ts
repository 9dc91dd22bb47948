// The node's HTTP port (network { http { port } }): /metrics for Prometheus, /health (the process
// serves HTTP) and /ready (it serves clients, is in the cluster view with its plans and may
// acknowledge writes) for load balancers and Kubernetes probes, and the web console (/ and the
// /api/state it polls).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Network, NetServer } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import type { Logger } from '../log.ts'
import { consoleAsset } from './console-assets.ts'

export interface HttpRoutes {
  /** The Prometheus text of every metric, built now; undefined while the node starts (its namespaces load). */
  metrics(): string | undefined
  /** Why the node is not ready, or undefined when it is. */
  notReadyBecause(): string | undefined
  /** What the console shows; undefined while the node starts. */
  consoleState(): Promise<unknown> | undefined
}

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8'

/**
 * The Env's network accepts the connections; Node's HTTP server, never listening itself, only
 * parses the requests on them and writes the answers. It needs the real Env's sockets (Node sockets);
 * the simulator does not open the HTTP port.
 */
export class HttpServer {
  private readonly routes: HttpRoutes
  private readonly network: Network
  private readonly log: Logger
  private readonly parser: Server
  private listening: NetServer | undefined

  constructor(routes: HttpRoutes, network: Network, log: Logger) {
    this.routes = routes
    this.network = network
    this.log = log
    this.parser = createServer((req, res) => this.answer(req, res))
    this.parser.keepAliveTimeout = limits.httpKeepAliveTimeoutMs
    this.parser.headersTimeout = limits.httpRequestTimeoutMs
    this.parser.requestTimeout = limits.httpRequestTimeoutMs
  }

  async listen(address: string, port: number): Promise<{ host: string; port: number }> {
    try {
      this.listening = await this.network.listen({
        host: address,
        port,
        onConnection: (socket) => this.parser.emit('connection', socket),
        onError: (err) => this.log.error({ err: err.message }, 'HTTP server error'),
      })
    } catch (err) {
      const { message, code } = err as Error & { code?: string }
      throw Object.assign(new Error(`cannot listen for HTTP on ${address}:${port}: ${message}`), { code })
    }
    // Node's HTTP server starts tracking its connections (for the timeouts above and for
    // closeAllConnections) when it hears 'listening'; this one never listens itself.
    this.parser.emit('listening')
    return { host: this.listening.host, port: this.listening.port }
  }

  close(): Promise<void> {
    const listening = this.listening
    if (listening === undefined) return Promise.resolve()
    this.listening = undefined
    return new Promise((resolve) => {
      listening.close(resolve)
      this.parser.closeAllConnections()
      // Stops the tracking started by listen() (the parser itself has nothing to unbind).
      this.parser.close()
    })
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.send(res, 405, 'only GET and HEAD are served\n', { allow: 'GET, HEAD' })
    try {
      switch (path) {
        case '/metrics': {
          const text = this.routes.metrics()
          return text === undefined ? this.send(res, 503, 'starting: no metrics yet\n') : this.send(res, 200, text, { 'content-type': PROMETHEUS_TEXT })
        }
        case '/health': return this.send(res, 200, 'ok\n')
        case '/ready': {
          const reason = this.routes.notReadyBecause()
          return reason === undefined ? this.send(res, 200, 'ready\n') : this.send(res, 503, `not ready: ${reason}\n`)
        }
        case '/api/state': return this.sendState(res)
      }
      const asset = consoleAsset(path ?? '/')
      if (asset !== undefined) return this.send(res, 200, asset.body, { 'content-type': asset.contentType })
      this.send(res, 404, `no page ${path} (try /, /metrics, /health, /ready)\n`)
    } catch (err) {
      this.log.error({ err }, `HTTP ${path} failed`)
      this.send(res, 500, 'internal error\n')
    }
  }

  private sendState(res: ServerResponse): void {
    const state = this.routes.consoleState()
    if (state === undefined) return this.send(res, 503, 'starting: no state yet\n')
    state.then(
      (value) => this.send(res, 200, JSON.stringify(value), { 'content-type': 'application/json' }),
      (err: unknown) => {
        this.log.error({ err }, 'HTTP /api/state failed')
        this.send(res, 500, 'internal error\n')
      },
    )
  }

  private send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers, 'content-length': Buffer.byteLength(body) })
    res.end(res.req.method === 'HEAD' ? undefined : body)
  }
}
