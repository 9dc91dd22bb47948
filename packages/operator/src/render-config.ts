// A rack's aerospike.conf: the spec's structured config with the rack's overrides, its rack id,
// the etcd endpoints and the container's addresses and ports. Keys are written sorted, so the
// same spec always renders the same text whatever order its maps came in.
import { configHash } from './config-change.ts'
import { CONFIG_FILE_NAME, DEFAULT_PORTS } from './names.ts'
import { parseRenderedConfig, type ServerConfig } from './server-config.ts'
import type { DesiredRack } from './racks.ts'
import type { ConfigEntries, NamespaceSpec } from './types.ts'

export interface RenderedConfig {
  text: string
  /** The text as a node reads it. */
  config: ServerConfig
  /** configHash() of the text: changes only when a change of it needs a restart. */
  configHash: string
}

export interface RenderInput {
  /** The AeroliteCluster's name: the default cluster-name (which is also the nodes' etcd key prefix). */
  clusterName: string
  etcdEndpoints: readonly string[]
  rack: DesiredRack
}

const INDENT = '    '

export function renderConfig({ clusterName, etcdEndpoints, rack }: RenderInput): string {
  const { config } = rack
  const network = config.network ?? {}
  const sections = [
    block('service', entries({ 'cluster-name': clusterName, ...config.service })),
    block('network', [
      ...block('service', entries({ address: 'any', port: DEFAULT_PORTS.service, ...network.service })),
      ...block('heartbeat', [
        'mode etcd',
        ...etcdEndpoints.map((endpoint) => `etcd-endpoint ${endpoint}`),
        ...entries(network.heartbeat ?? {}),
      ]),
      ...block('fabric', entries({ address: 'any', port: DEFAULT_PORTS.fabric, ...network.fabric })),
      ...block('http', entries({ address: 'any', port: DEFAULT_PORTS.http, ...network.http })),
    ]),
    ...config.namespaces.map((ns) => namespaceBlock(ns, rack.id)),
  ]
  const header = [
    `# ${CONFIG_FILE_NAME} of AeroliteCluster ${clusterName}, rack ${rack.id}.`,
    '# Rendered by the Aerolite operator from the resource: edit the resource, not this file.',
  ]
  return [...header, ...sections.flatMap((lines) => ['', ...lines])].join('\n') + '\n'
}

/** The text, what a node reads from it and its hash; throws the server's ConfigError when a node would refuse the text. */
export function renderRackConfig(input: RenderInput): RenderedConfig {
  const text = renderConfig(input)
  const config = parseRenderedConfig(text)
  return { text, config, configHash: configHash(config) }
}

function namespaceBlock(ns: NamespaceSpec, rackId: number): string[] {
  const { storage } = ns
  const storageLines = [
    ...(storage.dataSize === undefined ? [] : [`data-size ${storage.dataSize}`]),
    ...(storage.files ?? []).map((file) => `file ${file}`),
    ...(storage.fileSize === undefined ? [] : [`filesize ${storage.fileSize}`]),
    ...(storage.compression === undefined ? [] : [`compression ${storage.compression}`]),
    ...entries(storage.extra ?? {}),
  ]
  return block(`namespace ${ns.name}`, [
    `replication-factor ${ns.replicationFactor}`,
    `rack-id ${rackId}`,
    ...entries(ns.extra ?? {}),
    ...block(`storage-engine ${storage.type}`, storageLines),
  ])
}

function entries(values: ConfigEntries): string[] {
  return Object.keys(values).sort().map((key) => `${key} ${values[key]}`)
}

function block(title: string, lines: readonly string[]): string[] {
  return [`${title} {`, ...lines.map((line) => INDENT + line), '}']
}
