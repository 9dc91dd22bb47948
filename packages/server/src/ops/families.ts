// Op type -> handler for the op families beyond the scalar ones (read, write, incr, append,
// prepend, touch, delete), which commands/apply-ops.ts handles itself.
import { OpType, ResultCode } from '@aerolite/protocol'
import { CommandError } from '../commands/command-error.ts'
import type { OpHandler } from './op-context.ts'

const notYet = (family: string): OpHandler => () => {
  throw new CommandError(ResultCode.UNSUPPORTED_FEATURE, `${family} operations are not supported yet`)
}

export const OP_FAMILIES: Readonly<Partial<Record<number, OpHandler>>> = {
  [OpType.CDT_READ]: notYet('list and map'),
  [OpType.CDT_MODIFY]: notYet('list and map'),
  [OpType.BIT_READ]: notYet('bit'),
  [OpType.BIT_MODIFY]: notYet('bit'),
  [OpType.HLL_READ]: notYet('HyperLogLog'),
  [OpType.HLL_MODIFY]: notYet('HyperLogLog'),
  [OpType.EXP_READ]: notYet('expression'),
  [OpType.EXP_MODIFY]: notYet('expression'),
}

/** Op types that only read: allowed in read commands. */
export const READ_OP_TYPES: ReadonlySet<number> = new Set([OpType.READ, OpType.CDT_READ, OpType.BIT_READ, OpType.HLL_READ, OpType.EXP_READ])
