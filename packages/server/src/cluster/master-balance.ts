// Uniform master balance (Aerospike Enterprise's prefer-uniform-balance): every node masters
// floor(P/n) or ceil(P/n) partitions, where hashing alone leaves a spread of a few standard
// deviations (about ±3·sqrt(P/n)). Mastership moves by swapping a partition's master with another
// node of its row: first only with its other owners (the owner set, so the data, stays where it is),
// then, where that cannot reach the bound (one owner per partition), with nodes beyond the owners
// that keep the owners' racks spread. Each move follows a shortest augmenting path from an overfull
// node to an underfull one (mastership passes along a chain of partitions), so the number of swaps
// is the least the bound needs and the result is deterministic.

/**
 * Balances masters in place. `order`: one row of `n` node indexes per partition, owners first
 * (the first `rf`), master at the row's head. `rackOf[node]`: dense rack index (all 0 without racks).
 */
export function balanceMasters(order: Uint16Array, n: number, rf: number, rackOf: ArrayLike<number>): void {
  if (n < 2) return
  new MasterBalancer(order, n, rf, rackOf).run()
}

class MasterBalancer {
  private readonly order: Uint16Array
  private readonly n: number
  private readonly rf: number
  private readonly rackOf: ArrayLike<number>
  private readonly partitions: number
  private readonly floor: number
  private readonly masters: Int32Array
  // Breadth-first search state, per node.
  private readonly visited: Uint8Array
  private readonly viaNode: Int32Array
  private readonly viaRow: Int32Array
  private readonly viaSlot: Int32Array
  private readonly queue: Int32Array
  // The rows each node masters, as doubly linked lists kept current by apply().
  private readonly firstRow: Int32Array
  private readonly nextRow: Int32Array
  private readonly prevRow: Int32Array

  constructor(order: Uint16Array, n: number, rf: number, rackOf: ArrayLike<number>) {
    this.order = order
    this.n = n
    this.rf = rf
    this.rackOf = rackOf
    this.partitions = order.length / n
    this.floor = Math.floor(this.partitions / n)
    this.masters = new Int32Array(n)
    for (let start = 0; start < order.length; start += n) this.masters[order[start]!]!++
    this.visited = new Uint8Array(n)
    this.viaNode = new Int32Array(n)
    this.viaRow = new Int32Array(n)
    this.viaSlot = new Int32Array(n)
    this.queue = new Int32Array(n)
    this.firstRow = new Int32Array(n).fill(-1)
    this.nextRow = new Int32Array(this.partitions)
    this.prevRow = new Int32Array(this.partitions)
    for (let row = this.partitions - 1; row >= 0; row--) this.link(row, order[row * n]!)
  }

  run(): void {
    // Swaps inside the owner set first: they move no data.
    if (this.rf > 1) this.pass(this.rf)
    if (this.rf < this.n && !this.balanced()) this.pass(this.n)
  }

  private pass(slots: number): void {
    const ceil = this.floor + 1
    // Down to at most ceil, then up to at least floor (moving from nodes at ceil or above); the
    // second loop takes nothing below floor or above ceil, so the first loop's bound holds.
    while (this.augment(slots, (count) => count > ceil, (count) => count < ceil)) { /* next path */ }
    while (this.augment(slots, (count) => count > this.floor, (count) => count < this.floor)) { /* next path */ }
  }

  private balanced(): boolean {
    for (const count of this.masters) if (count < this.floor || count > this.floor + 1) return false
    return true
  }

  /**
   * One shortest path from any source (by `isSource` of its master count) to a sink, over edges
   * "u masters partition p and v is in slot 1..slots-1 of p's row"; applied if found.
   */
  private augment(slots: number, isSource: (count: number) => boolean, isSink: (count: number) => boolean): boolean {
    const { order, n, masters, visited, viaNode, viaRow, viaSlot, queue } = this
    let sinks = 0
    let tail = 0
    visited.fill(0)
    for (let node = 0; node < n; node++) {
      if (isSource(masters[node]!)) {
        visited[node] = 1
        viaNode[node] = -1
        queue[tail++] = node
      } else if (isSink(masters[node]!)) {
        sinks++
      }
    }
    if (tail === 0 || sinks === 0) return false
    for (let head = 0; head < tail; head++) {
      const from = queue[head]!
      for (let row = this.firstRow[from]!; row !== -1; row = this.nextRow[row]!) {
        const start = row * n
        for (let slot = 1; slot < slots; slot++) {
          const to = order[start + slot]!
          if (visited[to] === 1 || (slot >= this.rf && !this.keepsRackSpread(start, slot))) continue
          visited[to] = 1
          viaNode[to] = from
          viaRow[to] = row
          viaSlot[to] = slot
          if (isSink(masters[to]!)) {
            this.apply(to)
            return true
          }
          queue[tail++] = to
        }
      }
    }
    return false
  }

  /** Hands mastership along the path that ends at `sink`. */
  private apply(sink: number): void {
    const { order, n, masters } = this
    for (let to = sink; this.viaNode[to] !== -1; to = this.viaNode[to]!) {
      const from = this.viaNode[to]!
      const row = this.viaRow[to]!
      const slot = this.viaSlot[to]!
      order[row * n + slot] = from
      order[row * n] = to
      masters[from]!--
      masters[to]!++
      this.unlink(row, from)
      this.link(row, to)
    }
  }

  /** Puts `row` at the head of `node`'s list. */
  private link(row: number, node: number): void {
    const first = this.firstRow[node]!
    this.prevRow[row] = -1
    this.nextRow[row] = first
    if (first !== -1) this.prevRow[first] = row
    this.firstRow[node] = row
  }

  private unlink(row: number, node: number): void {
    const prev = this.prevRow[row]!
    const next = this.nextRow[row]!
    if (prev === -1) this.firstRow[node] = next
    else this.nextRow[prev] = next
    if (next !== -1) this.prevRow[next] = prev
  }

  /** Whether the node in `slot` (beyond the owners) may replace the master without losing a rack. */
  private keepsRackSpread(start: number, slot: number): boolean {
    const { order, rackOf, rf } = this
    const masterRack = rackOf[order[start]!]!
    const newRack = rackOf[order[start + slot]!]!
    if (masterRack === newRack) return true
    let masterRackShared = false
    let newRackPresent = false
    for (let i = 1; i < rf; i++) {
      const rack = rackOf[order[start + i]!]!
      if (rack === masterRack) masterRackShared = true
      if (rack === newRack) newRackPresent = true
    }
    return masterRackShared || !newRackPresent
  }
}
