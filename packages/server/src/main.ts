// Process entry for `aerolite start`: build the config, start a node, print one ready line,
// drain on SIGINT/SIGTERM and exit 0.
import { realEnv } from './env/real-env.ts'
import { AeroliteNode } from './node.ts'
import { buildConfig, type StartOptions } from './options.ts'
import { tuneHeapForServing } from './heap-tuning.ts'

export async function runNodeProcess(options: StartOptions, launchedAtMs = performance.timeOrigin): Promise<AeroliteNode> {
  const config = buildConfig(options, realEnv.disk)
  const node = new AeroliteNode(config, { env: realEnv })
  const started = node.start()
  // Signals are handled from the first moment: one that arrives while the node starts drains it
  // as soon as it is up, so a stop never kills the process mid-way.
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    node.log.info({ signal }, 'draining')
    started.then(() => node.drain()).then(() => {
      node.log.info('stopped')
      // A drained node leaves nothing to run, so the process ends by itself once the log's writes
      // are done; process.exit() here could cut short (or overtake) a log write still in flight.
      process.exitCode = 0
    }, (err: unknown) => {
      node.log.error({ err: String(err) }, 'stop failed')
      process.exit(1)
    })
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  const bound = await started
  const readyMs = Math.round(realEnv.clock.nowMs() - launchedAtMs)
  const namespaces = [...node.namespaces.keys()].join(', ')
  process.stdout.write(`aerolite ready on ${bound.host}:${bound.port} node ${node.nodeId} namespaces ${namespaces} (${readyMs} ms)\n`)
  const http = node.httpEndpoint()
  if (http !== undefined) process.stdout.write(`aerolite http on ${http.host}:${http.port}: /metrics, /health, /ready\n`)
  node.log.info({ host: bound.host, port: bound.port, node: node.nodeId, namespaces, readyMs }, 'ready')
  tuneHeapForServing()
  return node
}
