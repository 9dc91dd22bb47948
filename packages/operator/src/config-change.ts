// Which config changes a running node takes with set-config and which need a restart, decided by
// the server's own tables: the keys its set-config accepts (info/config-entries.ts) and the names
// and values get-config prints for them.
import { stableHash } from './hash.ts'
import {
  defaultNamespaceConfig,
  defaultServerConfig,
  namespaceConfigEntries,
  namespaceSetters,
  serviceConfigEntries,
  serviceSetters,
  type ServerConfig,
} from './server-config.ts'
import type { ConfigContext, ConfigSetting, RunningConfig } from './types.ts'

/** One setting set-config can change, named and valued as get-config prints it. */
export interface DynamicSetting {
  context: ConfigContext
  /** For the namespace context. */
  namespace?: string
  key: string
  value: string
}

export interface ConfigChange {
  /** Something set-config cannot change differs: nodes must restart to take the new config. */
  restartRequired: boolean
  /** Dynamic settings whose value changes. */
  dynamic: DynamicSetting[]
}

type Entries = Array<[string, string | number | boolean]>

/** get-config prints storage keys under `storage-engine.`; set-config takes them with or without it. */
function setterKey(entryKey: string): string {
  return entryKey.replace(/^storage-engine\./, '')
}

/** Whether set-config changes `key` (as get-config names it) at run time. */
export function isDynamic(context: ConfigContext, key: string): boolean {
  return context === 'service' ? Object.hasOwn(serviceSetters, key) : Object.hasOwn(namespaceSetters, setterKey(key))
}

function serviceEntries(config: ServerConfig): Entries {
  return serviceConfigEntries(config, '').filter(([key]) => isDynamic('service', key))
}

function namespaceEntries(config: ServerConfig['namespaces'][number]): Entries {
  return namespaceConfigEntries(config).filter(([key]) => isDynamic('namespace', key))
}

// Every key set-config accepts must have a get-config entry: that entry is how the operator reads
// a node's value, and its default is what configHash() resets it to.
for (const [context, setters, entries] of [
  ['service', serviceSetters, serviceEntries(defaultServerConfig())],
  ['namespace', namespaceSetters, namespaceEntries(defaultNamespaceConfig('ns'))],
] as const) {
  for (const key of Object.keys(setters)) {
    if (!entries.some(([entryKey]) => setterKey(entryKey) === key)) throw new Error(`set-config key ${context}.${key} has no get-config entry`)
  }
}

/** Every dynamic setting of `config` with its value. */
export function dynamicSettings(config: ServerConfig): DynamicSetting[] {
  return [
    ...serviceEntries(config).map(([key, value]): DynamicSetting => ({ context: 'service', key, value: String(value) })),
    ...config.namespaces.flatMap((ns) =>
      namespaceEntries(ns).map(([key, value]): DynamicSetting => ({ context: 'namespace', namespace: ns.name, key, value: String(value) })),
    ),
  ]
}

/** `config` with every dynamic setting at the server's default, through the server's own setters. */
function withoutDynamicSettings(config: ServerConfig): ServerConfig {
  const copy = structuredClone(config)
  delete copy.sourceFile
  const reset = <T>(target: T, setters: Record<string, (target: T, value: string) => string | undefined>, defaults: Entries): void => {
    for (const [entryKey, value] of defaults) {
      const problem = setters[setterKey(entryKey)]!(target, String(value))
      if (problem !== undefined) throw new Error(`the server refuses its own default ${entryKey}=${value}: ${problem}`)
    }
  }
  reset(copy.service, serviceSetters, serviceEntries(defaultServerConfig()))
  for (const ns of copy.namespaces) reset(ns, namespaceSetters, namespaceEntries(defaultNamespaceConfig(ns.name)))
  return copy
}

/**
 * A hash of what a node reads from its config, its dynamic settings left out: two configs with the
 * same hash differ at most in what set-config changes, so a new hash is what needs a restart.
 * Comments, order and spelling (`1G` or `1073741824`) do not change it.
 */
export function configHash(config: ServerConfig): string {
  return stableHash(withoutDynamicSettings(config))
}

export function compareConfigs(current: ServerConfig, next: ServerConfig): ConfigChange {
  const before = new Map(dynamicSettings(current).map((setting) => [settingId(setting), setting.value]))
  return {
    restartRequired: configHash(current) !== configHash(next),
    dynamic: dynamicSettings(next).filter((setting) => before.get(settingId(setting)) !== setting.value),
  }
}

/** The dynamic settings of `desired` a node running `running` differs in (keys it did not report are left alone). */
export function settingsToApply(running: RunningConfig, desired: ServerConfig): DynamicSetting[] {
  return dynamicSettings(desired).filter((setting) => {
    const current = setting.context === 'service' ? running.service[setting.key] : running.namespaces[setting.namespace!]?.[setting.key]
    return current !== undefined && current !== setting.value
  })
}

/** One set-config command for settings of one context (and namespace): the server checks them together. */
export function setConfigCommand(context: ConfigContext, namespace: string | undefined, settings: readonly ConfigSetting[]): string {
  const target = context === 'namespace' ? `context=namespace;id=${namespace}` : 'context=service'
  return `set-config:${target};${settings.map(({ key, value }) => `${key}=${value}`).join(';')}`
}

function settingId(setting: DynamicSetting): string {
  return `${setting.context}/${setting.namespace ?? ''}/${setting.key}`
}
