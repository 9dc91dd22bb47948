// A write or delete shipped with per-bin versions (ship-bin-luts) into a namespace with
// conflict-resolve-writes: merged with the record here bin by bin (xdr/bin-convergence.ts). It
// answers LOST_CONFLICT when nothing shipped is newer than here. A record left without live bins is
// deleted; its tombstone keeps the bin versions (a "bin cemetery"), so a later shipped bin is
// judged against its own bin's removal, as in a region where the record never emptied.
import { Info2, OpType, ParticleType, ResultCode, TtlWire } from '@aerolite/protocol'
import { newestOf, type Stamp, type WrittenRecord } from '../record/bin-versions.ts'
import { recordKey } from '../record/layout.ts'
import type { Bin } from '../record/bins.ts'
import { mergeShippedBins } from '../xdr/bin-convergence.ts'
import type { ShippedBinVersions, ShippedVersion } from '../xdr/shipped-version.ts'
import { CommandError } from '../command-error.ts'
import { headerReply, type CommandReply } from './reply.ts'
import { checkSetName, type RecordRequest } from './request.ts'
import { commitRemove, commitStore, findRecord, versionedBefore } from './commit.ts'

export function executeBinMerge(req: RecordRequest, shipped: ShippedVersion, binVersions: ShippedBinVersions): CommandReply {
  const { namespace, message } = req
  const found = findRecord(namespace, req.digest, req.partitionId)
  if (found.liveId >= 0) checkSetName(req, found.liveId, false)
  const isDelete = (message.info2 & Info2.DELETE) !== 0
  const merged = mergeShippedBins(versionedBefore(req, found), isDelete ? shippedDelete(shipped) : shippedRecord(req, binVersions))
  if (merged === undefined) {
    namespace.counters.failXdrLostConflict++
    return { reply: headerReply(ResultCode.LOST_CONFLICT) }
  }
  const newest = newestOf(merged.versions)!
  const asOfNewest = { ...req, shippedVersion: newest }
  if (merged.bins.length === 0) {
    if (found.liveId < 0) {
      const deleted = { generation: namespace.tombstones.deleteOf(req.partitionId, req.digest)?.generation ?? 0, lastUpdateMs: newest.lastUpdateMs, binVersions: merged.versions }
      namespace.rememberDelete(req.partitionId, req.digest, deleted, namespace.sets.get(req.setName)?.id ?? 0)
      return { reply: headerReply(ResultCode.OK) }
    }
    const outcome = commitRemove(asOfNewest, found.liveId, found.generation, 'xdr', merged.versions)
    namespace.counters.clientDeleteSuccess++
    return settledReply(headerReply(ResultCode.OK), outcome.settled)
  }
  const stored = found.liveId >= 0 ? namespace.location(found.liveId) : undefined
  const storedKey = stored === undefined ? undefined : recordKey(stored.buf, stored.at)
  // A delete that leaves newer bins here leaves their TTL too.
  const wireTtl = isDelete ? TtlWire.DONT_UPDATE : message.recordTtl
  const change = { bins: [...merged.bins], wireTtl, key: req.key ?? storedKey, startsOver: false, binVersions: merged.versions, lastUpdateMs: newest.lastUpdateMs }
  const outcome = commitStore(asOfNewest, found, change, 'xdr')
  namespace.counters.clientWriteSuccess++
  return settledReply(headerReply(ResultCode.OK, outcome.generation, outcome.voidTime), outcome.settled)
}

/** A shipped delete: every bin older than it is gone. */
function shippedDelete(shipped: ShippedVersion): WrittenRecord {
  return { bins: [], versions: { floor: { lastUpdateMs: shipped.lastUpdateMs, srcId: shipped.srcId }, bins: new Map() } }
}

/** The shipped bins with their versions; a nil write is a removed bin. Only writes ship this way. */
function shippedRecord(req: RecordRequest, binVersions: ShippedBinVersions): WrittenRecord {
  const bins: Bin[] = []
  const versions = new Map<string, Stamp>()
  req.message.ops.forEach((op, i) => {
    if (op.type !== OpType.WRITE) throw new CommandError(ResultCode.PARAMETER_ERROR, `a write shipped with bin versions has op type ${op.type}, not a write`)
    const name = op.name.toString('utf8')
    versions.set(name, binVersions.stamps[i]!)
    if (op.particleType !== ParticleType.NULL) bins.push({ name, particleType: op.particleType, value: op.value })
  })
  return { bins, versions: { floor: binVersions.floor, bins: versions } }
}

function settledReply(reply: Buffer, settled: Promise<void> | undefined): CommandReply {
  return settled === undefined ? { reply } : { reply, settled }
}
