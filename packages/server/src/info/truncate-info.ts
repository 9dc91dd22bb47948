// truncate:namespace=<ns>;set=<set>[;lut=<ns since 1970>] and truncate-namespace:namespace=<ns>[;lut=].
import { CITRUSLEAF_EPOCH_SECONDS, ResultCode, infoError, type InfoCommand } from '@aerolite/protocol'
import type { MetadataSync } from '../cluster/metadata-sync.ts'
import type { NodeContext } from './context.ts'

/**
 * Aerospike's lut is in nanoseconds since the Unix epoch; it must not lie in the future. Without
 * one, the cutoff is the end of this millisecond: records written in it, before the truncate, go too.
 */
function cutoffMs(ctx: NodeContext, cmd: InfoCommand): number | string {
  const lut = cmd.params.get('lut')
  const now = ctx.nowMs()
  if (lut === undefined || lut === '') return now + 1
  if (!/^\d+$/.test(lut)) return infoError(4, `lut "${lut}" is not a time in nanoseconds since 1970`)
  const ms = Number(BigInt(lut) / 1000000n)
  if (ms > now) return infoError(4, 'lut is in the future')
  if (ms <= CITRUSLEAF_EPOCH_SECONDS * 1000) return infoError(4, 'lut is at or before 2010-01-01: it would truncate to 0')
  return ms
}

/** truncate needs a set: a whole namespace is truncated only by the explicit truncate-namespace. */
export function truncate(ctx: NodeContext, cmd: InfoCommand): string | Promise<string> {
  const setName = cmd.params.get('set')
  if (setName === undefined || setName === '') return infoError(4, "missing 'set' value (use truncate-namespace for a whole namespace)")
  return truncateIn(ctx, cmd, setName)
}

export function truncateNamespace(ctx: NodeContext, cmd: InfoCommand): string | Promise<string> {
  if (cmd.params.has('set')) return infoError(4, 'truncate-namespace takes no set (use truncate)')
  return truncateIn(ctx, cmd, undefined)
}

function truncateIn(ctx: NodeContext, cmd: InfoCommand, setName: string | undefined): string | Promise<string> {
  const nsName = cmd.params.get('namespace')
  const ns = nsName === undefined ? undefined : ctx.namespaces.get(nsName)
  if (ns === undefined) return infoError(4, `namespace not found: ${nsName ?? "missing 'namespace' value"}`)
  const cutoff = cutoffMs(ctx, cmd)
  if (typeof cutoff === 'string') return cutoff
  if (ctx.clusterMetadata !== undefined) return truncateShared(ctx.clusterMetadata, ns.name, setName, cutoff)
  ctx.truncate(ns, setName, cutoff)
  return 'ok'
}

/** In a cluster every node moves its cutoff from the metadata; answers once this node did. */
async function truncateShared(metadata: MetadataSync, nsName: string, setName: string | undefined, cutoff: number): Promise<string> {
  try {
    await metadata.truncate(nsName, setName, cutoff)
    return 'ok'
  } catch (error) {
    return infoError(ResultCode.TIMEOUT, error instanceof Error ? error.message : String(error))
  }
}
