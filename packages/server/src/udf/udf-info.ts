// The UDF module info commands: udf-put, udf-get, udf-list, udf-remove, answered as Aerospike does
// (its error= words, its compile-error report, its list hash).
import type { InfoCommand } from '@aerolite/protocol'
import type { UdfRuntime } from './runtime.ts'
import { limits } from '../limits.ts'

const LUA_TYPE = 'LUA'
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function fileNameParam(cmd: InfoCommand): string | undefined {
  const fileName = cmd.params.get('filename')
  if (fileName === undefined || fileName.length === 0 || Buffer.byteLength(fileName) >= limits.maxUdfFileNameBytes) return undefined
  return fileName
}

/** udf-put:filename=<f>;content=<base64>;content-len=<n>[;udf-type=LUA] */
export function udfPut(udfRuntime: UdfRuntime, cmd: InfoCommand): string {
  const fileName = fileNameParam(cmd)
  if (fileName === undefined) return 'error=invalid_filename'
  const dot = fileName.indexOf('.')
  if (dot <= 0 || dot === fileName.length - 1) return 'error=invalid_filename'
  const contentLen = cmd.params.get('content-len')
  if (contentLen === undefined) return 'error=invalid_content_len'
  const udfType = cmd.params.get('udf-type')
  if (udfType !== undefined && udfType !== LUA_TYPE) return 'error=invalid_udf_type'
  const length = /^\d{1,10}$/.test(contentLen) ? Number(contentLen) : -1
  if (length < 0 || length > 0xffffffff || length % 4 !== 0) return 'error=invalid_content_len'
  const content = cmd.params.get('content')
  if (content === undefined || content.length !== length) return 'error=invalid_content'
  if ((length / 4) * 3 > limits.maxUdfModuleBytes) return 'error=invalid_udf_content_len,>1M'
  if (!BASE64.test(content)) return 'error=invalid_base64_content'
  const source = Buffer.from(content, 'base64')
  const error = udfRuntime.put(fileName, content, source)
  if (error === undefined) return 'ok'
  return `error=compile_error;file=${error.file};line=${error.line};message=${Buffer.from(error.message, 'utf8').toString('base64')}`
}

/** udf-get:filename=<f> -> type=LUA;content=<base64>; (Aerospike dropped the gen field in 5.8). */
export function udfGet(udfRuntime: UdfRuntime, cmd: InfoCommand): string {
  const fileName = fileNameParam(cmd)
  if (fileName === undefined) return 'error=invalid_filename'
  const module = udfRuntime.modules.get(fileName)
  if (module === undefined) return 'error=not_found'
  return `type=${LUA_TYPE};content=${module.contentBase64};`
}

/** udf-list -> filename=<f>,hash=<sha1>,type=LUA;... */
export function udfList(udfRuntime: UdfRuntime): string {
  let out = ''
  for (const module of udfRuntime.modules.all()) out += `filename=${module.fileName},hash=${module.hashHex},type=${LUA_TYPE};`
  return out
}

/** udf-remove:filename=<f>; removing a module that is not there succeeds, as on Aerospike 4.5.1+. */
export function udfRemove(udfRuntime: UdfRuntime, cmd: InfoCommand): string {
  const fileName = fileNameParam(cmd)
  if (fileName === undefined) return 'error=invalid_filename'
  udfRuntime.remove(fileName)
  return 'ok'
}
