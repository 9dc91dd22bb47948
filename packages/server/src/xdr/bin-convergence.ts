// Bin convergence: how a record here and a shipped one (ship-bin-luts) become one, bin by bin. Each
// bin keeps the newer of its two versions (record/bin-versions.ts): its value, or its removal. A
// bin one side does not list is as old as that side's floor (the delete its record was created
// over; a shipped delete is a floor with no bins), so a delete removes every bin older than it and
// keeps the newer ones. Applied in any order, the same versions give the same record on both sides.
import type { Bin } from '../record/bins.ts'
import { newestStamp, stampNewer, type Stamp, type WrittenRecord } from '../record/bin-versions.ts'

/** The merged record, or undefined when the shipped one has nothing newer (LOST_CONFLICT). */
export function mergeShippedBins(local: WrittenRecord, shipped: WrittenRecord): WrittenRecord | undefined {
  const floor = newestStamp(local.versions.floor, shipped.versions.floor)
  let changed = floor !== local.versions.floor
  const localValues = byName(local.bins)
  const shippedValues = byName(shipped.bins)
  const bins: Bin[] = []
  const versions = new Map<string, Stamp>()
  for (const name of new Set([...local.versions.bins.keys(), ...shipped.versions.bins.keys()])) {
    const here = local.versions.bins.get(name) ?? local.versions.floor
    const there = shipped.versions.bins.get(name) ?? shipped.versions.floor
    const takeShipped = there !== undefined && stampNewer(there, here)
    if (takeShipped) changed = true
    const stamp = (takeShipped ? there : here)!
    const value = takeShipped ? shippedValues.get(name) : localValues.get(name)
    if (value !== undefined) {
      bins.push(value)
      versions.set(name, stamp)
    } else if (floor === undefined || stampNewer(stamp, floor)) {
      // A removal the floor does not cover stays as a bin tombstone.
      versions.set(name, stamp)
    }
  }
  return changed ? { bins, versions: { floor, bins: versions } } : undefined
}

function byName(bins: readonly Bin[]): Map<string, Bin> {
  return new Map(bins.map((bin) => [bin.name, bin]))
}
