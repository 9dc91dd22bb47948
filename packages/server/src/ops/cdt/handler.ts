// The CDT_READ and CDT_MODIFY op handlers: run a list or map op on a record's bin.
import { ParticleType, type Op, type OutOp } from '@aerolite/protocol'
import { findBin, putBin } from '../../record/bins.ts'
import type { OpContext } from '../op-context.ts'
import { applyCdtOperation } from './index.ts'

const NIL = Buffer.alloc(0)

function reply(op: Op, name: string, particleType: number, value: Buffer): OutOp {
  // The server answers a CDT op with the request's own op type.
  return { type: op.type, particleType, name, value }
}

export function cdtRead(ctx: OpContext, op: Op, name: string): OutOp | undefined {
  const i = findBin(ctx.bins, name)
  if (i < 0) return undefined
  const { result } = applyCdtOperation(ctx.bins[i], op.value, 'read', ctx)
  if (result !== undefined) return reply(op, name, result.particleType, result.value)
  // Inside a command that writes, a read op on an existing bin always answers, if only with nil.
  return ctx.readOnly ? undefined : reply(op, name, ParticleType.NULL, NIL)
}

export function cdtModify(ctx: OpContext, op: Op, name: string): OutOp | undefined {
  const i = findBin(ctx.bins, name)
  const { result, bin } = applyCdtOperation(i < 0 ? undefined : ctx.bins[i], op.value, 'modify', ctx)
  if (bin !== undefined) putBin(ctx.bins, { name, particleType: bin.particleType, value: bin.value })
  return result === undefined ? undefined : reply(op, name, result.particleType, result.value)
}
