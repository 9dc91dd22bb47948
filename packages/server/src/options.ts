// Turning start options (CLI flags or startServer arguments) into a validated ServerConfig.
import type { Disk } from '@aerolite/protocol'
import { defaultNamespaceConfig, defaultServerConfig, isHostName, isIpAddress, loadConfigFile, parseHostPort, type LogLevel, type NamespaceConfig, type ServerConfig } from './config/index.ts'

export interface StartOptions {
  /** An aerospike.conf-style file; without one the embedded defaults apply. */
  configFile?: string
  /** Overrides the service port; 0 picks a free port. */
  port?: number
  address?: string
  /** Replaces the configured namespaces with one in-memory namespace of this name. */
  namespace?: string
  /** Extra settings for the namespaces (embedded use), e.g. { defaultTtlSeconds: 60 }. */
  namespaceOverrides?: Partial<Omit<NamespaceConfig, 'name' | 'storage'>>
  logLevel?: LogLevel
  clusterName?: string
  /** etcd endpoints as HOST:PORT: cluster membership through etcd (heartbeat mode etcd), replacing the file's endpoints. */
  etcdEndpoints?: readonly string[]
  /** Overrides the fabric (node-to-node) port; 0 picks a free port. */
  fabricPort?: number
  /** The rack id of every namespace. */
  rackId?: number
  /** Serves /metrics, /health and /ready on this port (0 = any free port). */
  httpPort?: number
  /** The address and port advertised to clients and peers (the pod's IP in Kubernetes). */
  accessAddress?: string
  accessPort?: number
  /** The address and port advertised to clients outside the node's network (peers-clear-alt). */
  alternateAccessAddress?: string
  alternateAccessPort?: number
}

export class StartOptionError extends Error {
  readonly code = 'ERR_START_OPTION'
}

/** `disk` reads the config file (and raw devices' capacities). */
export function buildConfig(options: StartOptions, disk: Disk): ServerConfig {
  const config = options.configFile !== undefined ? loadConfigFile(options.configFile, disk) : defaultServerConfig()
  if (options.port !== undefined) {
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new StartOptionError(`port ${options.port} is not a TCP port (0..65535; 0 = any free port)`)
    config.network.service.port = options.port
  }
  if (options.address !== undefined) config.network.service.address = options.address === 'any' ? '0.0.0.0' : options.address
  if (options.namespace !== undefined) {
    if (options.namespace.length === 0 || Buffer.byteLength(options.namespace) > 31) throw new StartOptionError(`namespace "${options.namespace}" must be 1 to 31 bytes`)
    config.namespaces = [defaultNamespaceConfig(options.namespace)]
  }
  if (options.namespaceOverrides !== undefined) {
    for (const ns of config.namespaces) Object.assign(ns, options.namespaceOverrides)
  }
  if (options.logLevel !== undefined) {
    const level = options.logLevel
    config.logging = { level, sinks: config.logging.sinks.map((sink) => ({ ...sink, level })) }
  }
  if (options.clusterName !== undefined) {
    // The name is a path segment of the cluster's etcd keys.
    if (options.clusterName === '' || options.clusterName.includes('/')) throw new StartOptionError(`cluster name "${options.clusterName}" must be non-empty and without "/"`)
    config.service.clusterName = options.clusterName
  }
  if (options.etcdEndpoints !== undefined) {
    if (options.etcdEndpoints.length === 0) throw new StartOptionError('no etcd endpoint given: name at least one as HOST:PORT (e.g. 127.0.0.1:2379)')
    const endpoints = options.etcdEndpoints.map((text) => {
      const endpoint = parseHostPort(text)
      if (endpoint === undefined) throw new StartOptionError(`etcd endpoint "${text}" is not HOST:PORT (an IP address or host name, [IPv6] in brackets, and a port 1 to 65535), e.g. 127.0.0.1:2379`)
      return endpoint
    })
    config.network.heartbeat = { ...config.network.heartbeat, mode: 'etcd', etcdEndpoints: endpoints }
  }
  if (options.fabricPort !== undefined) {
    if (!Number.isInteger(options.fabricPort) || options.fabricPort < 0 || options.fabricPort > 65535) throw new StartOptionError(`fabric port ${options.fabricPort} is not a TCP port (0..65535; 0 = any free port)`)
    config.network.fabric.port = options.fabricPort
  }
  if (options.httpPort !== undefined) {
    if (!Number.isInteger(options.httpPort) || options.httpPort < 0 || options.httpPort > 65535) throw new StartOptionError(`HTTP port ${options.httpPort} is not a TCP port (0..65535; 0 = any free port)`)
    config.network.http.port = options.httpPort
  }
  const service = config.network.service
  if (options.accessAddress !== undefined) service.accessAddress = advertisedAddress(options.accessAddress, 'access address')
  if (options.accessPort !== undefined) service.accessPort = advertisedPort(options.accessPort, 'access port')
  if (options.alternateAccessAddress !== undefined) service.alternateAccessAddress = advertisedAddress(options.alternateAccessAddress, 'alternate access address')
  if (options.alternateAccessPort !== undefined) service.alternateAccessPort = advertisedPort(options.alternateAccessPort, 'alternate access port')
  if (options.rackId !== undefined) {
    if (!Number.isInteger(options.rackId) || options.rackId < 0 || options.rackId > 1_000_000) throw new StartOptionError(`rack id ${options.rackId} is out of range (0..1000000)`)
    for (const ns of config.namespaces) ns.rackId = options.rackId
  }
  return config
}

function advertisedAddress(text: string, what: string): string {
  if (!isIpAddress(text) && !isHostName(text)) throw new StartOptionError(`${what} "${text}" is not an IP address or host name`)
  return text
}

function advertisedPort(port: number, what: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new StartOptionError(`${what} ${port} is not a TCP port (1..65535)`)
  return port
}
