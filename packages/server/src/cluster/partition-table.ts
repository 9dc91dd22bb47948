// Which members own each partition of a namespace, computed from a view alone (no clock, no random,
// no I/O), so every node derives the same table from the same view without exchanging it:
// natural succession by hash (succession.ts), owners spread over racks (rack-spread.ts), then
// owners and masters balanced to floor or ceil of their mean per node (balance.ts); quiesced
// members after all the others.
import { PARTITION_COUNT } from '@aerolite/protocol'
import { balanceMasters, balanceOwners, balanceReplicaIndexes } from './balance.ts'
import { spreadOverRacks } from './rack-spread.ts'
import { SuccessionOrder, parseNodeId } from './succession.ts'
import { quiescedMembers, type MemberInfo, type View } from './view.ts'

/** Member indexes in order; a read-only view into the table (copy it to keep it past the table). */
export type MemberIndexes = ArrayLike<number> & Iterable<number>

/** Owners of every partition of one namespace in one view, as indexes into `members` (built by computePartitionTable). */
export class PartitionTable {
  readonly namespace: string
  /** The view's members; every index this table answers points into this array. */
  readonly members: readonly MemberInfo[]
  /** Owners per partition: the configured replication factor capped by the number of members. */
  readonly replicationFactor: number
  /** PARTITION_COUNT rows of members.length indexes: owners (master first), then the other members. */
  private readonly order: Uint16Array
  private readonly indexes: ReadonlyMap<string, number>

  constructor(namespace: string, members: readonly MemberInfo[], replicationFactor: number, order: Uint16Array) {
    if (order.length !== PARTITION_COUNT * members.length) throw new Error(`partition table of ${members.length} members given ${order.length} entries`)
    this.namespace = namespace
    this.members = members
    this.replicationFactor = replicationFactor
    this.order = order
    this.indexes = new Map(members.map((member, index) => [member.nodeId, index]))
  }

  /** The owners of `pid`, master first then replicas (replicationFactor entries). */
  owners(pid: number): MemberIndexes {
    const start = this.rowStart(pid)
    return this.order.subarray(start, start + this.replicationFactor)
  }

  /** The owner of `pid` at replica index `replica` (0 = master), without allocating. */
  owner(pid: number, replica: number): number {
    if (!(Number.isInteger(replica) && replica >= 0 && replica < this.replicationFactor)) throw new RangeError(`replica index ${replica} outside 0..${this.replicationFactor - 1}`)
    return this.order[this.rowStart(pid) + replica]!
  }

  master(pid: number): number {
    return this.order[this.rowStart(pid)]!
  }

  /**
   * Every member, in the order that stands in for the owners of `pid`: the owners (as owners()),
   * then the others in natural succession order, except that an owner the balance displaced takes
   * the place of the node that replaced it.
   */
  succession(pid: number): MemberIndexes {
    const start = this.rowStart(pid)
    return this.order.subarray(start, start + this.members.length)
  }

  /** The member index of a node id, or -1 when the node is not in this view. */
  indexOf(nodeId: string): number {
    return this.indexes.get(nodeId) ?? -1
  }

  private rowStart(pid: number): number {
    if (!(Number.isInteger(pid) && pid >= 0 && pid < PARTITION_COUNT)) throw new RangeError(`partition id ${pid} outside 0..${PARTITION_COUNT - 1}`)
    return pid * this.members.length
  }
}

/**
 * The partition table of `namespace` for `view` with `replicationFactor` copies per partition.
 * Depends only on the members' node ids, their rack ids for this namespace and which are quiesced,
 * not on the order of view.members. Quiesced members come last in every partition's order: racks
 * and balance are worked out over the others as if the quiesced were not in the cluster.
 */
export function computePartitionTable(view: View, namespace: string, replicationFactor: number): PartitionTable {
  if (!(Number.isInteger(replicationFactor) && replicationFactor >= 1)) throw new RangeError(`replication factor ${replicationFactor} is not a positive integer`)
  const members = view.members
  const n = members.length
  if (n === 0) throw new Error('partition table of a view without members')
  const rf = Math.min(replicationFactor, n)
  const quiesced = new Set(quiescedMembers(view))
  const key = JSON.stringify([namespace, rf, members.map((m) => [m.nodeId, m.rackIds[namespace] ?? 0, quiesced.has(m)])])
  let order = recentOrders.get(key)
  if (order === undefined) {
    order = computeOrder(members, quiesced, namespace, rf)
    if (recentOrders.size >= RECENT_ORDERS) recentOrders.delete(recentOrders.keys().next().value!)
    recentOrders.set(key, order)
  }
  return new PartitionTable(namespace, members, rf, order)
}

/**
 * The last few tables' rows, by what they depend on (namespace, owners per partition, and the
 * members' node ids, racks and quiesced flags in view order): the nodes of one process (a test, the
 * simulator) compute the same table for every view. Tables only read their rows.
 */
const recentOrders = new Map<string, Uint16Array>()
const RECENT_ORDERS = 4

function computeOrder(members: readonly MemberInfo[], quiesced: ReadonlySet<MemberInfo>, namespace: string, rf: number): Uint16Array {
  const n = members.length
  const all = members.map((_, index) => index)
  if (quiesced.size === 0) return placedOrder(members, all, namespace, rf)

  const active = all.filter((index) => !quiesced.has(members[index]!))
  const rest = all.filter((index) => quiesced.has(members[index]!))
  const head = placedOrder(members, active, namespace, Math.min(rf, active.length))
  const tail = naturalOrder(members, rest)
  const order = new Uint16Array(PARTITION_COUNT * n)
  for (let pid = 0; pid < PARTITION_COUNT; pid++) {
    order.set(head.subarray(pid * active.length, (pid + 1) * active.length), pid * n)
    order.set(tail.subarray(pid * rest.length, (pid + 1) * rest.length), pid * n + active.length)
  }
  return order
}

/**
 * Rows of the members `indexes` (into `members`) per partition, rf owners first: natural succession,
 * spread over racks, balanced.
 */
function placedOrder(members: readonly MemberInfo[], indexes: readonly number[], namespace: string, rf: number): Uint16Array {
  const n = indexes.length
  const { memberOfRank, order } = successionByRank(members, indexes)
  const { rackOf, rackCount } = denseRacks(memberOfRank.map((index) => members[index]!.rackIds[namespace] ?? 0))
  spreadOverRacks(order, n, rf, rackOf, rackCount)
  balanceOwners(order, n, rf, rackOf)
  balanceMasters(order, n, rf, rackOf)
  balanceReplicaIndexes(order, n, rf, rackOf)
  return toMemberIndexes(order, memberOfRank)
}

/** Rows of the members `indexes` per partition in natural succession order. */
function naturalOrder(members: readonly MemberInfo[], indexes: readonly number[]): Uint16Array {
  const { memberOfRank, order } = successionByRank(members, indexes)
  return toMemberIndexes(order, memberOfRank)
}

/**
 * The natural succession rows of the members `indexes`, as ranks by node id (so that the result
 * does not depend on the input order), and the member index of each rank.
 */
function successionByRank(members: readonly MemberInfo[], indexes: readonly number[]): { memberOfRank: number[]; order: Uint16Array } {
  const n = indexes.length
  const ids = new Map(indexes.map((index) => [index, parseNodeId(members[index]!.nodeId)]))
  const memberOfRank = [...indexes].sort((a, b) => (ids.get(a)! < ids.get(b)! ? -1 : ids.get(a)! > ids.get(b)! ? 1 : 0))
  const succession = new SuccessionOrder(memberOfRank.map((index) => members[index]!.nodeId))
  const order = new Uint16Array(PARTITION_COUNT * n)
  for (let pid = 0; pid < PARTITION_COUNT; pid++) succession.fill(pid, order, pid * n)
  return { memberOfRank, order }
}

function toMemberIndexes(order: Uint16Array, memberOfRank: readonly number[]): Uint16Array {
  for (let i = 0; i < order.length; i++) order[i] = memberOfRank[order[i]!]!
  return order
}

/** Rack ids renumbered 0..rackCount-1 in ascending order of id. */
function denseRacks(rackIds: readonly number[]): { rackOf: Uint16Array; rackCount: number } {
  const distinct = [...new Set(rackIds)].sort((a, b) => a - b)
  const dense = new Map(distinct.map((rack, index) => [rack, index]))
  return { rackOf: Uint16Array.from(rackIds, (rack) => dense.get(rack)!), rackCount: distinct.length }
}
