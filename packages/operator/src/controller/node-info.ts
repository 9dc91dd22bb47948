// What the planner needs from the nodes themselves, asked over the Aerospike info protocol: each
// node's id, quiesce state and running config, whether all agree on the cluster, and how many
// partitions still migrate.
import { Connection, requestInfo } from '@aerolite/client'
import { parseKeyValues } from '@aerolite/protocol'
import { realEnv } from '@aerolite/server'
import type { ObservedNode, RunningConfig } from '../types.ts'

export interface NodeAddress {
  host: string
  port: number
}

/** Sends info commands to a node; rejects when it cannot be reached or does not answer in time. */
export type InfoClient = (address: NodeAddress, commands: readonly string[]) => Promise<Map<string, string>>

const INFO_TIMEOUT_MS = 3000

export const realInfoClient: InfoClient = async (address, commands) => {
  const connection = await Connection.open(address.host, address.port, { env: realEnv, connectTimeoutMs: INFO_TIMEOUT_MS })
  let timer: NodeJS.Timeout | undefined
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${address.host}:${address.port} did not answer within ${INFO_TIMEOUT_MS} ms`)), INFO_TIMEOUT_MS)
    })
    return await Promise.race([requestInfo(connection, commands), timeout])
  } finally {
    clearTimeout(timer)
    connection.destroy()
  }
}

/** Sends one command and fails unless the node answers `ok`. */
export async function commandNode(info: InfoClient, address: NodeAddress, command: string): Promise<void> {
  const answer = (await info(address, [command])).get(command)
  if (answer !== 'ok') throw new Error(`${address.host}:${address.port} answered ${command} with ${answer ?? 'nothing'}`)
}

export interface NodesObserved {
  nodes: Record<string, ObservedNode>
  clusterStable: boolean
  migrationsRemaining: number
}

/**
 * Asks every pod's node. The cluster counts as stable when every one of them answered
 * `cluster-stable:` with the same cluster key; a node that does not answer is left out of `nodes`
 * and makes the cluster unstable.
 */
export async function observeNodes(info: InfoClient, pods: ReadonlyMap<string, NodeAddress>, namespaces: readonly string[]): Promise<NodesObserved> {
  const commands = ['node', 'statistics', 'cluster-stable:', 'get-config:context=service', ...namespaces.flatMap((ns) => [`namespace/${ns}`, `get-config:context=namespace;id=${ns}`])]
  const answers = await Promise.all([...pods].map(async ([podName, address]) => [podName, await info(address, commands).catch(() => undefined)] as const))
  const nodes: Record<string, ObservedNode> = {}
  const clusterKeys = new Set<string>()
  let migrationsRemaining = 0
  let everyoneAnswered = pods.size > 0
  for (const [podName, answer] of answers) {
    const nodeId = answer?.get('node')
    if (answer === undefined || nodeId === undefined || nodeId.startsWith('ERROR')) {
      everyoneAnswered = false
      continue
    }
    clusterKeys.add(answer.get('cluster-stable:') ?? 'ERROR')
    migrationsRemaining += Number(parseKeyValues(answer.get('statistics') ?? '').get('migrate_partitions_remaining') ?? 0)
    const namespaceStats = namespaces.map((ns) => parseKeyValues(answer.get(`namespace/${ns}`) ?? ''))
    const runningConfig: RunningConfig = {
      service: Object.fromEntries(parseKeyValues(answer.get('get-config:context=service') ?? '')),
      namespaces: Object.fromEntries(namespaces.map((ns) => [ns, Object.fromEntries(parseKeyValues(answer.get(`get-config:context=namespace;id=${ns}`) ?? ''))])),
    }
    nodes[podName] = {
      nodeId,
      // Quiesce is per node: every namespace shows the same.
      pendingQuiesce: namespaceStats.some((stats) => stats.get('pending_quiesce') === 'true'),
      effectiveQuiesced: namespaceStats.some((stats) => stats.get('effective_is_quiesced') === 'true'),
      runningConfig,
    }
  }
  const [key] = clusterKeys
  const clusterStable = everyoneAnswered && clusterKeys.size === 1 && key !== undefined && /^[0-9A-F]+$/.test(key)
  return { nodes, clusterStable, migrationsRemaining }
}
