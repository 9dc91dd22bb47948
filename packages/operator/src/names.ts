// Names and labels of the Kubernetes objects the operator makes for a cluster, and the container
// layout of the image they run (Dockerfile: the config at /etc/aerolite, ports 3000, 3001, 9145).

export const CONFIG_DIRECTORY = '/etc/aerolite'
export const CONFIG_FILE_NAME = 'aerolite.conf'
export const DEFAULT_PORTS = { service: 3000, fabric: 3001, http: 9145 } as const

/** Pod template annotations with RackTemplate.configHash and .templateHash; pods carry them as they were when made. */
export const CONFIG_HASH_ANNOTATION = 'aerolite.dev/config-hash'
export const TEMPLATE_HASH_ANNOTATION = 'aerolite.dev/template-hash'

/** A StatefulSet's pods carry a controller-revision-hash label of its name plus 11 characters, at most 63. */
export const MAX_STATEFUL_SET_NAME_LENGTH = 52

/** The rack of a cluster whose spec names none: the namespaces' default rack-id. */
export const DEFAULT_RACK_ID = 0

export function statefulSetName(cluster: string, rackId: number): string {
  return `${cluster}-${rackId}`
}

export function configMapName(cluster: string, rackId: number): string {
  return `${cluster}-${rackId}-config`
}

export function headlessServiceName(cluster: string): string {
  return cluster
}

export function clusterLabels(cluster: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'aerolite', 'app.kubernetes.io/instance': cluster }
}

/** On the pods and PVCs of a rack: how the controller tells which rack an object belongs to. */
export const RACK_LABEL = 'aerolite.dev/rack'

export function rackLabels(cluster: string, rackId: number): Record<string, string> {
  return { ...clusterLabels(cluster), [RACK_LABEL]: String(rackId) }
}
