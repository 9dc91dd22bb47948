// The nodes of an embedded cluster, all inside one worker thread: one in-process membership store
// shared by every node (etcd's semantics, no etcd), real sockets for clients and the fabric.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads'
import { InProcessStore } from './cluster/in-process-store.ts'
import { StoreMembership } from './cluster/membership-client.ts'
import { realEnv } from './env/real-env.ts'
import { AeroliteNode } from './node.ts'
import { buildConfig, type StartOptions } from './options.ts'

export interface ClusterWorkerData {
  cluster: { nodes: number; replicationFactor: number }
  options: StartOptions
}

export type ClusterRequest = { type: 'stop' } | { type: 'kill' | 'leave' | 'restart'; index: number }

const port = parentPort
if (port === null) throw new Error('embedded-cluster-node must run in a worker thread')
const data = workerData as ClusterWorkerData
const store = new InProcessStore(realEnv)
const nodes: Array<AeroliteNode | undefined> = []
const ports: number[] = []
const httpPorts: number[] = []

/** With an HTTP port asked for, node i serves it on that port + i (0: any free port); a restart keeps its ports. */
function httpPortOf(index: number): number | undefined {
  const first = data.options.httpPort
  return first === undefined ? undefined : httpPorts[index] ?? (first === 0 ? 0 : first + index)
}

async function startNode(index: number): Promise<{ host: string; port: number; nodeId: string; httpPort: number | undefined }> {
  const config = buildConfig({ ...data.options, port: ports[index] ?? 0, httpPort: httpPortOf(index) }, realEnv.disk)
  for (const ns of config.namespaces) ns.replicationFactor = data.cluster.replicationFactor
  config.service.clusterName ||= 'aerolite'
  config.network.fabric.port = 0
  const membership = new StoreMembership({ clusterName: config.service.clusterName, store, env: realEnv, log: console, heartbeat: { intervalMs: 150, timeoutCount: 10 } })
  const node = new AeroliteNode(config, { env: realEnv, membership })
  const bound = await node.start()
  nodes[index] = node
  ports[index] = bound.port
  const httpPort = node.httpEndpoint()?.port
  if (httpPort !== undefined) httpPorts[index] = httpPort
  return { host: bound.host, port: bound.port, nodeId: node.nodeId, httpPort }
}

// A function, not top-level await: the bundle this runs from is CommonJS (see bundle.cjs).
async function run(port: MessagePort): Promise<void> {
  try {
    const started = []
    for (let i = 0; i < data.cluster.nodes; i++) started.push(await startNode(i))
    port.postMessage({ type: 'ready', nodes: started })
    port.on('message', (request: ClusterRequest) => {
      void handle(request).then(
        (result) => port.postMessage({ type: 'done', result }),
        (err: unknown) => port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
      )
    })
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) })
  }
}

void run(port)

async function handle(request: ClusterRequest): Promise<unknown> {
  if (request.type === 'stop') {
    for (const node of nodes) await node?.drain()
    port!.close()
    return undefined
  }
  const node = nodes[request.index]
  if (request.type === 'kill' || request.type === 'leave') {
    if (node === undefined) throw new Error(`node ${request.index} is not running`)
    nodes[request.index] = undefined
    if (request.type === 'kill') await node.crash()
    else await node.drain()
    return undefined
  }
  if (node !== undefined) throw new Error(`node ${request.index} is running`)
  return startNode(request.index)
}
