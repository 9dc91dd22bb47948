// Filter expressions and expression operations (reference §9).
export { compileExpression, runExpression, type CompiledExpression } from './compile.ts'
export { expModify, expRead } from './exp-ops.ts'
export { ExpType } from './opcodes.ts'
export type { ExpRecord } from './runtime.ts'
export { UNKNOWN, packedValue, valueFromMsgpack, type ExpResult, type ExpValue } from './value.ts'
