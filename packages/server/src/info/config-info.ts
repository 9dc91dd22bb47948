// get-config and set-config.
import { infoError, type InfoCommand } from '@aerolite/protocol'
import type { NodeContext } from './context.ts'
import { namespaceConfigEntries, namespaceSetters, networkConfigEntries, serviceConfigEntries, serviceSetters } from './config-entries.ts'

const format = (entries: Array<[string, string | number | boolean]>): string => entries.map(([k, v]) => `${k}=${v}`).join(';')

export function getConfig(ctx: NodeContext, cmd: InfoCommand): string {
  const context = cmd.params.get('context') ?? 'service'
  switch (context) {
    case 'service': return format(serviceConfigEntries(ctx.config, ctx.nodeId))
    case 'network': return format(networkConfigEntries(ctx.config))
    case 'logging': return `misc:${ctx.config.logging.level}`
    case 'namespace': {
      const id = cmd.params.get('id') ?? cmd.params.get('namespace')
      const ns = id === undefined ? undefined : ctx.namespaces.get(id)
      if (ns === undefined) return infoError(20, `namespace not found on node: ${id ?? '(missing id)'}`)
      return format(namespaceConfigEntries(ns.config))
    }
    case 'xdr': return ctx.xdr.configAnswer(cmd)
  }
  return infoError(4, `unknown config context "${context}" (allowed: service, network, logging, namespace, xdr)`)
}

export function setConfig(ctx: NodeContext, cmd: InfoCommand): string {
  const context = cmd.params.get('context')
  if (context === 'xdr') return ctx.xdr.setConfig(cmd)
  const changes = [...cmd.params].filter(([k]) => k !== 'context' && k !== 'id' && k !== 'namespace')
  if (changes.length === 0) return infoError(4, 'set-config needs a key=value to change')
  if (context === 'namespace') {
    const id = cmd.params.get('id') ?? cmd.params.get('namespace')
    const ns = id === undefined ? undefined : ctx.namespaces.get(id)
    if (ns === undefined) return infoError(20, `namespace not found on node: ${id ?? '(missing id)'}`)
    const next = structuredClone(ns.config)
    for (const [key, value] of changes) {
      const setter = namespaceSetters[key.replace(/^storage-engine\./, '')]
      if (setter === undefined) return infoError(4, `namespace config "${key}" cannot be changed at run time`)
      const problem = setter(next, value)
      if (problem !== undefined) return infoError(4, `${key}: ${problem}`)
    }
    if (next.defaultTtlSeconds !== 0 && next.nsupPeriodSeconds === 0 && !next.allowTtlWithoutNsup) {
      return infoError(4, 'default-ttl > 0 needs nsup-period > 0 or allow-ttl-without-nsup true')
    }
    if (next.maxTtlSeconds !== 0 && next.defaultTtlSeconds > next.maxTtlSeconds) return infoError(4, 'default-ttl exceeds max-ttl')
    ns.config = next
    ctx.namespaceConfigChanged(ns)
    return 'ok'
  }
  if (context === 'service') {
    const next = { ...ctx.config.service }
    for (const [key, value] of changes) {
      const setter = serviceSetters[key]
      if (setter === undefined) return infoError(4, `service config "${key}" cannot be changed at run time`)
      const problem = setter(next, value)
      if (problem !== undefined) return infoError(4, `${key}: ${problem}`)
    }
    Object.assign(ctx.config.service, next)
    ctx.serviceConfigChanged()
    return 'ok'
  }
  return infoError(4, `set-config context "${context ?? ''}" is not supported (allowed: namespace, service, xdr)`)
}
