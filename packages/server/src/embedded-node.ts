// The node inside an embedded worker: start, report the bound address, stop on request.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads'
import { realEnv } from './env/real-env.ts'
import { AeroliteNode } from './node.ts'
import { buildConfig, type StartOptions } from './options.ts'

const port = parentPort
if (port === null) throw new Error('embedded-node must run in a worker thread')
// A function, not top-level await: the bundle this runs from is CommonJS (see bundle.cjs).
async function run(port: MessagePort): Promise<void> {
  try {
    const node = new AeroliteNode(buildConfig(workerData as StartOptions, realEnv.disk), { env: realEnv })
    const bound = await node.start()
    port.postMessage({ type: 'ready', host: bound.host, port: bound.port, httpPort: node.httpEndpoint()?.port })
    port.on('message', (message) => {
      if (message !== 'stop') return
      void node.drain().then(() => {
        node.log.flush()
        port.close()
      })
    })
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) })
  }
}

void run(port)
