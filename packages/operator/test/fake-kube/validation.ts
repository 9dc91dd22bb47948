// The few checks of a written object the fake makes (422 Invalid): that it is an object of the
// path's kind, name and namespace, and the immutable-field rules an operator is most likely to
// trip over (StatefulSet spec fields, PVC specs and shrinking). No schema validation, no defaulting.
import { invalid } from './errors.ts'
import { isJsonObject, jsonEqual, type JsonObject, type KubeObject } from './objects.ts'
import { apiVersionOf, type ResourceDef } from './resources.ts'
import { parseQuantity } from './quantity.ts'

/** Checks body as the object at (namespace, name) of r; name is undefined on create. */
export function checkBody(r: ResourceDef, body: unknown, namespace: string | undefined, name: string | undefined): asserts body is KubeObject {
  const shown = name ?? (isJsonObject(body) && isJsonObject(body.metadata) ? String(body.metadata.name ?? body.metadata.generateName ?? '') : '')
  if (!isJsonObject(body)) throw invalid(r, shown, 'the body is not a JSON object')
  if (body.kind !== undefined && body.kind !== r.kind) throw invalid(r, shown, `kind: Invalid value: "${String(body.kind)}": must be ${r.kind}`)
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersionOf(r)) throw invalid(r, shown, `apiVersion: Invalid value: "${String(body.apiVersion)}": must be ${apiVersionOf(r)}`)
  if (!isJsonObject(body.metadata)) throw invalid(r, shown, 'metadata: Required value')
  const meta = body.metadata
  if (name === undefined && (typeof meta.name !== 'string' || meta.name === '') && (typeof meta.generateName !== 'string' || meta.generateName === '')) {
    throw invalid(r, shown, 'metadata.name: Required value: name or generateName is required')
  }
  if (name !== undefined && meta.name !== undefined && meta.name !== name) throw invalid(r, shown, `metadata.name: Invalid value: "${String(meta.name)}": does not match the name in the URL`)
  if (namespace !== undefined && meta.namespace !== undefined && meta.namespace !== namespace) {
    throw invalid(r, shown, `metadata.namespace: Invalid value: "${String(meta.namespace)}": does not match the namespace in the URL`)
  }
}

const STATEFUL_SET_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']

function withoutKeys(spec: unknown, keys: readonly string[]): JsonObject {
  const rest: JsonObject = { ...(isJsonObject(spec) ? spec : {}) }
  for (const key of keys) delete rest[key]
  return rest
}

function storageRequest(spec: unknown): string | undefined {
  if (!isJsonObject(spec) || !isJsonObject(spec.resources) || !isJsonObject(spec.resources.requests)) return undefined
  const storage = spec.resources.requests.storage
  return typeof storage === 'string' ? storage : undefined
}

/** The update rules of the real API server for the spec of a StatefulSet or a PVC. */
export function checkUpdate(r: ResourceDef, current: KubeObject, next: KubeObject): void {
  const name = current.metadata.name ?? ''
  if (r.plural === 'statefulsets' && !jsonEqual(withoutKeys(current.spec, STATEFUL_SET_MUTABLE), withoutKeys(next.spec, STATEFUL_SET_MUTABLE))) {
    throw invalid(r, name, `spec: Forbidden: updates to statefulset spec for fields other than ${STATEFUL_SET_MUTABLE.map((k) => `'${k}'`).join(', ')} are forbidden`)
  }
  if (r.plural === 'persistentvolumeclaims') {
    const withoutRequests = (spec: unknown): JsonObject => {
      const rest = withoutKeys(spec, [])
      if (isJsonObject(rest.resources)) rest.resources = { ...rest.resources, requests: withoutKeys(rest.resources.requests, ['storage']) }
      return rest
    }
    if (!jsonEqual(withoutRequests(current.spec), withoutRequests(next.spec))) {
      throw invalid(r, name, 'spec: Forbidden: spec is immutable after creation except resources.requests for bound claims')
    }
    const before = storageRequest(current.spec)
    const after = storageRequest(next.spec)
    if (before !== undefined && (after === undefined || parseQuantity(after) < parseQuantity(before))) {
      throw invalid(r, name, 'spec.resources.requests.storage: Forbidden: field can not be less than previous value')
    }
  }
}
