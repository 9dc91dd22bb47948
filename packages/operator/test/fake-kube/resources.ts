// The resources the fake API server serves: where each lives in the URL space and which of the
// API server's per-resource rules apply to it.

export interface ResourceDef {
  /** The plural name in URLs; unique across the groups served here, so it also names the resource in the in-process API. */
  plural: string
  singular: string
  kind: string
  /** '' for the core group (/api/v1). */
  group: string
  version: string
  namespaced: boolean
  /** A /status subresource: the main resource keeps the old status, /status changes only status. */
  statusSubresource: boolean
  /** Custom resources refuse a PUT without metadata.resourceVersion; built-in ones take it as "whatever is there". */
  unconditionalUpdate: boolean
  /** Deletion waits for the kubelet to stop the containers (pods bound to a node). */
  graceful: boolean
}

export type ResourceName =
  | 'pods'
  | 'services'
  | 'configmaps'
  | 'persistentvolumeclaims'
  | 'events'
  | 'serviceaccounts'
  | 'statefulsets'
  | 'poddisruptionbudgets'
  | 'aeroliteclusters'
  | 'customresourcedefinitions'

function def(plural: ResourceName, kind: string, groupVersion: string, options: Partial<ResourceDef> = {}): ResourceDef {
  const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') as [string, string] : ['', groupVersion]
  return {
    plural, kind, group, version,
    singular: kind.toLowerCase(),
    namespaced: true,
    statusSubresource: false,
    unconditionalUpdate: true,
    graceful: false,
    ...options,
  }
}

export const RESOURCES: readonly ResourceDef[] = [
  def('pods', 'Pod', 'v1', { statusSubresource: true, graceful: true }),
  def('services', 'Service', 'v1', { statusSubresource: true }),
  def('configmaps', 'ConfigMap', 'v1'),
  def('persistentvolumeclaims', 'PersistentVolumeClaim', 'v1', { statusSubresource: true }),
  def('events', 'Event', 'v1'),
  def('serviceaccounts', 'ServiceAccount', 'v1'),
  def('statefulsets', 'StatefulSet', 'apps/v1', { statusSubresource: true }),
  def('poddisruptionbudgets', 'PodDisruptionBudget', 'policy/v1', { statusSubresource: true }),
  def('aeroliteclusters', 'AeroliteCluster', 'aerolite.dev/v1alpha1', { statusSubresource: true, unconditionalUpdate: false }),
  def('customresourcedefinitions', 'CustomResourceDefinition', 'apiextensions.k8s.io/v1', { namespaced: false, statusSubresource: true }),
]

const byName = new Map(RESOURCES.map((r) => [r.plural, r]))

export function resource(name: ResourceName): ResourceDef {
  return byName.get(name)!
}

/** The resource at /api/v1/... (group '') or /apis/GROUP/VERSION/..., if served. */
export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  const found = byName.get(plural)
  return found !== undefined && found.group === group && found.version === version ? found : undefined
}

export function apiVersionOf(r: ResourceDef): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`
}

/** How error messages name a resource: `pods`, `statefulsets.apps`. */
export function qualifiedName(r: ResourceDef): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`
}
