// truncate:namespace=<ns>;set=<set>[;lut=<ns since 1970>] and truncate-namespace:namespace=<ns>[;lut=].
import { infoError, type InfoCommand } from '@aerolite/protocol'
import type { NodeContext } from './context.ts'

/** Aerospike's lut is in nanoseconds since the Unix epoch; it must not lie in the future. */
function cutoffMs(ctx: NodeContext, cmd: InfoCommand): number | string {
  const lut = cmd.params.get('lut')
  const now = ctx.nowMs()
  if (lut === undefined || lut === '') return now
  if (!/^\d+$/.test(lut)) return infoError(4, `lut "${lut}" is not a time in nanoseconds since 1970`)
  const ms = Number(BigInt(lut) / 1000000n)
  if (ms > now) return infoError(4, 'lut is in the future')
  return ms
}

export function truncate(ctx: NodeContext, cmd: InfoCommand): string {
  const nsName = cmd.params.get('namespace')
  const ns = nsName === undefined ? undefined : ctx.namespaces.get(nsName)
  if (ns === undefined) return infoError(4, `namespace not found: ${nsName ?? '(missing namespace)'}`)
  const setName = cmd.params.get('set')
  const cutoff = cutoffMs(ctx, cmd)
  if (typeof cutoff === 'string') return cutoff
  ctx.truncate(ns, setName === '' ? undefined : setName, cutoff)
  return 'ok'
}

export function truncateNamespace(ctx: NodeContext, cmd: InfoCommand): string {
  if (cmd.params.has('set')) return infoError(4, 'truncate-namespace takes no set (use truncate)')
  return truncate(ctx, cmd)
}
