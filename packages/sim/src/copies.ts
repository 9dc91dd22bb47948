// What each running node holds, read straight from its namespace (no command, no routing): the
// checker compares copies with each other and with the history.
import { PARTITION_COUNT, ParticleType, partitionId, readIntegerParticle, unpackValue } from '@aerolite/protocol'
import type { AeroliteNode } from '@aerolite/server'
import { computePartitionTable, readBins } from '@aerolite/server/simulation'
import { SIM_NAMESPACE } from './sim-cluster.ts'

/** One record's state as the workload sees it. */
export interface RecordState {
  v?: number
  l?: number[]
  c?: number
}

/** A copy's live records of one partition: digest (hex) → generation, update time and bins, as text. */
export type PartitionCopy = Map<string, string>

export function partitionCopy(node: AeroliteNode, pid: number): PartitionCopy {
  const ns = node.namespaces.get(SIM_NAMESPACE)!
  const copy: PartitionCopy = new Map()
  const ids = ns.liveEntriesInDigestOrder(pid, undefined)
  if (ids.length === 0) return copy
  const digest = Buffer.alloc(20)
  for (const id of ids) {
    ns.digestInto(id, digest)
    const { buf, at } = ns.location(id)
    const bins = readBins(buf, at).map((bin) => `${bin.name}=${bin.particleType}:${bin.value.toString('hex')}`).join(',')
    copy.set(digest.toString('hex'), `gen ${ns.generationOf(id)} lut ${ns.lastUpdateMsOf(id)} ${bins}`)
  }
  return copy
}

/** The record of a digest in a node's copy, undefined when absent. */
export function recordState(node: AeroliteNode, digest: Buffer): RecordState | undefined {
  const ns = node.namespaces.get(SIM_NAMESPACE)!
  const id = ns.find(digest, partitionId(digest))
  if (id < 0) return undefined
  const { buf, at } = ns.location(id)
  const state: RecordState = {}
  for (const bin of readBins(buf, at)) {
    if ((bin.name === 'v' || bin.name === 'c') && bin.particleType === ParticleType.INTEGER) state[bin.name] = Number(readIntegerParticle(bin.value))
    else if (bin.name === 'l' && bin.particleType === ParticleType.LIST) state.l = (unpackValue(bin.value) as number[]).map(Number)
  }
  return state
}

/**
 * Differences between the copies of every partition, by the view the nodes agree on: the owners'
 * copies must be identical, and a node that owns no copy must hold nothing of the partition.
 */
export function copyDifferences(nodes: readonly AeroliteNode[], replicationFactor: number, limit = 10): string[] {
  const view = nodes[0]?.cluster?.currentView()
  if (view === undefined) return ['no view to check copies against']
  const table = computePartitionTable(view, SIM_NAMESPACE, replicationFactor)
  const byId = new Map(nodes.map((node) => [node.nodeId, node]))
  const problems: string[] = []
  const namespaces = nodes.map((node) => node.namespaces.get(SIM_NAMESPACE)!)
  for (let pid = 0; pid < PARTITION_COUNT && problems.length < limit; pid++) {
    // Most partitions hold nothing anywhere: nothing to compare (the copies below would be empty).
    if (namespaces.every((ns) => ns.liveEntriesInDigestOrder(pid, undefined).length === 0)) continue
    const owners = [...table.owners(pid)].map((index) => table.members[index]!.nodeId)
    const copies = owners.map((nodeId) => ({ nodeId, copy: partitionCopy(byId.get(nodeId)!, pid) }))
    const [first, ...rest] = copies
    for (const other of rest) {
      const difference = firstDifference(first!.copy, other.copy)
      if (difference !== undefined) problems.push(`partition ${pid}: ${first!.nodeId} and ${other.nodeId} differ at ${difference}`)
    }
    for (const node of nodes) {
      if (owners.includes(node.nodeId)) continue
      const held = partitionCopy(node, pid).size
      if (held > 0) problems.push(`partition ${pid}: ${node.nodeId} owns no copy but holds ${held} records`)
    }
  }
  return problems
}

function firstDifference(a: PartitionCopy, b: PartitionCopy): string | undefined {
  for (const [digest, record] of a) {
    const other = b.get(digest)
    if (other !== record) return `${digest}: ${record} vs ${other ?? 'absent'}`
  }
  for (const digest of b.keys()) if (!a.has(digest)) return `${digest}: absent vs ${b.get(digest)}`
  return undefined
}
