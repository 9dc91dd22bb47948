// The result codes a CDT op fails with, as Aerospike Server answers them.
import { ResultCode } from '@aerolite/protocol'
import { CommandError } from '../../command-error.ts'
import { limits } from '../../limits.ts'

const ELEMENT_NOT_FOUND = 23
const ELEMENT_EXISTS = 24
const NIL = Buffer.of(0xc0)

/** Malformed payload, wrong argument type or count: PARAMETER_ERROR (4). */
export function parameterError(detail: string): CommandError {
  return new CommandError(ResultCode.PARAMETER_ERROR, detail)
}

/** Out-of-range index, unsupported return type, context leading nowhere: OP_NOT_APPLICABLE (26). */
export function notApplicable(detail: string): CommandError {
  return new CommandError(ResultCode.OP_NOT_APPLICABLE, detail)
}

/** A list op on a map (or anything else that is not a list), and the reverse: BIN_TYPE_ERROR (12). */
export function binTypeError(detail: string): CommandError {
  return new CommandError(ResultCode.BIN_TYPE_ERROR, detail)
}

export function elementExists(detail: string): CommandError {
  return new CommandError(ELEMENT_EXISTS, detail)
}

export function elementNotFound(detail: string): CommandError {
  return new CommandError(ELEMENT_NOT_FOUND, detail)
}

/** Nil padding (one byte each) past what any record can hold can only end in RECORD_TOO_BIG. */
export function nilPadding(count: number): Buffer[] {
  if (count > limits.maxRecordSizeCeilingBytes) throw new CommandError(ResultCode.RECORD_TOO_BIG, `padding of ${count} nils does not fit in a record`)
  return new Array<Buffer>(count).fill(NIL)
}
