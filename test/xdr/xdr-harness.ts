// What the XDR tests share: a node started from config lines with an official client connected,
// whose stop (closing the client first) runs once, however often it is called.
import { writeFileSync } from 'node:fs'
import { startServer, type EmbeddedServer } from '@aerolite/server'
import { Aerospike, type AerospikeClient } from '../compat/helpers.ts'

export interface NodeWithClient {
  server: EmbeddedServer
  client: AerospikeClient
}

/** Writes `lines` to `configFile`, starts a node on `port` (0: any) and connects a client; `cleanups` gets its stop. */
export async function startNodeWithClient(configFile: string, lines: readonly string[], port: number, cleanups: Array<() => Promise<unknown>>, options: { httpPort?: number; policies?: object } = {}): Promise<NodeWithClient> {
  writeFileSync(configFile, lines.join('\n'))
  const server = await startServer({ configFile, port, httpPort: options.httpPort, logLevel: 'silent' })
  const client = await Aerospike.connect({ hosts: [{ addr: server.host, port: server.port }], policies: options.policies, log: { level: Aerospike.log.OFF } })
  const stopServer = server.stop
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    client.close()
    await stopServer()
  }
  cleanups.push(stop)
  return { server: Object.assign(server, { stop }), client }
}
