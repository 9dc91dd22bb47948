// Who is in the cluster: the members a node registered in the membership store, and the view they
// form at one revision of that store. Every node derives the same cluster key and (from it) the
// same partition table from the same view, without a vote.
import { createHash } from 'node:crypto'

export interface Endpoint {
  host: string
  port: number
}

/** What a node publishes about itself under its lease. */
export interface MemberInfo {
  /** Upper-case hex of the 64-bit node id, as `node` answers it. */
  nodeId: string
  /** Where clients reach it. */
  service: Endpoint
  /** Where clients outside its network reach it (alternate-access-address: peers-clear-alt); absent: `service`. */
  alternateService?: Endpoint
  /** Where other nodes reach it (node-to-node channel). */
  fabric: Endpoint
  /** Rack id per namespace name (a namespace not listed is on rack 0). */
  rackIds: Record<string, number>
  /** The build (version) the node runs. */
  build: string
  /** Quiesced at the last recluster: it hands its partitions to the others (absent: false). */
  quiesced?: boolean
}

/** The member set at one revision of the membership store. */
export interface View {
  /** The store revision at which this member set came to be; views of one cluster only grow in it. */
  revision: number
  /** Members ordered by node id. */
  members: readonly MemberInfo[]
  /** 64 bits derived from the revision and the node ids: names this view in every node-to-node message. */
  clusterKey: bigint
}

/** The view of `members` at `revision`: members ordered by node id, and its cluster key. */
export function makeView(revision: number, members: readonly MemberInfo[]): View {
  const ordered = [...members].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0))
  const hash = createHash('sha256').update(`${revision}`)
  for (const member of ordered) hash.update(`\n${member.nodeId}`)
  return { revision, members: ordered, clusterKey: hash.digest().readBigUInt64BE(0) }
}

/**
 * The members a rebalance of `view` treats as quiesced: those that said so, unless every member
 * did (then none is, since someone has to own the partitions).
 */
export function quiescedMembers(view: View): MemberInfo[] {
  const quiesced = view.members.filter((member) => member.quiesced === true)
  return quiesced.length === view.members.length ? [] : quiesced
}

/** The cluster key as Aerospike's `cluster_key` statistic shows it: upper-case hex. */
export function clusterKeyText(view: View): string {
  return view.clusterKey.toString(16).toUpperCase()
}
