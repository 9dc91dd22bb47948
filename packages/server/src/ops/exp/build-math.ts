// Arithmetic and integer bit operations. Integers are 64-bit two's complement and wrap as the
// server's do; shift counts use their low 6 bits, as x86 shifts do.
import type { Builder } from './compile.ts'
import { expressionError } from './cursor.ts'
import { ExpOp, ExpType, type ExpTypeCode } from './opcodes.ts'
import type { Compiled } from './runtime.ts'
import { UNKNOWN, intValue, type ExpResult, type ExpValue } from './value.ts'

const INT64_MIN = -(2n ** 63n)
const INT64_LIMIT = 2n ** 63n

function typedArgs(b: Builder, op: number, count: number, accept: (type: ExpTypeCode) => boolean): Compiled[] {
  const args: Compiled[] = []
  for (let i = 0; i < count; i++) {
    const arg = b.next()
    if (!accept(arg.type)) throw expressionError(`op ${op} argument ${i + 1} has type ${arg.type}`)
    args.push(arg)
  }
  return args
}

const isInt = (type: ExpTypeCode): boolean => type === ExpType.INT
const isFloat = (type: ExpTypeCode): boolean => type === ExpType.FLOAT

/** Runs every argument; the first unknown one makes the result unknown. */
function runAll(args: Compiled[], rt: Parameters<Compiled['run']>[0]): ExpValue[] | undefined {
  const values: ExpValue[] = []
  for (const arg of args) {
    const value = arg.run(rt)
    if (value.kind === 'unknown') return undefined
    values.push(value)
  }
  return values
}

const ints = (values: ExpValue[]): bigint[] => values.map((v) => (v.kind === 'int' ? v.value : 0n))
const floats = (values: ExpValue[]): number[] => values.map((v) => (v.kind === 'float' ? v.value : 0))

/** An op of result `type` over several arguments: unknown if any argument is, else `apply` of their values. */
function overValues(type: ExpTypeCode, args: Compiled[], apply: (values: ExpValue[]) => ExpResult): Compiled {
  return {
    type,
    isUnknownOp: false,
    run: (rt) => {
      const values = runAll(args, rt)
      return values === undefined ? UNKNOWN : apply(values)
    },
  }
}

/** An op of result `type` over one argument: `apply` of its value, which may be unknown. */
function overValue(type: ExpTypeCode, arg: Compiled, apply: (value: ExpResult) => ExpResult): Compiled {
  return { type, isUnknownOp: false, run: (rt) => apply(arg.run(rt)) }
}

/** ADD, SUB, MUL, DIV, MIN, MAX: one or more arguments, all integers or all floats. */
export function buildMath(b: Builder, op: number, argCount: number): Compiled {
  if (argCount < 1) throw expressionError(`op ${op} needs an argument`)
  let type: ExpTypeCode = ExpType.END
  const args: Compiled[] = []
  for (let i = 0; i < argCount; i++) {
    const arg = b.next()
    if (arg.type !== ExpType.INT && arg.type !== ExpType.FLOAT) throw expressionError(`op ${op} argument ${i + 1} is not a number`)
    if (type === ExpType.END) type = arg.type
    else if (arg.type !== type) throw expressionError(`op ${op} mixes integers and floats`)
    args.push(arg)
  }
  const floatMath = type === ExpType.FLOAT
  return overValues(type, args, (values) => (floatMath ? floatResult(op, floats(values)) : intResult(op, ints(values))))
}

function intResult(op: number, [first, ...rest]: bigint[]): ExpResult {
  let acc = first!
  switch (op) {
    case ExpOp.ADD: for (const x of rest) acc = BigInt.asIntN(64, acc + x); break
    case ExpOp.SUB:
      if (rest.length === 0) acc = BigInt.asIntN(64, -acc)
      for (const x of rest) acc = BigInt.asIntN(64, acc - x)
      break
    case ExpOp.MUL: for (const x of rest) acc = BigInt.asIntN(64, acc * x); break
    case ExpOp.DIV: {
      // One argument divides 1 by it; otherwise the first is divided by the product of the rest.
      let divisor = 1n
      for (const x of rest) divisor = BigInt.asIntN(64, divisor * x)
      if (rest.length === 0) {
        divisor = acc
        acc = 1n
      }
      if (divisor === 0n) return UNKNOWN
      acc = BigInt.asIntN(64, acc / divisor)
      break
    }
    case ExpOp.MIN: for (const x of rest) if (acc > x) acc = x; break
    case ExpOp.MAX: for (const x of rest) if (acc < x) acc = x; break
  }
  return { kind: 'int', value: acc }
}

function floatResult(op: number, [first, ...rest]: number[]): ExpResult {
  let acc = first!
  switch (op) {
    case ExpOp.ADD: for (const x of rest) acc += x; break
    case ExpOp.SUB:
      if (rest.length === 0) acc = 0 - acc
      for (const x of rest) acc -= x
      break
    case ExpOp.MUL: for (const x of rest) acc *= x; break
    case ExpOp.DIV: {
      let divisor = 1
      for (const x of rest) divisor *= x
      if (rest.length === 0) {
        divisor = acc
        acc = 1
      }
      acc /= divisor
      break
    }
    case ExpOp.MIN: for (const x of rest) if (acc > x) acc = x; break
    case ExpOp.MAX: for (const x of rest) if (acc < x) acc = x; break
  }
  return { kind: 'float', value: acc }
}

/** POW and LOG take two floats; MOD two integers (an unknown result when dividing by zero). */
export function buildMathBinary(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 2)
  const isMod = op === ExpOp.MOD
  const args = typedArgs(b, op, 2, isMod ? isInt : isFloat)
  return overValues(isMod ? ExpType.INT : ExpType.FLOAT, args, (values) => {
    if (isMod) {
      const [x, y] = ints(values)
      return y === 0n ? UNKNOWN : { kind: 'int', value: x! % y! }
    }
    const [x, y] = floats(values)
    return { kind: 'float', value: op === ExpOp.POW ? Math.pow(x!, y!) : Math.log(x!) / Math.log(y!) }
  })
}

/** ABS keeps its argument's type; abs(INT64_MIN) stays INT64_MIN as in C. */
export function buildNumberUnary(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 1)
  const [arg] = typedArgs(b, op, 1, (t) => isInt(t) || isFloat(t))
  return overValue(arg!.type, arg!, (value) => {
    if (value.kind === 'int') return intValue(value.value < 0n ? -value.value : value.value)
    if (value.kind === 'float') return { kind: 'float', value: Math.abs(value.value) }
    return UNKNOWN
  })
}

export function buildFloatUnary(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 1)
  const [arg] = typedArgs(b, op, 1, isFloat)
  const fn = op === ExpOp.FLOOR ? Math.floor : Math.ceil
  return overValue(ExpType.FLOAT, arg!, (value) => (value.kind === 'float' ? { kind: 'float', value: fn(value.value) } : UNKNOWN))
}

/** Truncates toward zero; NaN and out-of-range values become INT64_MIN, as x86 conversion does. */
export function buildToInt(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 1)
  const [arg] = typedArgs(b, op, 1, isFloat)
  return overValue(ExpType.INT, arg!, (value) => {
    if (value.kind !== 'float') return UNKNOWN
    const truncated = Math.trunc(value.value)
    if (!Number.isFinite(truncated)) return { kind: 'int', value: INT64_MIN }
    const big = BigInt(truncated)
    return { kind: 'int', value: big >= INT64_LIMIT || big < INT64_MIN ? INT64_MIN : big }
  })
}

export function buildToFloat(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 1)
  const [arg] = typedArgs(b, op, 1, isInt)
  return overValue(ExpType.FLOAT, arg!, (value) => (value.kind === 'int' ? { kind: 'float', value: Number(value.value) } : UNKNOWN))
}

/** INT_AND, INT_OR, INT_XOR over one or more integers. */
export function buildIntVarArgs(b: Builder, op: number, argCount: number): Compiled {
  if (argCount < 1) throw expressionError(`op ${op} needs an argument`)
  const args = typedArgs(b, op, argCount, isInt)
  return overValues(ExpType.INT, args, (values) => {
    const [first, ...rest] = ints(values)
    let acc = first!
    for (const x of rest) acc = op === ExpOp.INT_AND ? acc & x : op === ExpOp.INT_OR ? acc | x : acc ^ x
    return intValue(acc)
  })
}

/** INT_NOT and INT_COUNT (set bits). */
export function buildIntUnary(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 1)
  const [arg] = typedArgs(b, op, 1, isInt)
  return overValue(ExpType.INT, arg!, (value) => {
    if (value.kind !== 'int') return UNKNOWN
    if (op === ExpOp.INT_NOT) return intValue(~value.value)
    return { kind: 'int', value: BigInt(popCount(BigInt.asUintN(64, value.value))) }
  })
}

/** INT_LSHIFT, INT_RSHIFT (logical), INT_ARSHIFT (arithmetic). */
export function buildIntBinary(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 2)
  const args = typedArgs(b, op, 2, isInt)
  return overValues(ExpType.INT, args, (values) => {
    const [x, s] = ints(values)
    const shift = s! & 63n
    if (op === ExpOp.INT_LSHIFT) return intValue(x! << shift)
    if (op === ExpOp.INT_RSHIFT) return intValue(BigInt.asUintN(64, x!) >> shift)
    return { kind: 'int', value: x! >> shift }
  })
}

/**
 * INT_LSCAN: index from the most significant bit of the first bit equal to the search bit;
 * INT_RSCAN: of the last one. -1 when there is none.
 */
export function buildIntScan(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 2)
  const value = b.next()
  const search = b.next()
  if (value.type !== ExpType.INT) throw expressionError(`op ${op} argument 1 is not an integer`)
  if (search.type !== ExpType.BOOL) throw expressionError(`op ${op} argument 2 is not a boolean`)
  return overValues(ExpType.INT, [value, search], ([x, bit]) => {
    let bits = BigInt.asUintN(64, x!.kind === 'int' ? x!.value : 0n)
    if (bit!.kind === 'bool' && !bit!.value) bits = BigInt.asUintN(64, ~bits)
    if (bits === 0n) return { kind: 'int', value: -1n }
    const index = op === ExpOp.INT_LSCAN ? 63 - highestBit(bits) : 63 - lowestBit(bits)
    return { kind: 'int', value: BigInt(index) }
  })
}

function popCount(bits: bigint): number {
  let count = 0
  for (let x = bits; x !== 0n; x &= x - 1n) count++
  return count
}

function highestBit(bits: bigint): number {
  return bits.toString(2).length - 1
}

function lowestBit(bits: bigint): number {
  let index = 0
  while ((bits & (1n << BigInt(index))) === 0n) index++
  return index
}
