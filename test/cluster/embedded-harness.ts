// What the tests of an embedded cluster (startCluster) share: info answers of one node, waiting for
// a condition, and waiting until the live nodes are a stable cluster.
import assert from 'node:assert/strict'
import { Connection, requestInfo } from '@aerolite/client'
import { realEnv, type EmbeddedCluster } from '@aerolite/server'

/** One node's answers to info commands, over a connection of its own. */
export async function infoOf(node: { host: string; port: number }, commands: string[]): Promise<Map<string, string>> {
  const connection = await Connection.open(node.host, node.port, { env: realEnv })
  try {
    return await requestInfo(connection, commands)
  } finally {
    connection.destroy()
  }
}

/** One node's answer to one info command ('' when it gave none). */
export async function infoValue(node: { host: string; port: number }, command: string): Promise<string> {
  return (await infoOf(node, [command])).get(command) ?? ''
}

/** A statistic out of a `statistics` answer. */
export function statistic(statistics: string, name: string): string | undefined {
  return statistics.split(';').find((kv) => kv.startsWith(`${name}=`))?.slice(name.length + 1)
}

/** Polls every pollMs until `check` holds, failing with `what` past `timeoutMs`; answers the ms it waited. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000, pollMs = 100): Promise<number> {
  const started = performance.now()
  for (;;) {
    if (await check()) return performance.now() - started
    if (performance.now() - started > timeoutMs) assert.fail(`not within ${timeoutMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

/** Waits until the nodes `alive` (indexes; default all) answer cluster-stable for a cluster of their number. */
export async function stableWith(cluster: EmbeddedCluster, alive: number[] = cluster.nodes.map((_, i) => i)): Promise<void> {
  const command = `cluster-stable:size=${alive.length}`
  await eventually(`cluster of ${alive.length} stable`, async () => {
    for (const i of alive) {
      const answer = await infoValue(cluster.nodes[i]!, command)
      if (answer === '' || answer.startsWith('ERROR')) return false
    }
    return true
  })
}
