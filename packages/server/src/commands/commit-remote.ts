// The commit road for a version of a record made elsewhere in this cluster: a replica write from
// the partition's master, or a record arriving by migration. Unlike a client write it carries its
// own generation, last-update time and void time, and whether it replaces the local version is
// decided here:
//   replica    the master's version applies as sent (the master already ordered the changes);
//   migration  the winner under conflict-resolution-policy: `generation` compares generations, then
//              last-update times; `last-update-time` the reverse.
// (A record shipped from another cluster is a client write marked XDR: commands/xdr-conflict.ts.)
// A deleted record (a tombstone: in a persistent namespace, or in a cluster while another copy may
// still hold the record) takes part with the generation and last-update time of its delete. A
// migrated delete of a record this node lacks is remembered too: a merge gathers several copies,
// and a later one may hold an older version.
import { ResultCode, partitionId } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'
import type { ConflictResolutionPolicy } from '../config/index.ts'
import { limits } from '../limits.ts'
import { readBins, recordBinVersions, recordKey } from '../record/layout.ts'
import type { Namespace } from '../namespace/namespace.ts'
import type { BinVersions } from '../record/bin-versions.ts'
import { checkedRecordBytes, findRecord, settleChange } from './commit.ts'

export type RemoteOrigin = 'replica' | 'migration'

export interface RemoteRecord {
  digest: Buffer
  setName: string
  generation: number
  lastUpdateMs: number
  /** Seconds since 2010 (0 = never expires). */
  voidTime: number
  /** The record in the stored layout (record/layout.ts, uncompressed); undefined for a delete. */
  bytes: Buffer | undefined
  /** A delete's bin versions, when bin convergence deleted the record (a bin cemetery). */
  binVersions?: BinVersions
}

export interface VersionStamp {
  generation: number
  lastUpdateMs: number
}

export interface RemoteOutcome {
  /** Whether the incoming version replaced (or removed) the local one. */
  applied: boolean
  settled: Promise<void> | undefined
}

/**
 * Whether generation a is newer than b. Generations are 16 bits wrapping past 0xffff to 1, so a
 * generation a little past the wrap is newer than one just before it.
 */
export function generationNewer(a: number, b: number): boolean {
  const ahead = (a - b) & 0xffff
  return ahead !== 0 && ahead < 0x8000
}

/** Whether the incoming version wins over the local one (undefined: there is none). */
export function incomingWins(local: VersionStamp | undefined, incoming: VersionStamp, origin: RemoteOrigin, policy: ConflictResolutionPolicy): boolean {
  if (local === undefined || origin === 'replica') return true
  const byLut = incoming.lastUpdateMs !== local.lastUpdateMs ? incoming.lastUpdateMs > local.lastUpdateMs : undefined
  const byGeneration = incoming.generation !== local.generation ? generationNewer(incoming.generation, local.generation) : undefined
  const first = policy === 'generation' ? byGeneration : byLut
  return first ?? (policy === 'generation' ? byLut : byGeneration) ?? false
}

/** The local version of a record: the live one, or the delete a tombstone remembers. */
export function localStamp(namespace: Namespace, pid: number, digest: Buffer, liveId: number): VersionStamp | undefined {
  if (liveId >= 0) return { generation: namespace.generationOf(liveId), lastUpdateMs: namespace.lastUpdateMsOf(liveId) }
  return namespace.tombstones.deleteOf(pid, digest)
}

function truncatedBefore(namespace: Namespace, incoming: RemoteRecord): boolean {
  return namespace.truncates(incoming.lastUpdateMs, incoming.setName.length === 0 ? undefined : namespace.sets.get(incoming.setName))
}

/** Applies a version of a record made elsewhere if it wins (see the top of this file). */
export function commitRemote(namespace: Namespace, incoming: RemoteRecord, origin: RemoteOrigin): RemoteOutcome {
  // A version from before a truncate cutoff is truncated here, whenever it arrives (a migration
  // or a replica write from a node that had not applied the cutoff yet): it never comes back.
  if (incoming.bytes !== undefined && truncatedBefore(namespace, incoming)) return { applied: false, settled: undefined }
  const pid = partitionId(incoming.digest)
  const found = findRecord(namespace, incoming.digest, pid)
  if (!incomingWins(localStamp(namespace, pid, incoming.digest, found.liveId), incoming, origin, namespace.config.conflictResolutionPolicy)) {
    return { applied: false, settled: undefined }
  }
  if (incoming.bytes === undefined) {
    if (found.anyId < 0) {
      if (origin === 'migration') namespace.rememberDelete(pid, incoming.digest, incoming, namespace.sets.get(incoming.setName)?.id ?? 0)
      return { applied: false, settled: undefined }
    }
    namespace.remove(found.anyId, incoming.digest, origin, pid, incoming)
  } else {
    const set = incoming.setName.length === 0 ? undefined : namespace.sets.getOrCreate(incoming.setName)
    if (set === undefined && incoming.setName.length > 0) throw new CommandError(ResultCode.PARAMETER_ERROR, `more than ${limits.maxSetsPerNamespace} sets`)
    const version = {
      generation: incoming.generation,
      voidTime: incoming.voidTime,
      lastUpdateMs: incoming.lastUpdateMs,
      setId: set?.id ?? 0,
      key: recordKey(incoming.bytes, 0),
      bins: readBins(incoming.bytes, 0),
      binVersions: recordBinVersions(incoming.bytes, 0),
      encodedBytes: 0,
    }
    version.encodedBytes = checkedRecordBytes(namespace, version)
    namespace.store(incoming.digest, found.anyId, version, origin, pid)
  }
  return { applied: true, settled: settleChange(namespace, incoming.digest) }
}
