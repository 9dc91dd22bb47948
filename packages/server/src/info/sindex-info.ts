// Secondary-index info commands: sindex-create, sindex-delete, sindex-list, sindex-exists,
// sindex-stat and the older sindex[/<ns>[/<name>]], with the replies Aerospike 8.1 gives.
import { ResultCode, infoError, type InfoCommand } from '@aerolite/protocol'
import type { NodeContext } from './context.ts'
import type { Namespace } from '../namespace/namespace.ts'
import { namespaceParam, parseDefinition } from '../sindex/definition.ts'
import { indexesOf } from '../sindex/namespace-indexes.ts'
import type { SecondaryIndex } from '../sindex/secondary-index.ts'

function namespaceOf(ctx: NodeContext, cmd: InfoCommand): Namespace | string {
  const name = namespaceParam(cmd)
  if (name === undefined || name === '') return infoError(ResultCode.PARAMETER_ERROR, "missing 'namespace'")
  return ctx.namespaces.get(name) ?? infoError(ResultCode.PARAMETER_ERROR, 'namespace not found')
}

function indexName(cmd: InfoCommand): string | undefined {
  const name = cmd.params.get('indexname')
  return name === undefined || name === '' ? undefined : name
}

/** In a cluster the change goes to every node through the metadata; answers once this node applied it. */
async function shared(change: Promise<void>): Promise<string> {
  try {
    await change
    return 'ok'
  } catch (error) {
    return infoError(ResultCode.TIMEOUT, error instanceof Error ? error.message : String(error))
  }
}

export function sindexCreate(ctx: NodeContext, cmd: InfoCommand): string | Promise<string> {
  const def = parseDefinition(cmd)
  if (typeof def === 'string') return def
  const ns = ctx.namespaces.get(def.namespace)
  if (ns === undefined) return infoError(ResultCode.PARAMETER_ERROR, 'namespace not found')
  if (ctx.clusterMetadata === undefined) {
    const outcome = indexesOf(ns).create(def)
    return outcome.ok ? 'ok' : infoError(outcome.resultCode, outcome.message)
  }
  // Checked against this node's indexes (the cluster's, as this node last saw them) before sharing.
  const check = indexesOf(ns).check(def)
  if (!check.ok) return infoError(check.resultCode, check.message)
  if (check.action === 'keep') return 'ok'
  return shared(ctx.clusterMetadata.createIndex(def, check.action === 'rename' ? check.from : undefined))
}

/** Deleting an index that does not exist is answered 'ok', as Aerospike does. */
export function sindexDelete(ctx: NodeContext, cmd: InfoCommand): string | Promise<string> {
  const name = indexName(cmd)
  if (name === undefined) return infoError(ResultCode.PARAMETER_ERROR, "missing 'indexname'")
  const ns = namespaceOf(ctx, cmd)
  if (typeof ns === 'string') return ns
  if (ctx.clusterMetadata !== undefined) return shared(ctx.clusterMetadata.deleteIndex(ns.name, name))
  indexesOf(ns).delete(name)
  return 'ok'
}

export function sindexExists(ctx: NodeContext, cmd: InfoCommand): string {
  const name = indexName(cmd)
  if (name === undefined) return infoError(ResultCode.PARAMETER_ERROR, "missing 'indexname'")
  const ns = namespaceOf(ctx, cmd)
  if (typeof ns === 'string') return ns
  return indexesOf(ns).get(name) !== undefined ? 'true' : 'false'
}

function listLine(ns: Namespace, index: SecondaryIndex): string {
  const d = index.def
  return [
    `ns=${ns.name}`, `indexname=${d.name}`, `set=${d.setName === '' ? 'null' : d.setName}`, `bin=${d.binName === '' ? 'null' : d.binName}`,
    `type=${d.keyType}`, `indextype=${d.collection}`, `context=${d.context?.toString('base64') ?? 'null'}`,
    `exp=${d.expression?.toString('base64') ?? 'null'}`, `state=${index.readable ? 'RW' : 'WO'}`,
  ].join(':')
}

function listOf(namespaces: Iterable<Namespace>): string {
  const lines: string[] = []
  for (const ns of namespaces) for (const index of indexesOf(ns).all()) lines.push(listLine(ns, index))
  return lines.join(';')
}

export function sindexList(ctx: NodeContext, cmd: InfoCommand): string {
  const name = namespaceParam(cmd)
  if (name === undefined) return listOf(ctx.namespaces.values())
  const ns = ctx.namespaces.get(name)
  return ns === undefined ? infoError(ResultCode.PARAMETER_ERROR, 'namespace not found') : listOf([ns])
}

function statsOf(ns: Namespace, name: string): string {
  const index = indexesOf(ns).get(name)
  if (index === undefined) return infoError(ResultCode.INDEX_NOT_FOUND!, 'no index')
  return index.stats().map(([k, v]) => `${k}=${v}`).join(';')
}

export function sindexStat(ctx: NodeContext, cmd: InfoCommand): string {
  const name = indexName(cmd)
  if (name === undefined) return infoError(ResultCode.PARAMETER_ERROR, "missing 'indexname'")
  const ns = namespaceOf(ctx, cmd)
  return typeof ns === 'string' ? ns : statsOf(ns, name)
}

/** sindex (all), sindex/<ns> (its list) and sindex/<ns>/<name> (its statistics). */
export function sindexPath(ctx: NodeContext, cmd: InfoCommand): string {
  const [nsName, name] = cmd.path
  if (nsName === undefined || nsName === '') return listOf(ctx.namespaces.values())
  const ns = ctx.namespaces.get(nsName)
  if (ns === undefined) return 'ns_type=unknown'
  return name === undefined ? listOf([ns]) : statsOf(ns, name)
}
