// The JSON shape of stored Kubernetes objects, as the fake API server keeps them (timestamps are
// RFC 3339 strings, as on the wire, not the Date objects of @kubernetes/client-node's models).

export interface OwnerReference {
  apiVersion: string
  kind: string
  name: string
  uid: string
  controller?: boolean
  blockOwnerDeletion?: boolean
}

export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string
  deletionTimestamp?: string
  deletionGracePeriodSeconds?: number
  labels?: Record<string, string>
  annotations?: Record<string, string>
  ownerReferences?: OwnerReference[]
  finalizers?: string[]
}

export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
  [field: string]: unknown
}

export type JsonObject = Record<string, unknown>

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Structural equality of JSON values; key order does not matter, as in JSON itself. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]))
  if (!isJsonObject(a) || !isJsonObject(b)) return false
  const aKeys = Object.keys(a).filter((k) => a[k] !== undefined)
  const bKeys = Object.keys(b).filter((k) => b[k] !== undefined)
  return aKeys.length === bKeys.length && aKeys.every((k) => jsonEqual(a[k], b[k]))
}

/** A deep copy that drops what JSON cannot carry (undefined fields), like a round trip over HTTP. */
export function jsonClone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value)) as T
}

/** Kubernetes timestamps have whole seconds: 2024-05-01T12:00:00Z. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
