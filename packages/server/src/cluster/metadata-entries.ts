// The layout of cluster metadata entries (keys under /<cluster>/smd/ in the membership store):
//   udf/<file name>                  -> {"type":"LUA","content":"<base64 source>"}
//   sindex/<namespace>/<index name>  -> the index definition as JSON (binary parts in base64)
//   truncate/<namespace>             -> cutoff, ms since 1970 (the whole namespace)
//   truncate/<namespace>/<set>       -> cutoff, ms since 1970 (one set)
//   recluster                        -> a counter each recluster: raises (an event, not a state)
// Each name is URI-encoded, so a "/" inside a name cannot be read as a separator.
import { COLLECTION_TYPES, KEY_TYPES, type CollectionType, type IndexDefinition, type KeyType } from '../sindex/definition.ts'
import { parseContext } from '../sindex/context.ts'

export type MetadataKey =
  | { kind: 'udf'; fileName: string }
  | { kind: 'sindex'; namespace: string; name: string }
  | { kind: 'truncate'; namespace: string; setName: string | undefined }
  | { kind: 'recluster' }

const encode = encodeURIComponent

export function udfKey(fileName: string): string {
  return `udf/${encode(fileName)}`
}

/** The keys of one namespace's indexes start with this. */
export function sindexPrefix(namespace: string): string {
  return `sindex/${encode(namespace)}/`
}

export function sindexKey(namespace: string, name: string): string {
  return sindexPrefix(namespace) + encode(name)
}

export function truncateKey(namespace: string, setName: string | undefined): string {
  return setName === undefined ? `truncate/${encode(namespace)}` : `truncate/${encode(namespace)}/${encode(setName)}`
}

export const RECLUSTER_KEY = 'recluster'

/** What a key names; undefined for a key this node does not know (a later version's kind, or a bad one). */
export function parseMetadataKey(key: string): MetadataKey | undefined {
  const parts = key.split('/')
  let names: string[]
  try {
    names = parts.slice(1).map(decodeURIComponent)
  } catch {
    return undefined
  }
  if (names.some((name) => name === '')) return undefined
  if (parts[0] === 'udf' && names.length === 1) return { kind: 'udf', fileName: names[0]! }
  if (parts[0] === 'sindex' && names.length === 2) return { kind: 'sindex', namespace: names[0]!, name: names[1]! }
  if (parts[0] === 'truncate' && (names.length === 1 || names.length === 2)) return { kind: 'truncate', namespace: names[0]!, setName: names[1] }
  if (key === RECLUSTER_KEY) return { kind: 'recluster' }
  return undefined
}

export function encodeUdf(contentBase64: string): string {
  return JSON.stringify({ type: 'LUA', content: contentBase64 })
}

/** The module's base64 source, or undefined when the value is not a UDF entry. */
export function decodeUdf(value: string): string | undefined {
  const parsed = parseJson(value) as { type?: unknown; content?: unknown } | undefined
  return parsed?.type === 'LUA' && typeof parsed.content === 'string' ? parsed.content : undefined
}

interface IndexJson {
  set: string
  bin: string
  type: KeyType
  collection: CollectionType
  context: string | null
  exp: string | null
}

/** The definition without its namespace and name (the key holds them). */
export function encodeIndex(def: IndexDefinition): string {
  const json: IndexJson = {
    set: def.setName,
    bin: def.binName,
    type: def.keyType,
    collection: def.collection,
    context: def.context?.toString('base64') ?? null,
    exp: def.expression?.toString('base64') ?? null,
  }
  return JSON.stringify(json)
}

/** The definition an entry holds; undefined when the value is not one (sindex-create checked it before writing). */
export function decodeIndex(namespace: string, name: string, value: string): IndexDefinition | undefined {
  const json = parseJson(value) as Partial<IndexJson> | undefined
  if (json === undefined || typeof json.set !== 'string' || typeof json.bin !== 'string') return undefined
  if (!(KEY_TYPES as readonly unknown[]).includes(json.type) || !(COLLECTION_TYPES as readonly unknown[]).includes(json.collection)) return undefined
  const context = typeof json.context === 'string' ? Buffer.from(json.context, 'base64') : undefined
  const contextSteps = context === undefined ? [] : parseContext(context)
  if (contextSteps === undefined) return undefined
  const expression = typeof json.exp === 'string' ? Buffer.from(json.exp, 'base64') : undefined
  return { namespace, name, setName: json.set, binName: json.bin, keyType: json.type!, collection: json.collection!, context, contextSteps, expression }
}

export function encodeCutoff(cutoffMs: number): string {
  return String(cutoffMs)
}

/** The cutoff in ms, or undefined when the value is not one. */
export function decodeCutoff(value: string): number | undefined {
  if (!/^\d{1,16}$/.test(value)) return undefined
  return Number(value)
}

/** The recluster entry after `current`: every write changes the value, so a re-read store shows it too. */
export function nextRecluster(current: string | undefined): string {
  const count = current !== undefined && /^\d{1,15}$/.test(current) ? Number(current) : 0
  return String(count + 1)
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown
  } catch {
    return undefined
  }
}
