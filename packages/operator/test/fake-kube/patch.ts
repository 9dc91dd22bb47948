// PATCH bodies: JSON merge patch (RFC 7386) and JSON patch (RFC 6902: add, remove, replace, test).
// Strategic merge patch is applied as a merge patch: the fake knows no patch strategies, so a list
// (containers, env, volumes, ...) is replaced as a whole instead of merged by its key. Code that
// relies on strategic merge of lists is not tested by this fake; use merge or JSON patch.
import { ApiError, badRequest } from './errors.ts'
import { isJsonObject, jsonClone, jsonEqual, type JsonObject } from './objects.ts'

export const MERGE_PATCH = 'application/merge-patch+json'
export const JSON_PATCH = 'application/json-patch+json'
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json'

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return jsonClone(patch)
  const result: JsonObject = isJsonObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'test'
  path: string[]
  value: unknown
}

/** RFC 6901: "/a/b~1c/0" is ["a", "b/c", "0"]; "" is the whole document. */
function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) throw badRequest(`invalid JSON pointer ${JSON.stringify(pointer)}`)
  return pointer === '' ? [] : pointer.slice(1).split('/').map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
}

function parseOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) throw badRequest('a JSON patch must be an array of operations')
  return patch.map((raw: unknown) => {
    if (!isJsonObject(raw)) throw badRequest('a JSON patch operation must be an object')
    const { op } = raw
    if (op !== 'add' && op !== 'remove' && op !== 'replace' && op !== 'test') throw badRequest(`unsupported JSON patch operation ${JSON.stringify(op)}`)
    if (op !== 'remove' && !('value' in raw)) throw badRequest(`JSON patch operation "${op}" needs a value`)
    return { op, path: parsePointer(raw.path), value: raw.value }
  })
}

/** Applying a well-formed patch that does not fit the document: 422, as the API server answers. */
function unfit(message: string): ApiError {
  return new ApiError(422, 'Invalid', message)
}

function arrayIndex(array: unknown[], token: string, forInsert: boolean): number {
  if (forInsert && token === '-') return array.length
  if (!/^(0|[1-9]\d*)$/.test(token)) throw unfit(`"${token}" is not an array index`)
  const index = Number(token)
  if (index > array.length || (!forInsert && index === array.length)) throw unfit(`array index ${index} is out of bounds`)
  return index
}

/** The container of the pointer's last token; throws when a step of the path is missing. */
function parentOf(doc: unknown, path: string[]): JsonObject | unknown[] {
  let node = doc
  for (const token of path.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(node, token, false)]
    else if (isJsonObject(node) && token in node) node = node[token]
    else throw unfit(`path /${path.join('/')} does not exist`)
  }
  if (!Array.isArray(node) && !isJsonObject(node)) throw unfit(`path /${path.join('/')} does not exist`)
  return node
}

function read(container: JsonObject | unknown[], token: string, pointer: string): unknown {
  if (Array.isArray(container)) return container[arrayIndex(container, token, false)]
  if (!(token in container)) throw unfit(`path ${pointer} does not exist`)
  return container[token]
}

function apply(doc: unknown, { op, path, value }: Operation): unknown {
  const pointer = `/${path.join('/')}`
  if (path.length === 0) {
    if (op === 'test') {
      if (!jsonEqual(doc, value)) throw unfit(`test of the whole document failed`)
      return doc
    }
    if (op === 'remove') throw unfit('cannot remove the whole document')
    return jsonClone(value)
  }
  const container = parentOf(doc, path)
  const token = path.at(-1)!
  switch (op) {
    case 'test':
      if (!jsonEqual(read(container, token, pointer), value)) throw unfit(`test of ${pointer} failed`)
      break
    case 'remove':
      read(container, token, pointer)
      if (Array.isArray(container)) container.splice(Number(token), 1)
      else delete container[token]
      break
    case 'replace':
      read(container, token, pointer)
      if (Array.isArray(container)) container[Number(token)] = jsonClone(value)
      else container[token] = jsonClone(value)
      break
    case 'add':
      if (Array.isArray(container)) container.splice(arrayIndex(container, token, true), 0, jsonClone(value))
      else container[token] = jsonClone(value)
      break
  }
  return doc
}

/** Applies the operations in order to a copy of doc; all or nothing. */
export function jsonPatch(doc: unknown, patch: unknown): unknown {
  return parseOperations(patch).reduce(apply, jsonClone(doc))
}

/** The patched document for a Content-Type, or 415 for one the fake does not speak (server-side apply included). */
export function applyPatch(doc: unknown, patch: unknown, contentType: string): unknown {
  switch (contentType) {
    case MERGE_PATCH:
    case STRATEGIC_MERGE_PATCH:
      if (!isJsonObject(patch)) throw badRequest('a merge patch must be a JSON object')
      return mergePatch(doc, patch)
    case JSON_PATCH:
      return jsonPatch(doc, patch)
    default:
      throw new ApiError(415, 'UnsupportedMediaType', `the fake API server does not support patches of type "${contentType}" (server-side apply included)`)
  }
}
