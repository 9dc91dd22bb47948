// Rack-awareness of succession lists: a partition's owners go on different racks, so losing a rack
// (a machine, a zone) loses at most one copy of each partition.

/**
 * Reorders each row of `order` (PARTITION rows of `n` node indexes, natural succession order) so
 * that its first min(rf, rackCount) nodes are on distinct racks: where a node's rack is already
 * used, the first later node of an unused rack moves up into its slot. Everything else keeps its
 * natural order, which keeps the change small when a node joins or leaves.
 * `rackOf[node]` is a dense rack index in [0, rackCount).
 */
export function spreadOverRacks(order: Uint16Array, n: number, rf: number, rackOf: ArrayLike<number>, rackCount: number): void {
  if (rackCount < 2) return
  const spread = Math.min(rf, rackCount)
  // usedIn[rack] = the row that last used the rack: no clearing between rows.
  const usedIn = new Int32Array(rackCount).fill(-1)
  for (let row = 0, start = 0; start < order.length; row++, start += n) {
    for (let slot = 0; slot < spread; slot++) {
      // Slots before `slot` hold `slot` distinct racks and there are more racks than that, so a node
      // of an unused rack lies at `slot` or after it.
      let from = start + slot
      while (usedIn[rackOf[order[from]!]!] === row) from++
      const node = order[from]!
      if (from > start + slot) {
        order.copyWithin(start + slot + 1, start + slot, from)
        order[start + slot] = node
      }
      usedIn[rackOf[node]!] = row
    }
  }
}

/**
 * Whether the node in slot `inSlot` (beyond the `rf` owners) may take owner slot `outSlot` of the
 * row that starts at `start` without lowering the number of racks the owners are on.
 */
export function keepsRackSpread(order: Uint16Array, start: number, rf: number, rackOf: ArrayLike<number>, outSlot: number, inSlot: number): boolean {
  const outRack = rackOf[order[start + outSlot]!]!
  const inRack = rackOf[order[start + inSlot]!]!
  if (outRack === inRack) return true
  let outRackStays = false
  let inRackPresent = false
  for (let slot = 0; slot < rf; slot++) {
    if (slot === outSlot) continue
    const rack = rackOf[order[start + slot]!]!
    if (rack === outRack) outRackStays = true
    if (rack === inRack) inRackPresent = true
  }
  return outRackStays || !inRackPresent
}
