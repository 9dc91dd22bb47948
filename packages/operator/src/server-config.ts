// The server's own config code, so the operator renders nothing a node would refuse and knows
// exactly what set-config changes at run time (@aerolite/server/config: the parser and the
// set-config table without the node); every import of it is in this file.
import {
  ConfigError,
  defaultNamespaceConfig,
  defaultServerConfig,
  namespaceConfigEntries,
  namespaceSetters,
  parseConfig,
  parseHostPort,
  serviceConfigEntries,
  serviceSetters,
  type ServerConfig,
} from '@aerolite/server/config'

export { ConfigError, defaultNamespaceConfig, defaultServerConfig, namespaceConfigEntries, namespaceSetters, parseHostPort, serviceConfigEntries, serviceSetters, type ServerConfig }

type Disk = Parameters<typeof parseConfig>[2]

function noDiskAccess(): never {
  throw new Error('a rendered config is checked without touching a disk')
}

// The parser asks a disk only for a raw device's capacity (a device namespace without filesize);
// the operator's namespaces are files on volumes, so there is no device to ask about.
const noDisk: Disk = {
  open: noDiskAccess,
  close: noDiskAccess,
  stat: noDiskAccess,
  readSync: noDiskAccess,
  writeSync: noDiskAccess,
  read: noDiskAccess,
  write: noDiskAccess,
  fsync: noDiskAccess,
  fdatasync: noDiskAccess,
  truncate: noDiskAccess,
  deviceBytes: () => undefined,
  exists: () => false,
  readText: noDiskAccess,
  rename: noDiskAccess,
  remove: noDiskAccess,
  lock: noDiskAccess,
}

/** The config a node reads from `text`; throws ConfigError where the node would refuse it. */
export function parseRenderedConfig(text: string): ServerConfig {
  return parseConfig(text, 'aerolite.conf', noDisk)
}

