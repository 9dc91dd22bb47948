// Three-valued logic (AND, OR, NOT, EXCLUSIVE, the UNKNOWN literal), COND, and LET/VAR.
import type { Builder } from './compile.ts'
import { expressionError } from './cursor.ts'
import { ExpOp, ExpType, type ExpTypeCode } from './opcodes.ts'
import type { Compiled } from './runtime.ts'
import { FALSE, TRUE, UNKNOWN, type ExpResult } from './value.ts'

export function buildUnknown(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 0)
  return { type: ExpType.BOOL, isUnknownOp: true, run: () => UNKNOWN }
}

function boolArgs(b: Builder, op: number, count: number): Compiled[] {
  const args: Compiled[] = []
  for (let i = 0; i < count; i++) {
    const arg = b.next()
    if (arg.type !== ExpType.BOOL) throw expressionError(`op ${op} argument ${i + 1} is not a boolean`)
    args.push(arg)
  }
  return args
}

/** AND and OR skip the rest once decided; an unknown argument leaves the result unknown otherwise. */
export function buildLogical(b: Builder, op: number, argCount: number): Compiled {
  if (argCount < 2) throw expressionError(`op ${op} needs at least 2 arguments`)
  const args = boolArgs(b, op, argCount)
  const run = op === ExpOp.AND ? and(args) : op === ExpOp.OR ? or(args) : exclusive(args)
  return { type: ExpType.BOOL, isUnknownOp: false, run }
}

function and(args: Compiled[]): Compiled['run'] {
  return (rt) => {
    let result: ExpResult = TRUE
    for (const arg of args) {
      const value = arg.run(rt)
      if (value.kind === 'unknown') result = UNKNOWN
      else if (value.kind === 'bool' && !value.value) return FALSE
    }
    return result
  }
}

function or(args: Compiled[]): Compiled['run'] {
  return (rt) => {
    let result: ExpResult = FALSE
    for (const arg of args) {
      const value = arg.run(rt)
      if (value.kind === 'unknown') result = UNKNOWN
      else if (value.kind === 'bool' && value.value) return TRUE
    }
    return result
  }
}

/** True when exactly one argument is true; any unknown makes it unknown. */
function exclusive(args: Compiled[]): Compiled['run'] {
  return (rt) => {
    let seen = false
    for (const arg of args) {
      const value = arg.run(rt)
      if (value.kind === 'unknown') return UNKNOWN
      if (value.kind === 'bool' && value.value) {
        if (seen) return FALSE
        seen = true
      }
    }
    return seen ? TRUE : FALSE
  }
}

export function buildNot(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 1)
  const [arg] = boolArgs(b, op, 1)
  return {
    type: ExpType.BOOL,
    isUnknownOp: false,
    run: (rt) => {
      const value = arg!.run(rt)
      if (value.kind !== 'bool') return value
      return value.value ? FALSE : TRUE
    },
  }
}

/** `[COND, c1, v1, c2, v2, ..., default]`: values share one type; the UNKNOWN literal fits any. */
export function buildCond(b: Builder, _op: number, argCount: number): Compiled {
  if (argCount < 3) throw expressionError('COND needs at least 3 arguments')
  if (argCount % 2 === 0) throw expressionError('COND needs a default')
  let type: ExpTypeCode = ExpType.END
  const cases: Array<[Compiled, Compiled]> = []
  for (let i = 0; i < (argCount - 1) / 2; i++) {
    const condition = b.next()
    if (condition.type !== ExpType.BOOL) throw expressionError(`COND condition ${i + 1} is not a boolean`)
    const value = b.next()
    if (!value.isUnknownOp) {
      if (type === ExpType.END) type = value.type
      if (value.type !== type) throw expressionError(`COND value ${i + 1} has type ${value.type}, expected ${type}`)
    }
    cases.push([condition, value])
  }
  const fallback = b.next()
  if (type === ExpType.END) type = fallback.type
  else if (!fallback.isUnknownOp && fallback.type !== type) throw expressionError(`COND default has type ${fallback.type}, expected ${type}`)
  if (type === ExpType.END) throw expressionError('COND result type is not known')
  return {
    type,
    isUnknownOp: false,
    run: (rt) => {
      for (const [condition, value] of cases) {
        const test = condition.run(rt)
        if (test.kind === 'unknown') return UNKNOWN
        if (test.kind === 'bool' && test.value) return value.run(rt)
      }
      return fallback.run(rt)
    },
  }
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `[LET, name1, e1, ..., body]`: each value may use the names defined before it; names never shadow. */
export function buildLet(b: Builder, _op: number, argCount: number): Compiled {
  if (argCount < 3) throw expressionError('LET needs at least 3 arguments')
  if (argCount % 2 === 0) throw expressionError('LET needs a body')
  b.openScope()
  const defs: Array<[number, Compiled]> = []
  for (let i = 0; i < (argCount - 1) / 2; i++) {
    const name = b.cursor.rawBytes().toString('latin1')
    if (!VAR_NAME.test(name)) throw expressionError(`illegal variable name "${name}"`)
    if (b.findVar(name) !== undefined) throw expressionError(`variable "${name}" is defined twice`)
    const entry = b.declareVar(name)
    const value = b.next()
    entry.type = value.type
    defs.push([entry.slot, value])
  }
  const body = b.next()
  b.closeScope()
  return {
    type: body.type,
    isUnknownOp: false,
    run: (rt) => {
      for (const [slot, value] of defs) rt.vars[slot] = value.run(rt)
      return body.run(rt)
    },
  }
}

export function buildVar(b: Builder, op: number, argCount: number): Compiled {
  b.expectArgs(op, argCount, 1)
  const name = b.cursor.rawBytes().toString('latin1')
  const entry = b.findVar(name)
  if (entry === undefined) throw expressionError(`undefined variable "${name}"`)
  if (entry.type === ExpType.END) throw expressionError(`variable "${name}" is used in its own definition`)
  const slot = entry.slot
  return { type: entry.type, isUnknownOp: false, run: (rt) => rt.vars[slot]! }
}
