// What each rack should look like in Kubernetes: its rendered config (checked by the server's
// parser), its ConfigMap and its StatefulSet's template.
import { stableHash } from './hash.ts'
import { CONFIG_DIRECTORY, CONFIG_FILE_NAME, clusterLabels, configMapName, headlessServiceName, rackLabels, statefulSetName } from './names.ts'
import { desiredRacks, type DesiredRack } from './racks.ts'
import { renderRackConfig, type RenderedConfig } from './render-config.ts'
import { ConfigError, type ServerConfig } from './server-config.ts'
import type { AeroliteCluster, HeadlessService, Ports, RackConfigMap, RackTemplate } from './types.ts'
import type { SpecProblem } from './validate.ts'

export interface RackTarget {
  rack: DesiredRack
  /** The rendered config as the node reads it. */
  config: ServerConfig
  configMap: RackConfigMap
  template: RackTemplate
}

export type RackTargets = { targets: RackTarget[]; problems: [] } | { targets: undefined; problems: SpecProblem[] }

/** Every rack's target, in the spec's order; or why a rack's config would be refused by its nodes. */
export function rackTargets(cluster: AeroliteCluster): RackTargets {
  const targets: RackTarget[] = []
  const problems: SpecProblem[] = []
  for (const rack of desiredRacks(cluster.spec)) {
    let rendered: RenderedConfig
    try {
      rendered = renderRackConfig({ clusterName: cluster.metadata.name, etcdEndpoints: cluster.spec.etcd.endpoints, rack })
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      problems.push({ reason: 'InvalidSpec', message: `rack ${rack.id}: a node would refuse the rendered config: ${error.detail}` })
      continue
    }
    targets.push({
      rack,
      config: rendered.config,
      configMap: rackConfigMap(cluster.metadata.name, rack.id, rendered.text),
      template: rackTemplate(cluster, rack, rendered),
    })
  }
  return problems.length > 0 ? { targets: undefined, problems } : { targets, problems: [] }
}

export function headlessService(cluster: AeroliteCluster, ports: Ports): HeadlessService {
  return { name: headlessServiceName(cluster.metadata.name), selector: clusterLabels(cluster.metadata.name), ports }
}

function rackConfigMap(cluster: string, rackId: number, configText: string): RackConfigMap {
  return { name: configMapName(cluster, rackId), rackId, fileName: CONFIG_FILE_NAME, configText }
}

function rackTemplate(cluster: AeroliteCluster, rack: DesiredRack, { config, configHash }: RenderedConfig): RackTemplate {
  const name = cluster.metadata.name
  const ports: Ports = {
    service: config.network.service.port,
    fabric: config.network.fabric.port,
    ...(config.network.http.port === undefined ? {} : { http: config.network.http.port }),
  }
  const podSpec = cluster.spec.podSpec ?? {}
  const configPath = `${CONFIG_DIRECTORY}/${CONFIG_FILE_NAME}`
  // Volume sizes live in the claim templates, not the pod template: growing a volume restarts nothing.
  const mounts = rack.storage.volumes.map((volume) => ({ name: volume.name, path: volume.path }))
  const templateHash = stableHash({ image: cluster.spec.image, configHash, configPath, zone: rack.zone ?? null, ports, mounts, podSpec })
  return {
    rackId: rack.id,
    ...(rack.zone === undefined ? {} : { zone: rack.zone }),
    statefulSetName: statefulSetName(name, rack.id),
    serviceName: headlessServiceName(name),
    configMapName: configMapName(name, rack.id),
    configPath,
    image: cluster.spec.image,
    configHash,
    templateHash,
    ports,
    volumes: rack.storage.volumes,
    podSpec,
    labels: rackLabels(name, rack.id),
  }
}
