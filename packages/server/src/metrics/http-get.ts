// A GET over HTTP or HTTPS whose connection and timeout come from the Env, as every edge of a node
// does: Node's HTTP client only writes the request and parses the answer.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Env } from '@aerolite/protocol'

export interface HttpAnswer {
  status: number
  body: string
}

export async function httpGet(env: Env, url: URL, timeoutMs: number): Promise<HttpAnswer> {
  const secure = url.protocol === 'https:'
  // Loaded at the first request: Node's HTTPS and TLS modules cost ~2 ms of every start.
  const { request } = secure ? await import('node:https') : await import('node:http')
  const tlsConnect = secure ? (await import('node:tls')).connect : undefined
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port)
  // Node's HTTP client needs a stream: the real Env's sockets are Node sockets. The simulator's are
  // not, and no simulated node is given an Alertmanager to ask.
  const socket = (): Duplex => env.network.connect(host, port) as unknown as Duplex
  return new Promise((resolve, reject) => {
    const options = {
      method: 'GET',
      host,
      port,
      path: `${url.pathname}${url.search}`,
      agent: false,
      createConnection: tlsConnect === undefined ? socket : () => tlsConnect({ socket: socket(), servername: host }),
    } as const
    const req = request(options, (res: IncomingMessage) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        timer.cancel()
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })
      })
      res.on('error', reject)
    })
    const timer = env.scheduler.after(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', (err) => {
      timer.cancel()
      reject(err)
    })
    req.end()
  })
}
