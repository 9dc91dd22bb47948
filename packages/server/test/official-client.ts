// A node on a free port with the official Node client connected, for server tests that drive the
// node through the client.
import { createRequire } from 'node:module'
import { startServer, type EmbeddedServer, type StartOptions } from '@aerolite/server'

const Aerospike = createRequire(import.meta.url)('aerospike')

export interface ClientNode {
  server: EmbeddedServer
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  client: any
  /** Closes the client, then stops the node. Safe to call twice. */
  stop(): Promise<void>
}

/** A busy CI machine can hold a command past the client's 1 s default; no test here is about timeouts. */
const COMMAND_TIMEOUT_MS = 10_000
const COMMAND_POLICIES = Object.fromEntries(
  ['apply', 'batch', 'operate', 'query', 'read', 'remove', 'scan', 'write'].map((kind) => [kind, { totalTimeout: COMMAND_TIMEOUT_MS }]),
)

/** Starts a node with `options` and connects the official client, with `clientConfig` added to its config. */
export async function startClientNode(options: StartOptions = {}, clientConfig: Record<string, unknown> = {}): Promise<ClientNode> {
  const server = await startServer({ port: 0, logLevel: 'silent', ...options })
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let client: any
  try {
    client = await Aerospike.connect({
      hosts: [{ addr: server.host, port: server.port }],
      policies: COMMAND_POLICIES,
      // The client logs its own local validation failures (e.g. a bin name that is too long) to stderr.
      log: { level: Aerospike.log.OFF },
      ...clientConfig,
    })
  } catch (err) {
    await server.stop()
    throw err
  }
  let stopped = false
  return {
    server,
    client,
    async stop() {
      if (stopped) return
      stopped = true
      try {
        await client.close()
      } finally {
        await server.stop()
      }
    },
  }
}

/** The result code a client call fails with, or 0 when it succeeds. */
export async function resultCode(promise: Promise<unknown>): Promise<number> {
  try {
    await promise
    return 0
  } catch (err) {
    return (err as { code: number }).code
  }
}
