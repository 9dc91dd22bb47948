// Short stable hashes of plain data, for annotations that tell whether a pod runs what the spec asks.
import { createHash } from 'node:crypto'

/** JSON with object keys sorted, so equal data gives equal text whatever order it was built in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  )
}

/** 16 hex digits of the SHA-256 of the data's canonical JSON. */
export function stableHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16)
}
