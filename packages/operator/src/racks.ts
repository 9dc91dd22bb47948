// The racks a spec asks for: how many nodes each holds and the config and storage it runs with
// (the cluster's, with the rack's overrides merged in).
import { DEFAULT_RACK_ID } from './names.ts'
import type { AerospikeConfigSpec, AeroliteClusterSpec, NetworkSpec, RackConfigSpec, StorageSpec } from './types.ts'

export interface DesiredRack {
  id: number
  zone?: string
  replicas: number
  config: AerospikeConfigSpec
  storage: StorageSpec
}

/**
 * One rack per spec rack, in the spec's order (the order racks are rolled in); without racks, one
 * rack with the default id. Racks without a size share what the sized ones leave of spec.size,
 * the first ones taking one more when it does not divide evenly.
 */
export function desiredRacks(spec: AeroliteClusterSpec): DesiredRack[] {
  const storage = spec.storage ?? { volumes: [] }
  const racks = spec.racks ?? []
  if (racks.length === 0) return [{ id: DEFAULT_RACK_ID, replicas: spec.size, config: spec.config, storage }]
  const unsized = racks.filter((rack) => rack.size === undefined).length
  const rest = Math.max(0, spec.size - racks.reduce((sum, rack) => sum + (rack.size ?? 0), 0))
  let unsizedIndex = 0
  return racks.map((rack) => {
    let replicas = rack.size
    if (replicas === undefined) {
      replicas = Math.floor(rest / unsized) + (unsizedIndex < rest % unsized ? 1 : 0)
      unsizedIndex++
    }
    return {
      id: rack.id,
      ...(rack.zone === undefined ? {} : { zone: rack.zone }),
      replicas,
      config: rack.config === undefined ? spec.config : mergeConfig(spec.config, rack.config),
      storage: rack.storage ?? storage,
    }
  })
}

function mergeConfig(base: AerospikeConfigSpec, rack: RackConfigSpec): AerospikeConfigSpec {
  return {
    service: { ...base.service, ...rack.service },
    network: mergeNetwork(base.network ?? {}, rack.network ?? {}),
    namespaces: base.namespaces.map((ns) => {
      const override = rack.namespaces?.find((candidate) => candidate.name === ns.name)
      if (override === undefined) return ns
      return { ...ns, storage: override.storage ?? ns.storage, extra: { ...ns.extra, ...override.extra } }
    }),
  }
}

function mergeNetwork(base: NetworkSpec, rack: NetworkSpec): NetworkSpec {
  return {
    service: { ...base.service, ...rack.service },
    heartbeat: { ...base.heartbeat, ...rack.heartbeat },
    fabric: { ...base.fabric, ...rack.fabric },
    http: { ...base.http, ...rack.http },
  }
}
