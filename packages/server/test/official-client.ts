// A node on a free port with the official Node client connected, for server tests that drive the
// node through the client.
import { createRequire } from 'node:module'
import { startServer, type EmbeddedServer } from '@aerolite/server'

const Aerospike = createRequire(import.meta.url)('aerospike')

export interface ClientNode {
  server: EmbeddedServer
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  client: any
  /** Closes the client, then stops the node. */
  stop(): Promise<void>
}

export async function startClientNode(): Promise<ClientNode> {
  const server = await startServer({ port: 0, logLevel: 'silent' })
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let client: any
  try {
    client = await Aerospike.connect({ hosts: [{ addr: server.host, port: server.port }] })
  } catch (err) {
    await server.stop()
    throw err
  }
  return {
    server,
    client,
    async stop() {
      await client.close()
      await server.stop()
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
