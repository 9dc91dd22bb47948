// An XDR write or delete that carries its version (xdr/shipped-version.ts), against the record here:
// its live version, or the delete a tombstone remembers. The older one loses.
import { shippedVersionWins, type ShippedVersion } from '../xdr/shipped-version.ts'
import { findRecord } from './commit.ts'
import type { RecordRequest } from './request.ts'

/** Whether the record here is newer than the shipped version (which then answers LOST_CONFLICT). */
export function shippedVersionLoses(req: RecordRequest, shipped: ShippedVersion, localSrcId: number): boolean {
  const { namespace } = req
  const found = findRecord(namespace, req.digest, req.partitionId)
  const localLastUpdateMs = found.liveId >= 0
    ? namespace.lastUpdateMsOf(found.liveId)
    : namespace.tombstones.deleteOf(req.partitionId, req.digest)?.lastUpdateMs
  if (shippedVersionWins(shipped, localLastUpdateMs, localSrcId)) return false
  namespace.counters.failXdrLostConflict++
  return true
}
