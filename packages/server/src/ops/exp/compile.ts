// Builds a packed expression (a msgpack tree: `[op, args...]` or a literal) into closures, checking
// argument counts and types on the way as Aerospike does before it runs anything: a malformed or
// ill-typed expression is a PARAMETER_ERROR, whatever record it would meet.
import { buildCall, buildMapKeysOrValues } from './build-call.ts'
import { buildCompare, buildGeoCompare, buildInList, buildRegex } from './build-compare.ts'
import { buildCond, buildLet, buildLogical, buildNot, buildUnknown, buildVar } from './build-logic.ts'
import {
  buildFloatUnary, buildIntBinary, buildIntScan, buildIntUnary, buildIntVarArgs, buildMath, buildMathBinary, buildNumberUnary,
  buildToFloat, buildToInt,
} from './build-math.ts'
import { buildBin, buildBinType, buildDigestModulo, buildKey, buildLoopVar, buildMeta, buildRemoveResult } from './build-record.ts'
import { buildLiteral, buildQuote } from './build-value.ts'
import { limits } from '../../limits.ts'
import { ExpCursor, expressionError } from './cursor.ts'
import { ExpOp, ExpType, type ExpTypeCode } from './opcodes.ts'
import type { Compiled, ExpRecord, Runtime } from './runtime.ts'
import { UNKNOWN, type ExpResult } from './value.ts'

type OpBuilder = (b: Builder, op: number, argCount: number) => Compiled

const OP_BUILDERS: Readonly<Partial<Record<number, OpBuilder>>> = {
  [ExpOp.UNKNOWN]: buildUnknown,
  [ExpOp.EQ]: buildCompare,
  [ExpOp.NE]: buildCompare,
  [ExpOp.GT]: buildCompare,
  [ExpOp.GE]: buildCompare,
  [ExpOp.LT]: buildCompare,
  [ExpOp.LE]: buildCompare,
  [ExpOp.REGEX]: buildRegex,
  [ExpOp.GEO]: buildGeoCompare,
  [ExpOp.IN_LIST]: buildInList,
  [ExpOp.AND]: buildLogical,
  [ExpOp.OR]: buildLogical,
  [ExpOp.NOT]: buildNot,
  [ExpOp.EXCLUSIVE]: buildLogical,
  [ExpOp.ADD]: buildMath,
  [ExpOp.SUB]: buildMath,
  [ExpOp.MUL]: buildMath,
  [ExpOp.DIV]: buildMath,
  [ExpOp.POW]: buildMathBinary,
  [ExpOp.LOG]: buildMathBinary,
  [ExpOp.MOD]: buildMathBinary,
  [ExpOp.ABS]: buildNumberUnary,
  [ExpOp.FLOOR]: buildFloatUnary,
  [ExpOp.CEIL]: buildFloatUnary,
  [ExpOp.TO_INT]: buildToInt,
  [ExpOp.TO_FLOAT]: buildToFloat,
  [ExpOp.INT_AND]: buildIntVarArgs,
  [ExpOp.INT_OR]: buildIntVarArgs,
  [ExpOp.INT_XOR]: buildIntVarArgs,
  [ExpOp.INT_NOT]: buildIntUnary,
  [ExpOp.INT_LSHIFT]: buildIntBinary,
  [ExpOp.INT_RSHIFT]: buildIntBinary,
  [ExpOp.INT_ARSHIFT]: buildIntBinary,
  [ExpOp.INT_COUNT]: buildIntUnary,
  [ExpOp.INT_LSCAN]: buildIntScan,
  [ExpOp.INT_RSCAN]: buildIntScan,
  [ExpOp.MIN]: buildMath,
  [ExpOp.MAX]: buildMath,
  [ExpOp.DIGEST_MODULO]: buildDigestModulo,
  [ExpOp.DEVICE_SIZE]: buildMeta,
  [ExpOp.LAST_UPDATE]: buildMeta,
  [ExpOp.SINCE_UPDATE]: buildMeta,
  [ExpOp.VOID_TIME]: buildMeta,
  [ExpOp.TTL]: buildMeta,
  [ExpOp.SET_NAME]: buildMeta,
  [ExpOp.KEY_EXISTS]: buildMeta,
  [ExpOp.IS_TOMBSTONE]: buildMeta,
  [ExpOp.MEMORY_SIZE]: buildMeta,
  [ExpOp.RECORD_SIZE]: buildMeta,
  [ExpOp.KEY]: buildKey,
  [ExpOp.BIN]: buildBin,
  [ExpOp.BIN_TYPE]: buildBinType,
  [ExpOp.REMOVE_RESULT]: buildRemoveResult,
  [ExpOp.MAP_KEYS]: buildMapKeysOrValues,
  [ExpOp.MAP_VALUES]: buildMapKeysOrValues,
  [ExpOp.LOOPVAR]: buildLoopVar,
  [ExpOp.COND]: buildCond,
  [ExpOp.VAR]: buildVar,
  [ExpOp.LET]: buildLet,
  [ExpOp.QUOTE]: buildQuote,
  [ExpOp.CALL]: buildCall,
}

interface VarEntry {
  slot: number
  /** END while the variable's own definition is being built. */
  type: ExpTypeCode
}

export class Builder {
  readonly cursor: ExpCursor
  private depth = 0
  private readonly scopes: Array<Map<string, VarEntry>> = []
  private nextSlot = 0
  slotCount = 0

  constructor(buf: Buffer) {
    this.cursor = new ExpCursor(buf)
  }

  /** Builds the next sub-expression. */
  next(): Compiled {
    // Deeper nesting is refused instead of exhausting the stack.
    if (++this.depth > limits.maxExpressionDepth) throw expressionError(`nesting deeper than ${limits.maxExpressionDepth}`)
    try {
      if (!this.cursor.isList()) return buildLiteral(this.cursor)
      const count = this.cursor.listHeader()
      if (count === 0) throw expressionError('empty instruction')
      const op = this.cursor.uint()
      const build = op < 128n ? OP_BUILDERS[Number(op)] : undefined
      if (build === undefined) throw expressionError(`unknown op code ${op}`)
      return build(this, Number(op), count - 1)
    } finally {
      this.depth--
    }
  }

  /** Fixed-arity ops: Aerospike checks the count before reading any argument. */
  expectArgs(op: number, argCount: number, expected: number): void {
    if (argCount !== expected) throw expressionError(`op ${op} takes ${expected} arguments, got ${argCount}`)
  }

  openScope(): void {
    this.scopes.push(new Map())
  }

  closeScope(): void {
    const scope = this.scopes.pop()!
    this.nextSlot -= scope.size
  }

  findVar(name: string): VarEntry | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const entry = this.scopes[i]!.get(name)
      if (entry !== undefined) return entry
    }
    return undefined
  }

  /** Declares a variable in the innermost scope; its type is set once its value is built. */
  declareVar(name: string): VarEntry {
    const entry: VarEntry = { slot: this.nextSlot++, type: ExpType.END }
    this.scopes[this.scopes.length - 1]!.set(name, entry)
    if (this.nextSlot > this.slotCount) this.slotCount = this.nextSlot
    return entry
  }
}

export interface CompiledExpression {
  root: Compiled
  slotCount: number
}

export function compileExpression(bytes: Buffer): CompiledExpression {
  const b = new Builder(bytes)
  if (b.cursor.done) throw expressionError('empty expression')
  const root = b.next()
  if (!b.cursor.done) throw expressionError(`${bytes.length - b.cursor.at} bytes after the expression`)
  if (root.type === ExpType.END) throw expressionError('the result type is not known')
  return { root, slotCount: b.slotCount }
}

const NO_BUILTINS: readonly ExpResult[] = [UNKNOWN, UNKNOWN, UNKNOWN]

export function runExpression(exp: CompiledExpression, record: ExpRecord, builtins: readonly ExpResult[] = NO_BUILTINS): ExpResult {
  const rt: Runtime = { record, vars: new Array<ExpResult>(exp.slotCount).fill(UNKNOWN), builtins }
  return exp.root.run(rt)
}
