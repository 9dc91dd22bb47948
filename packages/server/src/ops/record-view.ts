// The one builder of the record view that expressions, filters and UDFs read a record through:
// single-record commands, scans, queries and aggregations all see a record the same way.
import { DIGEST_BYTES } from '@aerolite/protocol'
import type { Namespace, RecordLocation } from '../namespace/namespace.ts'
import { recordKey, recordTotalBytes, type StoredKey } from '../record/layout.ts'
import type { RecordView } from './op-context.ts'

/**
 * The stored record `id`. `location` and `digest` may be given when the caller has them already;
 * otherwise they are read from the namespace.
 */
export function storedRecordView(namespace: Namespace, id: number, location: RecordLocation = namespace.location(id), digest?: Buffer): RecordView {
  const { buf, at } = location
  if (digest === undefined) {
    digest = Buffer.allocUnsafe(DIGEST_BYTES)
    namespace.digestInto(id, digest)
  }
  return {
    namespace,
    exists: true,
    digest,
    setName: namespace.setOf(id)?.name ?? '',
    generation: namespace.generationOf(id),
    voidTime: namespace.voidTimeOf(id),
    lastUpdateMs: namespace.lastUpdateMsOf(id),
    key: recordKey(buf, at),
    storedBytes: recordTotalBytes(buf, at),
  }
}

/** A record the command addresses but that does not exist (yet): what the request says of it. */
export function absentRecordView(namespace: Namespace, digest: Buffer, setName: string, key: StoredKey | undefined): RecordView {
  return { namespace, exists: false, digest, setName, generation: 0, voidTime: 0, lastUpdateMs: 0, key, storedBytes: 0 }
}
