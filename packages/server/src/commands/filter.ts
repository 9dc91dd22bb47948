// Filter expressions (field 43). A filter sees the record as the command finds it, before any op.
// A record that does not match ends a single-record command with FILTERED_OUT; scans and queries
// skip it. A missing record is never filtered: the command answers as it would without a filter.
import { FieldType, ResultCode, findField, type Message } from '@aerolite/protocol'
import type { Namespace } from '../namespace/namespace.ts'
import { compileExpression, ExpType, runExpression, type CompiledExpression } from '../ops/exp/index.ts'
import { OP_FAMILIES } from '../ops/families.ts'
import type { RecordView } from '../ops/op-context.ts'
import { storedRecordView } from '../ops/record-view.ts'
import type { Bin } from '../record/bins.ts'
import { readBins } from '../record/layout.ts'
import { recordView } from './apply-ops.ts'
import { CommandError } from '../command-error.ts'
import type { RecordRequest } from './request.ts'

/** Builds a filter; a malformed expression, or one that is not boolean, is a PARAMETER_ERROR. */
export function compileFilter(bytes: Buffer): CompiledExpression {
  const exp = compileExpression(bytes)
  if (exp.root.type !== ExpType.BOOL) throw new CommandError(ResultCode.PARAMETER_ERROR, 'a filter expression must be boolean')
  return exp
}

/** The filter a message carries, built; undefined when it carries none. */
export function messageFilter(message: Message): CompiledExpression | undefined {
  const bytes = findField(message, FieldType.FILTER)
  return bytes === undefined ? undefined : compileFilter(bytes)
}

/** True only when the filter is true: an unknown result (a missing bin, say) does not match. */
export function filterMatches(filter: CompiledExpression, view: RecordView, bins: readonly Bin[]): boolean {
  const result = runExpression(filter, { view, bins, nowMs: view.namespace.nowMs(), ops: OP_FAMILIES })
  return result.kind === 'bool' && result.value
}

/** Single-record commands: throws FILTERED_OUT unless the live record `id` matches the command's filter. */
export function checkRecordFilter(req: RecordRequest, id: number): void {
  const filter = messageFilter(req.message)
  if (filter === undefined) return
  const { buf, at } = req.namespace.location(id)
  if (!filterMatches(filter, recordView(req, id), readBins(buf, at))) {
    throw new CommandError(ResultCode.FILTERED_OUT)
  }
}

/** Scans and queries: does the stored record `id` match. */
export function storedRecordMatches(filter: CompiledExpression, namespace: Namespace, id: number): boolean {
  const location = namespace.location(id)
  return filterMatches(filter, storedRecordView(namespace, id, location), readBins(location.buf, location.at))
}
