// Decodes a CDT op payload: `[op, args...]`, or `[0xff, [ctx type, ctx value, ...], [op, args...]]`
// when the op applies inside a nested list or map. Arguments are checked against the op's table
// entry the way the server checks them: too few or too many, or of the wrong kind, is a
// PARAMETER_ERROR.
import { Kind, elementEnd, readHead } from './element.ts'
import { parameterError } from './errors.ts'
import { Arg, CDT_CONTEXT_EVAL, CDT_SELECT, OP_SPECS, type OpSpec } from './op-codes.ts'

export interface ContextStep {
  /** Context type: base (index, rank, key, value) | 0x10 list / 0x20 map | create flags. */
  type: number
  /** The step's argument: an index or rank, a key or a value (raw element bytes). */
  value: Buffer
}

export interface CdtOp {
  code: number
  spec: OpSpec
  /** Context steps, outermost first; empty for a top-level op. */
  context: ContextStep[]
  /** Arguments as sent; integers are read on demand. */
  args: Buffer[]
}

const UINT64_MASK = (1n << 64n) - 1n

/** Any msgpack integer as its 64-bit two's complement pattern (unsigned). */
export function readUint64(buf: Buffer, at = 0): bigint {
  const h = readHead(buf, at)
  if (h.kind !== Kind.INT && h.kind !== Kind.NEGINT) throw parameterError('expected an integer argument')
  return BigInt(h.int) & UINT64_MASK
}

export function readInt64(buf: Buffer, at = 0): bigint {
  return BigInt.asIntN(64, readUint64(buf, at))
}

/** Op argument `i` as an unsigned integer, or `fallback` when the op leaves it out. */
export function uintArg(op: CdtOp, i: number, fallback: bigint): bigint {
  const arg = op.args[i]
  return arg === undefined ? fallback : readUint64(arg)
}

function elements(buf: Buffer, at: number): { count: number; body: number } {
  const h = readHead(buf, at)
  if (h.kind !== Kind.LIST) throw parameterError('expected a msgpack array')
  return { count: h.count, body: h.body }
}

function slices(buf: Buffer, at: number, count: number): { items: Buffer[]; end: number } {
  const items: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const end = elementEnd(buf, at)
    items.push(buf.subarray(at, end))
    at = end
  }
  return { items, end: at }
}

function checkArgs(spec: OpSpec, args: Buffer[]): void {
  if (spec.args.length === 0) return
  if (args.length < spec.args.length - spec.optional) throw parameterError(`${spec.name}: ${args.length} arguments, needs ${spec.args.length - spec.optional}`)
  if (args.length > spec.args.length) throw parameterError(`${spec.name}: ${args.length} arguments, takes at most ${spec.args.length}`)
  for (let i = 0; i < args.length; i++) {
    const kind = spec.args[i]
    if (kind === Arg.UINT || kind === Arg.INT) readUint64(args[i]!)
  }
}

function readOp(buf: Buffer, at: number, context: ContextStep[]): { op: CdtOp } {
  const { count, body } = elements(buf, at)
  if (count === 0) throw parameterError('op payload is an empty array')
  const codeEnd = elementEnd(buf, body)
  const code = readUint64(buf, body)
  const { items } = slices(buf, codeEnd, count - 1)
  if (code === BigInt(CDT_SELECT)) throw parameterError('a path operation cannot run inside a context')
  const spec = code <= 0xffn ? OP_SPECS.get(Number(code)) : undefined
  if (spec === undefined) throw parameterError(`unknown CDT op ${code}`)
  checkArgs(spec, items)
  return { op: { code: Number(code), spec, context, args: items } }
}

function readContext(buf: Buffer): ContextStep[] {
  const { count, body } = elements(buf, 0)
  if (count === 0 || count % 2 !== 0) throw parameterError(`context has ${count} elements (a non-zero even count is needed)`)
  const { items } = slices(buf, body, count)
  const steps: ContextStep[] = []
  for (let i = 0; i < count; i += 2) {
    const type = readUint64(items[i]!)
    steps.push({ type: Number(type & 0xffffn), value: items[i + 1]! })
  }
  return steps
}

export function parseCdtPayload(payload: Buffer): CdtOp {
  const { count, body } = elements(payload, 0)
  if (count === 0) throw parameterError('op payload is an empty array')
  const code = readUint64(payload, body)
  // Like the server, bytes after the payload's array are ignored.
  if (code !== BigInt(CDT_CONTEXT_EVAL)) return readOp(payload, 0, []).op
  if (count !== 3) throw parameterError(`context payload has ${count - 1} parts (2 expected)`)
  const ctxAt = elementEnd(payload, body)
  const opAt = elementEnd(payload, ctxAt)
  const context = readContext(payload.subarray(ctxAt, opAt))
  return readOp(payload, opAt, context).op
}
