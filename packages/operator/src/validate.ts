// What the CRD's schema cannot say about a spec: cross-field rules, config words that would change
// the rendered file's structure, keys the operator sets itself, and the replication-factor floor.
// What a node would refuse in the rendered config is found by the server's parser (templates.ts).
import { MAX_STATEFUL_SET_NAME_LENGTH, statefulSetName } from './names.ts'
import { parseQuantityBytes } from './quantity.ts'
import { desiredRacks } from './racks.ts'
import { parseHostPort } from './server-config.ts'
import type { AeroliteCluster, AerospikeConfigSpec, ConfigEntries, NamespaceStorageSpec, RackConfigSpec, StorageSpec } from './types.ts'

export interface SpecProblem {
  /** The Degraded condition's reason. */
  reason: 'InvalidSpec' | 'BelowReplicationFactor' | 'VolumeShrinkRefused' | 'VolumeChangeRefused'
  message: string
}

const CONFIG_KEY = /^[a-z][a-z0-9-]*$/
// A value is one word of aerospike.conf: whitespace, braces and # would end or open a block.
const CONFIG_WORD = /^[^\s{}#]+$/
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
export const MAX_UNAVAILABLE_PATTERN = /^([0-9]+)%$/

/** Keys the operator writes itself; in the spec they would clash with its lines. */
const OWNED_KEYS = {
  networkService: ['address'],
  heartbeat: ['mode', 'etcd-endpoint'],
  fabric: ['address'],
  http: ['address'],
  namespace: ['replication-factor', 'rack-id', 'storage-engine'],
  storage: ['data-size', 'file', 'device', 'filesize', 'compression'],
} as const

export function validateSpec(cluster: AeroliteCluster): SpecProblem[] {
  const { spec } = cluster
  const problems: string[] = []
  if (spec.image.trim() === '') problems.push('spec.image is empty')
  const namespaceNames = spec.config.namespaces.map((ns) => ns.name)
  const duplicateNamespace = namespaceNames.find((name, i) => namespaceNames.indexOf(name) !== i)
  if (duplicateNamespace !== undefined) problems.push(`namespace ${duplicateNamespace} is listed twice`)
  problems.push(...configProblems('spec.config', spec.config))
  problems.push(...rackProblems(cluster))
  problems.push(...storageProblems('spec.storage', spec.storage))
  if (spec.etcd.endpoints.length === 0) problems.push('spec.etcd.endpoints is empty: the nodes find each other through etcd')
  for (const endpoint of spec.etcd.endpoints) {
    if (parseHostPort(endpoint) === undefined) problems.push(`spec.etcd.endpoints: "${endpoint}" is not HOST:PORT`)
  }
  if (typeof spec.maxUnavailable === 'string') {
    const percent = MAX_UNAVAILABLE_PATTERN.exec(spec.maxUnavailable)
    if (percent === null || Number(percent[1]) < 1 || Number(percent[1]) > 100) problems.push(`spec.maxUnavailable "${spec.maxUnavailable}" is not a count or a percentage from 1% to 100%`)
  } else if (spec.maxUnavailable !== undefined && (!Number.isInteger(spec.maxUnavailable) || spec.maxUnavailable < 1)) {
    problems.push(`spec.maxUnavailable ${spec.maxUnavailable} is not a count of at least 1`)
  }
  const operationIds = (spec.operations ?? []).map((operation) => operation.id)
  const duplicateOperation = operationIds.find((id, i) => operationIds.indexOf(id) !== i)
  if (duplicateOperation !== undefined) problems.push(`operation id ${duplicateOperation} is listed twice`)

  const found: SpecProblem[] = problems.map((message) => ({ reason: 'InvalidSpec', message }))
  // A cluster smaller than a namespace's replication factor cannot hold every copy of its records.
  const widest = spec.config.namespaces.reduce<{ name: string; replicationFactor: number } | undefined>(
    (max, ns) => (max === undefined || ns.replicationFactor > max.replicationFactor ? ns : max),
    undefined,
  )
  if (widest !== undefined && spec.size < widest.replicationFactor) {
    found.push({
      reason: 'BelowReplicationFactor',
      message: `spec.size ${spec.size} is below replication-factor ${widest.replicationFactor} of namespace ${widest.name}: a cluster of ${spec.size} cannot hold ${widest.replicationFactor} copies of each record; the cluster is kept as it is`,
    })
  }
  return found
}

function rackProblems(cluster: AeroliteCluster): string[] {
  const { spec } = cluster
  const racks = spec.racks ?? []
  const problems: string[] = []
  const ids = racks.map((rack) => rack.id)
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i)
  if (duplicate !== undefined) problems.push(`rack ${duplicate} is listed twice`)
  const sized = racks.filter((rack) => rack.size !== undefined)
  const sizedTotal = sized.reduce((sum, rack) => sum + (rack.size ?? 0), 0)
  if (sizedTotal > spec.size) problems.push(`the racks' sizes add up to ${sizedTotal}, more than spec.size ${spec.size}`)
  else if (racks.length > 0 && sized.length === racks.length && sizedTotal !== spec.size) {
    problems.push(`the racks' sizes add up to ${sizedTotal}, not spec.size ${spec.size}`)
  }
  for (const rack of racks) {
    const where = `rack ${rack.id}`
    if (rack.config !== undefined) problems.push(...rackConfigProblems(`${where} config`, rack.config, spec.config))
    problems.push(...storageProblems(`${where} storage`, rack.storage))
  }
  for (const rack of desiredRacks(spec)) {
    const name = statefulSetName(cluster.metadata.name, rack.id)
    if (name.length > MAX_STATEFUL_SET_NAME_LENGTH) {
      problems.push(`StatefulSet name ${name} is longer than ${MAX_STATEFUL_SET_NAME_LENGTH} characters: shorten the resource's name`)
    }
    for (const ns of rack.config.namespaces) {
      for (const file of ns.storage.files ?? []) {
        if (!rack.storage.volumes.some((volume) => file.startsWith(volume.path.endsWith('/') ? volume.path : `${volume.path}/`))) {
          problems.push(`rack ${rack.id}: file ${file} of namespace ${ns.name} is on no storage volume (it would be lost with its pod)`)
        }
      }
    }
  }
  return problems
}

function configProblems(where: string, config: AerospikeConfigSpec): string[] {
  return [
    ...entryProblems(`${where}.service`, config.service, []),
    ...networkProblems(`${where}.network`, config.network),
    ...config.namespaces.flatMap((ns) => [
      ...entryProblems(`${where} namespace ${ns.name}`, ns.extra, OWNED_KEYS.namespace),
      ...storageEngineProblems(`${where} namespace ${ns.name} storage`, ns.storage),
    ]),
  ]
}

function rackConfigProblems(where: string, config: RackConfigSpec, base: AerospikeConfigSpec): string[] {
  return [
    ...entryProblems(`${where}.service`, config.service, []),
    ...networkProblems(`${where}.network`, config.network),
    ...(config.namespaces ?? []).flatMap((ns) => [
      ...(base.namespaces.some((candidate) => candidate.name === ns.name) ? [] : [`${where}: namespace ${ns.name} is not in spec.config`]),
      ...entryProblems(`${where} namespace ${ns.name}`, ns.extra, OWNED_KEYS.namespace),
      ...(ns.storage === undefined ? [] : storageEngineProblems(`${where} namespace ${ns.name} storage`, ns.storage)),
    ]),
  ]
}

function networkProblems(where: string, network: AerospikeConfigSpec['network']): string[] {
  return [
    ...entryProblems(`${where}.service`, network?.service, OWNED_KEYS.networkService),
    ...entryProblems(`${where}.heartbeat`, network?.heartbeat, OWNED_KEYS.heartbeat),
    ...entryProblems(`${where}.fabric`, network?.fabric, OWNED_KEYS.fabric),
    ...entryProblems(`${where}.http`, network?.http, OWNED_KEYS.http),
  ]
}

function storageEngineProblems(where: string, storage: NamespaceStorageSpec): string[] {
  const words = [storage.dataSize, storage.fileSize, ...(storage.files ?? [])].filter((word) => word !== undefined)
  return [
    ...words.filter((word) => !CONFIG_WORD.test(word)).map((word) => `${where}: "${word}" is not one word of aerospike.conf`),
    ...entryProblems(`${where}.extra`, storage.extra, OWNED_KEYS.storage),
  ]
}

function entryProblems(where: string, entries: ConfigEntries | undefined, owned: readonly string[]): string[] {
  const problems: string[] = []
  for (const [key, value] of Object.entries(entries ?? {})) {
    if (!CONFIG_KEY.test(key)) problems.push(`${where}: "${key}" is not an aerospike.conf key`)
    else if (owned.includes(key)) problems.push(`${where}: ${key} is set by the operator`)
    if (!CONFIG_WORD.test(String(value))) problems.push(`${where}: ${key} "${value}" is not one word of aerospike.conf`)
  }
  return problems
}

function storageProblems(where: string, storage: StorageSpec | undefined): string[] {
  const problems: string[] = []
  const volumes = storage?.volumes ?? []
  for (const [i, volume] of volumes.entries()) {
    if (!DNS_LABEL.test(volume.name)) problems.push(`${where}: volume name "${volume.name}" is not a DNS label`)
    if (!volume.path.startsWith('/')) problems.push(`${where}: volume ${volume.name} path "${volume.path}" is not absolute`)
    if (parseQuantityBytes(volume.size) === undefined) problems.push(`${where}: volume ${volume.name} size "${volume.size}" is not a quantity (e.g. 50Gi)`)
    if (volumes.findIndex((other) => other.name === volume.name) !== i) problems.push(`${where}: volume ${volume.name} is listed twice`)
    if (volumes.findIndex((other) => other.path === volume.path) !== i) problems.push(`${where}: path ${volume.path} is used by two volumes`)
  }
  return problems
}
