// A record's current version (or the delete a tombstone remembers) read out of a namespace, as it
// travels to another node.
import { DIGEST_BYTES } from '@aerolite/protocol'
import type { RemoteRecord } from '../commands/commit-remote.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { recordTotalBytes } from '../record/layout.ts'

/**
 * The version held by entry `id` (a live record of the namespace's index). Its bytes are a view of
 * the stored record, valid until the record next changes: encode it at once.
 */
export function versionOf(ns: Namespace, id: number, digest: Uint8Array): RemoteRecord {
  const { buf, at } = ns.location(id)
  return {
    digest: Buffer.from(digest),
    setName: ns.setOf(id)?.name ?? '',
    generation: ns.generationOf(id),
    lastUpdateMs: ns.lastUpdateMsOf(id),
    voidTime: ns.voidTimeOf(id),
    bytes: buf.subarray(at, at + recordTotalBytes(buf, at)),
  }
}

/** The delete remembered by tombstone entry `tomb` (of the namespace's tombstone index). */
export function deleteOf(ns: Namespace, tomb: number): RemoteRecord {
  const index = ns.tombstones.index
  const digest = Buffer.allocUnsafe(DIGEST_BYTES)
  index.digestInto(tomb, digest)
  const deleted: RemoteRecord = { digest, setName: ns.sets.byIdOf(index.setId(tomb))?.name ?? '', generation: index.generation(tomb), lastUpdateMs: index.lastUpdateMs(tomb), voidTime: 0, bytes: undefined }
  const binVersions = ns.tombstones.binVersionsAt(tomb)
  if (binVersions !== undefined) deleted.binVersions = binVersions
  return deleted
}
