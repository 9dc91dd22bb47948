// The INDEX_TYPE field (26) of a query: which collection index it means (sent only when not default).
import type { CollectionType } from './definition.ts'

const BY_CODE: readonly CollectionType[] = ['default', 'list', 'mapkeys', 'mapvalues']

/** undefined when the field is malformed. */
export function collectionOfField(data: Buffer | undefined): CollectionType | undefined {
  if (data === undefined) return 'default'
  return data.length === 1 ? BY_CODE[data[0]!] : undefined
}
