// The UDF module info commands: udf-put, udf-get, udf-list, udf-remove, answered as Aerospike does
// (its error= words, its compile-error report, its list hash).
import type { InfoCommand } from '@aerolite/protocol'
import type { CompileError, UdfRuntime } from './runtime.ts'
import { limits } from '../limits.ts'

const LUA_TYPE = 'LUA'
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function fileNameParam(cmd: InfoCommand): string | undefined {
  const fileName = cmd.params.get('filename')
  if (fileName === undefined || fileName.length === 0 || Buffer.byteLength(fileName) >= limits.maxUdfFileNameBytes) return undefined
  return fileName
}

interface UdfPutRequest {
  fileName: string
  contentBase64: string
  source: Buffer
}

/** udf-put:filename=<f>;content=<base64>;content-len=<n>[;udf-type=LUA]; a string is the error answer. */
function parseUdfPut(cmd: InfoCommand): UdfPutRequest | string {
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
  return { fileName, contentBase64: content, source: Buffer.from(content, 'base64') }
}

function compileErrorAnswer(error: CompileError): string {
  return `error=compile_error;file=${error.file};line=${error.line};message=${Buffer.from(error.message, 'utf8').toString('base64')}`
}

/** udf-put on a single node: checks, compiles and registers the module here. */
export function udfPut(udfRuntime: UdfRuntime, cmd: InfoCommand): string {
  const request = parseUdfPut(cmd)
  if (typeof request === 'string') return request
  const error = udfRuntime.put(request.fileName, request.contentBase64, request.source)
  return error === undefined ? 'ok' : compileErrorAnswer(error)
}

/** Where a cluster's module changes go: every node, this one included, applies them from there. */
export interface SharedUdfModules {
  /** Resolves once this node registered the module; rejects when the change could not be made. */
  putUdf(fileName: string, contentBase64: string): Promise<void>
  removeUdf(fileName: string): Promise<void>
}

/** A change that could not be shared: answered as an error (Aerospike's form: error=<word>;message=<base64>). */
function sharedFailureAnswer(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return `error=cluster_metadata_unavailable;message=${Buffer.from(message, 'utf8').toString('base64')}`
}

/**
 * udf-put in a cluster: the same checks and the same compile as on one node (nothing is shared when
 * they fail), then the module goes to every node; answers ok once this node has it.
 */
export async function udfPutShared(udfRuntime: UdfRuntime, shared: SharedUdfModules, cmd: InfoCommand): Promise<string> {
  const request = parseUdfPut(cmd)
  if (typeof request === 'string') return request
  await udfRuntime.ready
  const error = udfRuntime.check(request.fileName, request.source)
  if (error !== undefined) return compileErrorAnswer(error)
  try {
    await shared.putUdf(request.fileName, request.contentBase64)
  } catch (failure) {
    return sharedFailureAnswer(failure)
  }
  return 'ok'
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

/** udf-remove in a cluster: the module leaves every node; answers ok once it left this one. */
export async function udfRemoveShared(shared: SharedUdfModules, cmd: InfoCommand): Promise<string> {
  const fileName = fileNameParam(cmd)
  if (fileName === undefined) return 'error=invalid_filename'
  try {
    await shared.removeUdf(fileName)
  } catch (failure) {
    return sharedFailureAnswer(failure)
  }
  return 'ok'
}
