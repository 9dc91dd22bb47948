// Public API of the config module.

export { ConfigError, type ConfigErrorPlace } from './errors.ts'
export { loadConfigFile, parseConfig } from './parse.ts'
export { isHostName, parseHostPort } from './host-port.ts'
export { isIpAddress } from './ip-address.ts'
export {
  defaultStorageConfig,
  defaultNamespaceConfig,
  defaultServerConfig,
  CONFLICT_RESOLUTION_POLICIES,
  isConflictResolutionPolicy,
  type ConflictResolutionPolicy,
  type LoggingConfig,
  type LogLevel,
  type CompressionName,
  type StorageConfig,
  type StorageEngine,
  type NamespaceConfig,
  type FabricConfig,
  type HttpConfig,
  type HeartbeatConfig,
  type HostPort,
  type NetworkConfig,
  type NetworkServiceConfig,
  type ServerConfig,
  type ServiceConfig,
} from './schema.ts'
export { formatDuration, formatSize, parseBoolean, parseDurationSeconds, parseSizeBytes } from './values.ts'
