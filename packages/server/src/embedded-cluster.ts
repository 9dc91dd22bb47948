// startCluster(): a cluster of nodes inside the caller's process, in one worker thread, with the
// in-process membership (no etcd). For tests of applications against a cluster, and of the cluster.
import { Worker } from 'node:worker_threads'
import type { ClusterRequest, ClusterWorkerData } from './embedded-cluster-node.ts'
import type { StartOptions } from './options.ts'

export interface ClusterNodeAddress {
  host: string
  port: number
  nodeId: string
  /** The node's HTTP port (/metrics, /health, /ready), when httpPort was given: node i serves on httpPort + i, or any free port for 0. */
  httpPort: number | undefined
}

export interface EmbeddedCluster {
  nodes: ClusterNodeAddress[]
  /** Ends node `index` at once: no goodbye, so the others notice when its lease expires. */
  kill(index: number): Promise<void>
  /** Drains node `index`: it leaves at once (the others see it go without waiting for its lease). */
  leave(index: number): Promise<void>
  /** Starts a killed (or departed) node again on its port (its in-memory data is gone). */
  restart(index: number): Promise<ClusterNodeAddress>
  /** Drains every node and ends the worker. */
  stop(): Promise<void>
}

export interface StartClusterOptions extends Omit<StartOptions, 'port'> {
  /** Nodes (default 3). */
  nodes?: number
  /** Copies of each partition (default 2, capped by the node count). */
  replicationFactor?: number
}

type WorkerReply =
  | { type: 'ready'; nodes: ClusterNodeAddress[] }
  | { type: 'error'; message: string }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; message: string }

export function startCluster(options: StartClusterOptions = {}): Promise<EmbeddedCluster> {
  const { nodes = 3, replicationFactor = 2, ...startOptions } = options
  const workerData: ClusterWorkerData = { cluster: { nodes, replicationFactor }, options: { logLevel: 'warn', ...startOptions } }
  const worker = new Worker(new URL('./embedded-worker.mjs', import.meta.url), { workerData })
  let queue = Promise.resolve<unknown>(undefined)
  const ask = (request: ClusterRequest): Promise<unknown> => {
    const asked = queue.then(() => new Promise<unknown>((resolve, reject) => {
      worker.once('message', (reply: WorkerReply) => {
        if (reply.type === 'done') resolve(reply.result)
        else reject(new Error(reply.type === 'failed' || reply.type === 'error' ? reply.message : `unexpected reply ${reply.type}`))
      })
      worker.postMessage(request)
    }))
    queue = asked.catch(() => undefined)
    return asked
  }
  return new Promise((resolve, reject) => {
    const onExit = (code: number): void => reject(new Error(`embedded cluster worker exited with code ${code} before it was ready`))
    worker.once('error', reject)
    worker.once('exit', onExit)
    worker.once('message', (reply: WorkerReply) => {
      worker.off('exit', onExit)
      worker.off('error', reject)
      if (reply.type !== 'ready') {
        void worker.terminate()
        return reject(new Error(reply.type === 'error' ? reply.message : `unexpected message from the cluster worker: ${reply.type}`))
      }
      let stopped: Promise<void> | undefined
      resolve({
        nodes: reply.nodes,
        kill: async (index) => {
          await ask({ type: 'kill', index })
        },
        leave: async (index) => {
          await ask({ type: 'leave', index })
        },
        restart: async (index) => (await ask({ type: 'restart', index })) as ClusterNodeAddress,
        stop: () => {
          stopped ??= new Promise<void>((done) => {
            worker.once('exit', () => done())
            void ask({ type: 'stop' }).catch(() => worker.terminate())
          })
          return stopped
        },
      })
    })
  })
}
