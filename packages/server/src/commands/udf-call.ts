// The Lua function a UDF request names (fields UDF_PACKAGE_NAME, UDF_FUNCTION, UDF_ARGLIST), read
// alike for record UDFs (client.apply) and aggregations (stream UDFs).
import { FieldType, MsgpackReader, findField, isWellFormedMsgpack, type Message } from '@aerolite/protocol'

/** An empty msgpack array: the arguments of a request that sends no UDF_ARGLIST. */
const EMPTY_ARGS = Buffer.of(0x90)

export interface UdfCall {
  packageName: string
  functionName: string
  /** msgpack array of the arguments (after the record or the stream). */
  argList: Buffer
}

/** The call a message names; undefined when a name is missing or empty or the arguments are not one msgpack array. */
export function parseUdfCall(message: Message): UdfCall | undefined {
  const packageName = findField(message, FieldType.UDF_PACKAGE_NAME)
  const functionName = findField(message, FieldType.UDF_FUNCTION)
  if (packageName === undefined || functionName === undefined || packageName.length === 0 || functionName.length === 0) return undefined
  const argList = findField(message, FieldType.UDF_ARGLIST) ?? EMPTY_ARGS
  if (!isArgList(argList)) return undefined
  return { packageName: packageName.toString('utf8'), functionName: functionName.toString('utf8'), argList }
}

/** The argument list must be one whole msgpack array. */
function isArgList(bytes: Buffer): boolean {
  if (!isWellFormedMsgpack(bytes)) return false
  try {
    new MsgpackReader(bytes).readArrayHeader()
    return true
  } catch {
    return false
  }
}
