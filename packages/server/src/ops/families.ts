// Op type -> handler for the op families beyond the scalar ones (read, write, incr, append,
// prepend, touch, delete), which commands/apply-ops.ts handles itself.
import { OpType } from '@aerolite/protocol'
import type { OpLookup } from './op-context.ts'
import { expModify, expRead } from './exp/index.ts'
import { bitModify, bitRead } from './bit/index.ts'
import { hllModify, hllRead } from './hll/index.ts'
import { cdtModify, cdtRead } from './cdt/handler.ts'

export const OP_FAMILIES: OpLookup = {
  [OpType.CDT_READ]: cdtRead,
  [OpType.CDT_MODIFY]: cdtModify,
  [OpType.BIT_READ]: bitRead,
  [OpType.BIT_MODIFY]: bitModify,
  [OpType.HLL_READ]: hllRead,
  [OpType.HLL_MODIFY]: hllModify,
  [OpType.EXP_READ]: expRead,
  [OpType.EXP_MODIFY]: expModify,
}

/** Op types that only read: allowed in read commands. */
export const READ_OP_TYPES: ReadonlySet<number> = new Set([OpType.READ, OpType.CDT_READ, OpType.BIT_READ, OpType.HLL_READ, OpType.EXP_READ])
