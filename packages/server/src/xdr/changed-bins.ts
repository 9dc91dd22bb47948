// Which bins of a record ship under bin-policy, and which bins a change touched (for the policies
// that ship changed bins: only-changed, changed-and-specified, changed-or-specified). A removed bin
// ships as a bin delete (a write of nil). Where the changed bins are not known (a record found by
// a partition walk), every bin counts as changed.
import { ParticleType } from '@aerolite/protocol'
import type { BinPolicy, XdrNamespaceConfig } from '../config/xdr-config.ts'
import { readBins, recordBinVersions } from '../record/layout.ts'
import type { BinVersions } from '../record/bin-versions.ts'
import type { Bin } from '../record/bins.ts'
import type { RecordLocation } from '../namespace/namespace.ts'

const NIL = Buffer.alloc(0)

export function tracksChangedBins(policy: BinPolicy): boolean {
  return policy === 'only-changed' || policy === 'changed-and-specified' || policy === 'changed-or-specified'
}

/**
 * The names of the bins a write changed, added or removed (all of a new record's). A record with
 * bin versions (conflict-resolve-writes) names those whose version moved: a bin written again with
 * the same value is a newer write, which the other region must hear of to converge.
 */
export function changedBinNames(before: RecordLocation | undefined, after: RecordLocation): Set<string> {
  const versions = recordBinVersions(after.buf, after.at)
  if (versions !== undefined) return restampedBinNames(before === undefined ? undefined : recordBinVersions(before.buf, before.at), versions)
  const now = readBins(after.buf, after.at)
  if (before === undefined) return new Set(now.map((bin) => bin.name))
  const was = new Map(readBins(before.buf, before.at).map((bin) => [bin.name, bin]))
  const names = new Set<string>()
  for (const bin of now) {
    const old = was.get(bin.name)
    if (old === undefined || old.particleType !== bin.particleType || !old.value.equals(bin.value)) names.add(bin.name)
    was.delete(bin.name)
  }
  for (const name of was.keys()) names.add(name)
  return names
}

function restampedBinNames(before: BinVersions | undefined, after: BinVersions): Set<string> {
  const names = new Set<string>()
  for (const [name, stamp] of after.bins) {
    const old = before?.bins.get(name)
    if (old === undefined || old.lastUpdateMs !== stamp.lastUpdateMs || old.srcId !== stamp.srcId) names.add(name)
  }
  return names
}

/**
 * The bins that ship: under `all`, every bin; `no-bins`, none; `only-changed`, the changed ones;
 * `changed-and-specified`, the changed ones among ship-bin; `changed-or-specified`, both. ignore-bin
 * leaves bins out under every policy. `changed` undefined: not known, every bin counts as changed.
 * A changed bin the record no longer has ships as a nil write, which removes it; with bin versions
 * (ship-bin-luts) the removed bins are the record's bin tombstones, which ship under every policy.
 */
export function shippedBins(bins: readonly Bin[], config: XdrNamespaceConfig, changed: ReadonlySet<string> | undefined, tombstones?: Iterable<string>): Bin[] {
  const { binPolicy } = config
  if (binPolicy === 'no-bins') return []
  const ignored = new Set(config.ignoreBins)
  const specified = new Set(config.shipBins)
  const isChanged = (name: string): boolean => changed === undefined || changed.has(name)
  const ships = (name: string): boolean => {
    if (ignored.has(name)) return false
    switch (binPolicy) {
      case 'all': return true
      case 'only-changed': return isChanged(name)
      case 'changed-and-specified': return isChanged(name) && specified.has(name)
      case 'changed-or-specified': return isChanged(name) || specified.has(name)
    }
  }
  const out = bins.filter((bin) => ships(bin.name))
  const removed = tombstones ?? (changed !== undefined && binPolicy !== 'all' ? changed : [])
  const present = new Set(bins.map((bin) => bin.name))
  for (const name of removed) if (!present.has(name) && ships(name)) out.push({ name, particleType: ParticleType.NULL, value: NIL })
  return out
}
