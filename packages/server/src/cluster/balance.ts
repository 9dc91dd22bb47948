// Uniform balance (as Aerospike Enterprise's prefer-uniform-balance): hashing alone leaves each
// node's share of partitions a few standard deviations (about ±3·sqrt(share)) off the mean; these
// passes bring each node's count to floor or ceil of the mean, by swapping nodes within a
// partition's row (one row per partition: owners first, master at the head, then the rest of the
// succession).
//
// Each move follows an augmenting path from an overfull node to an underfull one: u hands a slot of
// row p to v (v was further down row p), v hands a slot of row p' to w, ... so only the two ends
// change their counts. Paths are found breadth first, scanning nodes, rows and candidates in a fixed
// order, so the result depends only on the input rows.
import { keepsRackSpread } from './rack-spread.ts'

/**
 * Owners: each node owns (is in the first `rf` slots of) floor or ceil of rf·P/n rows, by handing
 * an owner slot to a node beyond the owners whose rack keeps the owners' rack spread. This changes
 * owner sets (moves data), which is the price of even replica counts; the nearest candidates in
 * succession order are preferred.
 */
export function balanceOwners(order: Uint16Array, n: number, rf: number, rackOf: ArrayLike<number>): void {
  if (rf >= n) return
  const balancer = new SlotBalancer(order, n, rf, rackOf, 0, rf)
  balancer.run(rf, n)
  // Racks can make the cluster-wide bound unreachable (a node alone on its rack owns every
  // partition); then the nodes of each rack are evened out among themselves.
  if (!balancer.balanced()) balancer.runWithinRacks(rf, n)
}

/**
 * Masters: each node masters floor or ceil of P/n rows, first by swapping the master with another
 * owner of the row (the owner set, so the data, stays), then, where that cannot reach the bound,
 * with nodes beyond the owners that keep the owners' rack spread.
 */
export function balanceMasters(order: Uint16Array, n: number, rf: number, rackOf: ArrayLike<number>): void {
  if (n < 2) return
  const balancer = new SlotBalancer(order, n, rf, rackOf, 0, 1)
  if (rf > 1) balancer.run(1, rf)
  if (rf < n && !balancer.balanced()) balancer.run(1, n)
  if (!balancer.balanced()) balancer.runWithinRacks(1, n)
}

/**
 * Replica indexes (RF 3 and more): each node holds replica index i (1..rf-2) of floor or ceil of
 * P/n rows, by swapping it with a later owner of the row; the owner set and the master stay.
 */
export function balanceReplicaIndexes(order: Uint16Array, n: number, rf: number, rackOf: ArrayLike<number>): void {
  for (let index = 1; index < rf - 1; index++) new SlotBalancer(order, n, rf, rackOf, index, 1).run(index + 1, rf)
}

/** Balances how many of slots [cellFrom, cellFrom + cellSlots) of the rows each node holds. */
class SlotBalancer {
  private readonly order: Uint16Array
  private readonly n: number
  private readonly rf: number
  private readonly rackOf: ArrayLike<number>
  private readonly cellFrom: number
  private readonly cellSlots: number
  private readonly floor: number
  private readonly counts: Int32Array
  // Breadth-first search state, per node.
  private readonly visited: Uint8Array
  private readonly viaNode: Int32Array
  private readonly viaCell: Int32Array
  private readonly viaSlot: Int32Array
  private readonly queue: Int32Array
  // The cells (row · cellSlots + slot - cellFrom) each node holds, as doubly linked lists kept current.
  private readonly firstCell: Int32Array
  private readonly nextCell: Int32Array
  private readonly prevCell: Int32Array

  constructor(order: Uint16Array, n: number, rf: number, rackOf: ArrayLike<number>, cellFrom: number, cellSlots: number) {
    this.order = order
    this.n = n
    this.rf = rf
    this.rackOf = rackOf
    this.cellFrom = cellFrom
    this.cellSlots = cellSlots
    const rows = order.length / n
    this.floor = Math.floor((rows * cellSlots) / n)
    this.counts = new Int32Array(n)
    this.visited = new Uint8Array(n)
    this.viaNode = new Int32Array(n)
    this.viaCell = new Int32Array(n)
    this.viaSlot = new Int32Array(n)
    this.queue = new Int32Array(n)
    this.firstCell = new Int32Array(n).fill(-1)
    this.nextCell = new Int32Array(rows * cellSlots)
    this.prevCell = new Int32Array(rows * cellSlots)
    // Linked from the last cell back, so that each list starts in ascending cell order.
    for (let cell = rows * cellSlots - 1; cell >= 0; cell--) {
      const node = this.nodeAt(cell)
      this.counts[node]!++
      this.link(cell, node)
    }
  }

  balanced(): boolean {
    for (const count of this.counts) if (count < this.floor || count > this.floor + 1) return false
    return true
  }

  /** Moves cells to nodes found in slots [from, to) of their rows until counts are within floor..ceil or no path is left. */
  run(from: number, to: number): void {
    this.even(from, to, this.floor, () => true)
  }

  /** As run(), for the nodes of each rack, around their own mean. */
  runWithinRacks(from: number, to: number): void {
    let rackCount = 0
    for (let node = 0; node < this.n; node++) rackCount = Math.max(rackCount, this.rackOf[node]! + 1)
    for (let rack = 0; rack < rackCount; rack++) {
      let nodes = 0
      let total = 0
      for (let node = 0; node < this.n; node++) {
        if (this.rackOf[node] !== rack) continue
        nodes++
        total += this.counts[node]!
      }
      if (nodes > 1) this.even(from, to, Math.floor(total / nodes), (node) => this.rackOf[node] === rack)
    }
  }

  private even(from: number, to: number, floor: number, member: (node: number) => boolean): void {
    const { counts } = this
    const ceil = floor + 1
    // Down to at most ceil, then up to at least floor (taking from nodes at ceil or above): the
    // second loop never pushes a node above ceil, so the first loop's bound holds.
    while (this.augment(from, to, (node) => member(node) && counts[node]! > ceil, (node) => member(node) && counts[node]! < ceil)) { /* next path */ }
    while (this.augment(from, to, (node) => member(node) && counts[node]! > floor, (node) => member(node) && counts[node]! < floor)) { /* next path */ }
  }

  /** Finds one path from any source node to a sink node and applies it; nodes between keep their counts. */
  private augment(from: number, to: number, isSource: (node: number) => boolean, isSink: (node: number) => boolean): boolean {
    const { order, n, visited, viaNode, viaCell, viaSlot, queue, cellFrom, cellSlots } = this
    let sinks = 0
    let tail = 0
    visited.fill(0)
    for (let node = 0; node < n; node++) {
      if (isSource(node)) {
        visited[node] = 1
        viaNode[node] = -1
        queue[tail++] = node
      } else if (isSink(node)) {
        sinks++
      }
    }
    if (tail === 0 || sinks === 0) return false
    for (let head = 0; head < tail; head++) {
      const holder = queue[head]!
      // Candidate slot outermost: a node's nearest successors are tried across all its cells first.
      for (let slot = from; slot < to; slot++) {
        for (let cell = this.firstCell[holder]!; cell !== -1; cell = this.nextCell[cell]!) {
          const start = Math.floor(cell / cellSlots) * n
          const candidate = order[start + slot]!
          if (visited[candidate] === 1) continue
          if (slot >= this.rf && !keepsRackSpread(order, start, this.rf, this.rackOf, cellFrom + (cell % cellSlots), slot)) continue
          visited[candidate] = 1
          viaNode[candidate] = holder
          viaCell[candidate] = cell
          viaSlot[candidate] = slot
          if (isSink(candidate)) {
            this.apply(candidate)
            return true
          }
          queue[tail++] = candidate
        }
      }
    }
    return false
  }

  /** Hands each cell of the path that ends at `sink` to the next node of the path. */
  private apply(sink: number): void {
    const { order, n, counts, cellFrom, cellSlots } = this
    for (let taker = sink; this.viaNode[taker] !== -1; taker = this.viaNode[taker]!) {
      const giver = this.viaNode[taker]!
      const cell = this.viaCell[taker]!
      const start = Math.floor(cell / cellSlots) * n
      order[start + this.viaSlot[taker]!] = giver
      order[start + cellFrom + (cell % cellSlots)] = taker
      counts[giver]!--
      counts[taker]!++
      this.unlink(cell, giver)
      this.link(cell, taker)
    }
  }

  private nodeAt(cell: number): number {
    return this.order[Math.floor(cell / this.cellSlots) * this.n + this.cellFrom + (cell % this.cellSlots)]!
  }

  /** Puts `cell` at the head of `node`'s list. */
  private link(cell: number, node: number): void {
    const first = this.firstCell[node]!
    this.prevCell[cell] = -1
    this.nextCell[cell] = first
    if (first !== -1) this.prevCell[first] = cell
    this.firstCell[node] = cell
  }

  private unlink(cell: number, node: number): void {
    const prev = this.prevCell[cell]!
    const next = this.nextCell[cell]!
    if (prev === -1) this.firstCell[node] = next
    else this.nextCell[prev] = next
    if (next !== -1) this.prevCell[next] = prev
  }
}
