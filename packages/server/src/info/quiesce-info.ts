// quiesce:, quiesce-undo: and recluster: (the Kubernetes operator drains a node with them). None
// takes a parameter. quiesce: and quiesce-undo: set what this node asks for; recluster: (on any
// node) makes every node publish it, and the view that follows rebalances the partitions.
import { ResultCode, infoError, type InfoCommand } from '@aerolite/protocol'
import type { NodeContext } from './context.ts'

function withoutParameters(cmd: InfoCommand): string | undefined {
  if (cmd.params.size === 0 && cmd.path.length === 0) return undefined
  return infoError(ResultCode.PARAMETER_ERROR, `${cmd.name} takes no parameters`)
}

export function quiesce(ctx: NodeContext, cmd: InfoCommand): string {
  return withoutParameters(cmd) ?? setPending(ctx, true)
}

export function quiesceUndo(ctx: NodeContext, cmd: InfoCommand): string {
  return withoutParameters(cmd) ?? setPending(ctx, false)
}

function setPending(ctx: NodeContext, on: boolean): string {
  ctx.quiesce.pending = on
  return 'ok'
}

/** On a single node there is nothing to rebalance; in a cluster, answers once this node applied the entry. */
export function recluster(ctx: NodeContext, cmd: InfoCommand): string | Promise<string> {
  const refused = withoutParameters(cmd)
  if (refused !== undefined) return refused
  if (ctx.clusterMetadata === undefined) return 'ok'
  return ctx.clusterMetadata.recluster().then(
    () => 'ok',
    (error: unknown) => infoError(ResultCode.TIMEOUT, error instanceof Error ? error.message : String(error)),
  )
}

/** The quiesce statistics of `namespace/<ns>` (quiesce is per node: every namespace shows the same). */
export function quiesceStatistics(ctx: NodeContext): Array<[string, boolean | number]> {
  return [
    ['pending_quiesce', ctx.quiesce.pending],
    ['effective_is_quiesced', ctx.quiesce.effective],
    ['nodes_quiesced', ctx.quiesce.nodesQuiesced],
  ]
}
