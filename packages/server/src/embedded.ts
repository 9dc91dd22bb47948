// startServer(): a node inside the caller's process, in a worker thread. The official client's
// connect() blocks the JS thread during its first cluster check, so a node on the caller's own
// event loop could never answer it.
import { Worker } from 'node:worker_threads'
import type { StartOptions } from './options.ts'

export interface EmbeddedServer {
  host: string
  port: number
  /** The HTTP port (/metrics, /health, /ready), when one was asked for. */
  httpPort: number | undefined
  /** Drains the node and ends its worker. */
  stop(): Promise<void>
}

type WorkerReply = { type: 'ready'; host: string; port: number; httpPort: number | undefined } | { type: 'error'; message: string } | { type: 'stopped' }

export function startServer(options: StartOptions = {}): Promise<EmbeddedServer> {
  const worker = new Worker(new URL('./embedded-worker.mjs', import.meta.url), {
    workerData: { port: 0, logLevel: 'warn', ...options } satisfies StartOptions,
  })
  return new Promise((resolve, reject) => {
    const onExit = (code: number): void => reject(new Error(`embedded aerolite worker exited with code ${code} before it was ready`))
    worker.once('error', reject)
    worker.once('exit', onExit)
    worker.once('message', (reply: WorkerReply) => {
      worker.off('exit', onExit)
      worker.off('error', reject)
      if (reply.type === 'error') {
        void worker.terminate()
        reject(new Error(reply.message))
        return
      }
      if (reply.type !== 'ready') return reject(new Error(`unexpected message from the embedded worker: ${reply.type}`))
      let stopped: Promise<void> | undefined
      resolve({
        host: reply.host,
        port: reply.port,
        httpPort: reply.httpPort,
        stop: () => {
          stopped ??= new Promise<void>((done) => {
            worker.once('exit', () => done())
            worker.postMessage('stop')
          })
          return stopped
        },
      })
    })
  })
}
