// Discovery documents (/api, /apis, /api/v1, /apis/GROUP/VERSION): what clients that look up a
// resource by kind (KubernetesObjectApi) read before they call it.
import { RESOURCES, apiVersionOf, type ResourceDef } from './resources.ts'

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']

function groupVersions(): string[] {
  return [...new Set(RESOURCES.filter((r) => r.group !== '').map(apiVersionOf))]
}

export function apiVersions(): unknown {
  return { kind: 'APIVersions', apiVersion: 'v1', versions: ['v1'], serverAddressByClientCIDRs: [] }
}

export function apiGroupList(): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupVersions().map((groupVersion) => {
      const [name, version] = groupVersion.split('/') as [string, string]
      const versions = [{ groupVersion, version }]
      return { name, versions, preferredVersion: versions[0] }
    }),
  }
}

/** The APIResourceList of a group version, or undefined when nothing is served there. */
export function apiResourceList(groupVersion: string): unknown {
  const served: ResourceDef[] = RESOURCES.filter((r) => apiVersionOf(r) === groupVersion)
  if (served.length === 0) return undefined
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: served.flatMap((r) => [
      { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: VERBS },
      ...(r.statusSubresource ? [{ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] }] : []),
    ]),
  }
}
