// Per-bin versions, kept in each record of a namespace with conflict-resolve-writes so that two
// regions writing one record at once converge bin by bin (XDR bin convergence, ship-bin-luts).
// A version is a last-update time and the src-id of the cluster that made it. A record lists the
// version of each live bin, of each bin removed since (a bin tombstone), and its floor: the delete
// of the record it was created over, which every bin not listed is as old as.
//
// Stored between the key and the bins (record/layout.ts, flag BIN_VERSIONS):
//   u32 section bytes (this word included)   u48 floor ms (0: no floor)   u8 floor src-id
//   then per bin: u8 name bytes, name, u48 last-update ms, u8 src-id
import type { Bin } from './bins.ts'

export interface Stamp {
  lastUpdateMs: number
  srcId: number
}

export interface BinVersions {
  floor: Stamp | undefined
  /** Live bins and bin tombstones: a name the record's bins lack is a tombstone. */
  bins: Map<string, Stamp>
}

const SECTION_HEAD_BYTES = 11
const ENTRY_FIXED_BYTES = 8

/** Whether a is newer than b (undefined: never written): the later time, then the higher src-id. */
export function stampNewer(a: Stamp, b: Stamp | undefined): boolean {
  if (b === undefined) return true
  return a.lastUpdateMs !== b.lastUpdateMs ? a.lastUpdateMs > b.lastUpdateMs : a.srcId > b.srcId
}

export function newestStamp(a: Stamp | undefined, b: Stamp | undefined): Stamp | undefined {
  if (a === undefined) return b
  return b !== undefined && stampNewer(b, a) ? b : a
}

/** The newest version a record holds: of a bin, a bin tombstone or its floor. */
export function newestOf(versions: BinVersions): Stamp | undefined {
  let newest = versions.floor
  for (const stamp of versions.bins.values()) newest = newestStamp(newest, stamp)
  return newest
}

export function binVersionsBytes(versions: BinVersions): number {
  let size = SECTION_HEAD_BYTES
  for (const name of versions.bins.keys()) size += ENTRY_FIXED_BYTES + Buffer.byteLength(name)
  return size
}

/** Writes the section at `at`; returns where it ends. */
export function writeBinVersions(target: Buffer, at: number, versions: BinVersions): number {
  let pos = at + SECTION_HEAD_BYTES
  target.writeUIntLE(versions.floor?.lastUpdateMs ?? 0, at + 4, 6)
  target[at + 10] = versions.floor?.srcId ?? 0
  for (const [name, stamp] of versions.bins) {
    const nameBytes = target.write(name, pos + 1, 'utf8')
    target[pos] = nameBytes
    pos += 1 + nameBytes
    target.writeUIntLE(stamp.lastUpdateMs, pos, 6)
    target[pos + 6] = stamp.srcId
    pos += 7
  }
  target.writeUInt32LE(pos - at, at)
  return pos
}

/** The section's size as stored, for readers that skip it. */
export function storedBinVersionsBytes(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at)
}

/** Whether a section at `at` is well formed and ends by `end` (a damaged record must not be read). */
export function binVersionsFit(buf: Buffer, at: number, end: number): boolean {
  if (at + SECTION_HEAD_BYTES > end) return false
  const sectionEnd = at + buf.readUInt32LE(at)
  if (sectionEnd > end) return false
  let pos = at + SECTION_HEAD_BYTES
  while (pos < sectionEnd) pos += ENTRY_FIXED_BYTES + buf[pos]!
  return pos === sectionEnd
}

export function readBinVersions(buf: Buffer, at: number): BinVersions {
  const end = at + buf.readUInt32LE(at)
  const floorMs = buf.readUIntLE(at + 4, 6)
  const bins = new Map<string, Stamp>()
  let pos = at + SECTION_HEAD_BYTES
  while (pos < end) {
    const nameBytes = buf[pos]!
    const name = buf.toString('utf8', pos + 1, pos + 1 + nameBytes)
    pos += 1 + nameBytes
    bins.set(name, { lastUpdateMs: buf.readUIntLE(pos, 6), srcId: buf[pos + 6]! })
    pos += 7
  }
  return { floor: floorMs === 0 ? undefined : { lastUpdateMs: floorMs, srcId: buf[at + 10]! }, bins }
}

/**
 * The versions of a record's live bins and tombstones, filled in where the record has none (it was
 * written before conflict-resolve-writes was set): such a bin is as old as the record.
 */
export function completeVersions(bins: readonly Bin[], stored: BinVersions | undefined, recordStamp: Stamp): BinVersions {
  const versions: BinVersions = { floor: stored?.floor, bins: new Map(stored?.bins) }
  for (const bin of bins) if (!versions.bins.has(bin.name)) versions.bins.set(bin.name, recordStamp)
  return versions
}

export interface WrittenRecord {
  bins: readonly Bin[]
  versions: BinVersions
}

/**
 * The versions after a write stamped `stamp`: a bin it wrote (named in `written`) or whose value
 * changed takes the stamp, a bin it removed becomes a tombstone at the stamp, the others keep
 * theirs. Tombstones older than `forgetBeforeMs` are dropped (tomb-raider-eligible-age).
 */
export function versionsAfterWrite(before: WrittenRecord, after: readonly Bin[], written: ReadonlySet<string> | undefined, stamp: Stamp, forgetBeforeMs: number): BinVersions {
  const was = new Map(before.bins.map((bin) => [bin.name, bin]))
  const bins = new Map<string, Stamp>()
  for (const bin of after) {
    const old = was.get(bin.name)
    const same = old !== undefined && old.particleType === bin.particleType && old.value.equals(bin.value)
    bins.set(bin.name, same && written?.has(bin.name) !== true ? before.versions.bins.get(bin.name) ?? stamp : stamp)
    was.delete(bin.name)
  }
  for (const name of was.keys()) bins.set(name, stamp)
  // Every bin live before is listed by now; what else was listed is a tombstone.
  for (const [name, old] of before.versions.bins) {
    if (!bins.has(name) && old.lastUpdateMs >= forgetBeforeMs) bins.set(name, old)
  }
  return { floor: before.versions.floor, bins }
}
