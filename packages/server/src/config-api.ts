// The config parser and the set-config table without the node (`@aerolite/server/config`): for
// tools that render or check a node's config, such as the operator, without loading a database.
export * from './config/index.ts'
export { namespaceConfigEntries, namespaceSetters, serviceConfigEntries, serviceSetters } from './info/config-entries.ts'
