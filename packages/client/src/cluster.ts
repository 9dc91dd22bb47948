// Finds a cluster's nodes from seed addresses (each node lists its peers) and learns which node
// masters each partition from their `replicas` answers, as the official clients' tender does.
import type { Env, Scheduler } from '@aerolite/protocol'
import { Connection } from './connection.ts'
import { InfoError, infoValue, requestInfo } from './info.ts'
import { PartitionMap } from './partition-map.ts'
import { parsePeers } from './peers.ts'
import { parseReplicas } from './replicas.ts'

export interface HostAddress {
  host: string
  port: number
}

export interface ClusterNode {
  /** Position in Cluster.nodes; the partition map refers to nodes by it. */
  index: number
  name: string
  host: string
  port: number
  build: string
  /** What the node says it is (`edition`): "Aerospike Community Edition", "Aerolite Community Edition", ... */
  edition: string
  partitionGeneration: number
  /** The node's info connection, kept for later refreshes. */
  info: Connection
}

export interface ClusterOptions {
  /** The network and timers to use (the server package's realEnv in a real process). */
  env: Env
  seeds: readonly HostAddress[]
  connectTimeoutMs?: number
  /** Stop discovering past this many nodes. */
  maxNodes?: number
}

const NODE_COMMANDS = ['node', 'partition-generation', 'build', 'edition', 'peers-clear-std', 'replicas'] as const
/** partition-generation -1 (as u32): the node has no partition map yet. */
const UNINITIALIZED_GENERATION = 4294967295

export class Cluster {
  readonly nodes: readonly ClusterNode[]
  readonly partitions: PartitionMap

  private constructor(nodes: ClusterNode[], partitions: PartitionMap) {
    this.nodes = nodes
    this.partitions = partitions
  }

  static async connect(options: ClusterOptions): Promise<Cluster> {
    if (options.seeds.length === 0) throw new RangeError('at least one seed address is needed')
    const connectTimeoutMs = options.connectTimeoutMs ?? 1000
    const maxNodes = options.maxNodes ?? 128
    const nodes: ClusterNode[] = []
    const partitions = new PartitionMap()
    const visited = new Set<string>()
    const queue: HostAddress[] = [...options.seeds]
    const problems: string[] = []
    try {
      while (queue.length > 0 && nodes.length < maxNodes) {
        const address = queue.shift()!
        const where = `${address.host}:${address.port}`
        if (visited.has(where)) continue
        visited.add(where)
        let info: Connection
        let answers: Map<string, string>
        try {
          info = await Connection.open(address.host, address.port, { env: options.env, connectTimeoutMs })
          answers = await withTimeout(options.env.scheduler, requestInfo(info, NODE_COMMANDS), connectTimeoutMs, info, where)
        } catch (err) {
          problems.push((err as Error).message)
          continue
        }
        try {
          const name = infoValue(answers, 'node', where)
          if (nodes.some((n) => n.name === name)) {
            info.destroy()
            continue
          }
          const partitionGeneration = Number(infoValue(answers, 'partition-generation', where))
          if (partitionGeneration === UNINITIALIZED_GENERATION) throw new InfoError(`${where} (node ${name}) has no partition map yet`)
          const node: ClusterNode = { index: nodes.length, name, host: address.host, port: address.port, build: infoValue(answers, 'build', where), edition: infoValue(answers, 'edition', where), partitionGeneration, info }
          nodes.push(node)
          partitions.apply(node.index, parseReplicas(infoValue(answers, 'replicas', where)))
          for (const peer of parsePeers(infoValue(answers, 'peers-clear-std', where)).peers) {
            const first = peer.addresses[0]
            if (first !== undefined && !nodes.some((n) => n.name === peer.name)) queue.push(first)
          }
        } catch (err) {
          if (!nodes.some((n) => n.info === info)) info.destroy()
          throw err
        }
      }
    } catch (err) {
      for (const node of nodes) node.info.destroy()
      throw err
    }
    if (nodes.length === 0) throw new InfoError(`no node answered: ${problems.join('; ')}`)
    return new Cluster(nodes, partitions)
  }

  /** The node mastering the digest's partition, or undefined if none claims it. */
  masterNode(namespace: string, digest: Uint8Array): ClusterNode | undefined {
    const index = this.partitions.masterOf(namespace, digest)
    return index < 0 ? undefined : this.nodes[index]
  }

  close(): void {
    for (const node of this.nodes) node.info.destroy()
  }
}

function withTimeout<T>(scheduler: Scheduler, promise: Promise<T>, ms: number, connection: Connection, where: string): Promise<T> {
  let cancel = (): void => {}
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      cancel = scheduler.after(ms, () => {
        connection.destroy()
        reject(new InfoError(`${where} did not answer info within ${ms} ms`))
      }).cancel
    }),
  ]).finally(() => cancel())
}
