// What a secondary index is: sindex-create's parameters, checked as Aerospike checks them.
// 8.1 syntax: namespace=<ns>;set=<set>;indexname=<n>;[context=<b64>;][indextype=..;](bin=<bin>|exp=<b64>);type=..
// The pre-8.1 forms (ns=, indexdata=<bin>,<type>) are accepted too.
import { ResultCode, infoError, type InfoCommand } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import { parseContext, type ContextStep } from './context.ts'
import { expressionProblem } from './expression.ts'

export const KEY_TYPES = ['numeric', 'string', 'blob', 'geo2dsphere'] as const
export type KeyType = (typeof KEY_TYPES)[number]
export const COLLECTION_TYPES = ['default', 'list', 'mapkeys', 'mapvalues'] as const
export type CollectionType = (typeof COLLECTION_TYPES)[number]

export interface IndexDefinition {
  namespace: string
  name: string
  /** '' = every set. */
  setName: string
  /** '' for an expression index. */
  binName: string
  keyType: KeyType
  collection: CollectionType
  /** Packed CDT context and its parsed steps; undefined = the bin itself. */
  context: Buffer | undefined
  contextSteps: readonly ContextStep[]
  /** Packed expression of an expression index. */
  expression: Buffer | undefined
}

/** True when two definitions index the same thing (a re-create of one is accepted). */
export function sameDefinition(a: IndexDefinition, b: IndexDefinition): boolean {
  return a.setName === b.setName && a.binName === b.binName && a.keyType === b.keyType && a.collection === b.collection &&
    sameBytes(a.context, b.context) && sameBytes(a.expression, b.expression)
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b)
}

export function keyTypeOf(text: string): KeyType | undefined {
  const lower = text.toLowerCase()
  if (lower === 'integer') return 'numeric'
  return (KEY_TYPES as readonly string[]).includes(lower) ? (lower as KeyType) : undefined
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function decodeBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64.test(text)) return undefined
  return Buffer.from(text, 'base64')
}

/** The namespace a sindex/job command names: `namespace=` (8.1) or `ns=` (older). */
export function namespaceParam(cmd: InfoCommand): string | undefined {
  return cmd.params.get('namespace') ?? cmd.params.get('ns')
}

/** Parses sindex-create; a string is the ERROR reply. */
export function parseDefinition(cmd: InfoCommand): IndexDefinition | string {
  const bad = (message: string): string => infoError(ResultCode.PARAMETER_ERROR, message)
  const namespace = namespaceParam(cmd)
  if (namespace === undefined || namespace === '') return bad("missing 'namespace'")
  const name = cmd.params.get('indexname')
  if (name === undefined || name === '') return bad("missing 'indexname'")
  if (Buffer.byteLength(name) > limits.maxIndexNameBytes) return bad("'indexname' too long")
  const setName = cmd.params.get('set') ?? ''
  if (Buffer.byteLength(setName) > limits.maxSetNameBytes) return bad("'set' too long")
  const collectionText = (cmd.params.get('indextype') ?? 'default').toLowerCase()
  if (collectionText === 'set') return infoError(ResultCode.UNSUPPORTED_FEATURE, 'set indexes are not supported')
  if (!(COLLECTION_TYPES as readonly string[]).includes(collectionText)) return bad("bad 'indextype' - must be one of 'default', 'list', 'mapkeys', 'mapvalues'")
  const collection = collectionText as CollectionType

  let binName = cmd.params.get('bin')
  let typeText = cmd.params.get('type')
  const indexData = cmd.params.get('indexdata')
  if (indexData !== undefined && typeText !== undefined) return bad("both 'indexdata' and 'type' are specified")
  if (indexData !== undefined) {
    const comma = indexData.lastIndexOf(',')
    if (comma < 0) return bad("'indexdata' missing bin type")
    binName = indexData.slice(0, comma)
    typeText = indexData.slice(comma + 1)
  }
  if (typeText === undefined) return bad("both 'indexdata' and 'type' are missing")
  const keyType = keyTypeOf(typeText)
  if (keyType === undefined) return bad("bad 'type' - must be one of 'numeric', 'string', 'blob', 'geo2dsphere'")
  if (collection === 'mapkeys' && keyType === 'geo2dsphere') return bad("bad bin type for 'indextype' 'mapkeys' - must be one of 'numeric', 'string', 'blob'")

  const expText = cmd.params.get('exp')
  const contextText = cmd.params.get('context')
  if (binName !== undefined && expText !== undefined) return bad("both 'bin' and 'exp' are specified")
  if (binName === undefined && expText === undefined) return bad("both 'bin' and 'exp' are missing")
  if (contextText !== undefined && expText !== undefined) return bad("both 'context' and 'exp' are specified")
  if (binName !== undefined && (binName === '' || Buffer.byteLength(binName) > limits.maxBinNameBytes)) return bad("bad 'bin' name")

  let expression: Buffer | undefined
  if (expText !== undefined) {
    expression = decodeBase64(expText)
    if (expression === undefined) return bad("'exp' invalid base64")
    const problem = expressionProblem(expression, keyType, collection)
    if (problem !== undefined) return bad(problem)
  }
  let context: Buffer | undefined
  let contextSteps: ContextStep[] = []
  if (contextText !== undefined) {
    context = decodeBase64(contextText)
    if (context === undefined) return bad("'context' invalid base64")
    const steps = parseContext(context)
    if (steps === undefined) return bad("'context' invalid cdt context")
    contextSteps = steps
  }
  return { namespace, name, setName, binName: binName ?? '', keyType, collection, context, contextSteps, expression }
}
