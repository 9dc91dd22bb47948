// An XDR write or delete that carries its version (xdr/shipped-version.ts), against the record here:
// its live version, or the delete a tombstone remembers. The older one loses.
import { shippedVersionWins, type ShippedVersion } from '../xdr/shipped-version.ts'
import { findRecord } from './commit.ts'
import { localStamp } from './commit-remote.ts'
import type { RecordRequest } from './request.ts'

/** Whether the record here is newer than the shipped version (which then answers LOST_CONFLICT). */
export function shippedVersionLoses(req: RecordRequest, shipped: ShippedVersion, localSrcId: number): boolean {
  const { namespace } = req
  const found = findRecord(namespace, req.digest, req.partitionId)
  const local = localStamp(namespace, req.partitionId, req.digest, found.liveId)
  if (shippedVersionWins(shipped, local?.lastUpdateMs, localSrcId)) return false
  namespace.counters.failXdrLostConflict++
  return true
}
