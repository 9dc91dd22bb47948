// Turning start options (CLI flags or startServer arguments) into a validated ServerConfig.
import type { Disk } from '@aerolite/protocol'
import { defaultNamespaceConfig, defaultServerConfig, loadConfigFile, type LogLevel, type NamespaceConfig, type ServerConfig } from './config/index.ts'

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
  if (options.clusterName !== undefined) config.service.clusterName = options.clusterName
  return config
}
