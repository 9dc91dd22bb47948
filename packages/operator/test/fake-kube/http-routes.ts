// The REST surface: which path names which resource, object or subresource, and which verb does
// what with the store. Answers are JSON; failures are Status objects.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { apiGroupList, apiResourceList, apiVersions } from './discovery.ts'
import { ApiError, badRequest, notFound } from './errors.ts'
import { isJsonObject } from './objects.ts'
import { findResource, apiVersionOf, type ResourceDef } from './resources.ts'
import { fieldSelector, labelSelector } from './selectors.ts'
import type { DeleteOptions, ObjectStore, PropagationPolicy } from './store.ts'
import { serveWatch } from './watch.ts'

type Route =
  | { kind: 'discovery'; document: unknown }
  | { kind: 'collection'; resource: ResourceDef; namespace: string | undefined }
  | { kind: 'object'; resource: ResourceDef; namespace: string | undefined; name: string; subresource: 'status' | undefined }

const MAX_BODY_BYTES = 16 * 1024 * 1024

function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource')
}

function methodNotAllowed(method: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`)
}

function discovery(document: unknown): Route {
  if (document === undefined) throw pathNotFound()
  return { kind: 'discovery', document }
}

function parsePath(pathname: string): Route {
  const segments = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent)
  let group: string
  let version: string
  let rest: string[]
  if (segments[0] === 'api') {
    if (segments.length === 1) return discovery(apiVersions())
    ;[group, version, rest] = ['', segments[1]!, segments.slice(2)]
  } else if (segments[0] === 'apis') {
    if (segments.length === 1) return discovery(apiGroupList())
    if (segments.length === 2) throw pathNotFound()
    ;[group, version, rest] = [segments[1]!, segments[2]!, segments.slice(3)]
  } else {
    throw pathNotFound()
  }
  if (rest.length === 0) return discovery(apiResourceList(group === '' ? version : `${group}/${version}`))
  const namespaced = rest[0] === 'namespaces' && rest.length >= 3
  const [namespace, plural, name, subresource, ...extra] = namespaced ? rest.slice(1) : [undefined, ...rest]
  const resource = findResource(group, version, plural!)
  if (resource === undefined || extra.length > 0) throw pathNotFound()
  // A namespaced resource is listed across namespaces at /api/v1/pods, but has no objects there.
  if (resource.namespaced ? namespace === undefined && name !== undefined : namespace !== undefined) throw pathNotFound()
  if (name === undefined) return { kind: 'collection', resource, namespace }
  if (subresource !== undefined && (subresource !== 'status' || !resource.statusSubresource)) throw pathNotFound()
  return { kind: 'object', resource, namespace, name, subresource }
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'RequestEntityTooLarge', `request body larger than ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch (err) {
    throw badRequest(`the request body is not JSON: ${(err as Error).message}`)
  }
}

/** DeleteOptions from the body and the query (the typed clients send the query form). */
function deleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const fromBody = isJsonObject(body) ? body : {}
  const grace = query.get('gracePeriodSeconds') ?? fromBody.gracePeriodSeconds
  const orphan = query.get('orphanDependents') ?? fromBody.orphanDependents
  const policy = query.get('propagationPolicy') ?? fromBody.propagationPolicy ?? (String(orphan) === 'true' ? 'Orphan' : undefined)
  const preconditions = isJsonObject(fromBody.preconditions) ? fromBody.preconditions as DeleteOptions['preconditions'] : undefined
  if (grace !== undefined && grace !== null && !/^\d+$/.test(String(grace))) throw badRequest(`gracePeriodSeconds "${String(grace)}" is not a whole number of seconds`)
  return {
    ...(policy === undefined ? {} : { propagationPolicy: policy as PropagationPolicy }),
    ...(grace === undefined || grace === null ? {} : { gracePeriodSeconds: Number(grace) }),
    ...(preconditions === undefined ? {} : { preconditions }),
  }
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** Answers one request; watch requests stay open in `watches`. */
export async function handleRequest(store: ObjectStore, req: IncomingMessage, res: ServerResponse, watches: Set<ServerResponse>): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://fake-kube')
    const method = req.method ?? 'GET'
    const route = parsePath(url.pathname)
    const body = await readBody(req)
    if (url.searchParams.has('dryRun')) throw badRequest('dryRun is not supported by the fake API server')
    if (route.kind === 'discovery') {
      if (method !== 'GET') throw methodNotAllowed(method)
      return send(res, 200, route.document)
    }
    const { resource: r, namespace } = route
    if (route.kind === 'collection') {
      if (method === 'GET') {
        const selectors = [labelSelector(url.searchParams.get('labelSelector')), fieldSelector(url.searchParams.get('fieldSelector'))]
        const watch = url.searchParams.get('watch')
        if (watch === 'true' || watch === '1') {
          const timeout = url.searchParams.get('timeoutSeconds')
          return serveWatch(store, { resource: r, namespace, selectors, resourceVersion: url.searchParams.get('resourceVersion'), timeoutSeconds: timeout === null ? undefined : Number(timeout) }, res, watches)
        }
        return send(res, 200, { apiVersion: apiVersionOf(r), kind: `${r.kind}List`, metadata: { resourceVersion: store.resourceVersion }, items: store.list(r, namespace, selectors) })
      }
      if (method === 'POST' && (namespace !== undefined || !r.namespaced)) return send(res, 201, store.create(r, namespace, body))
      throw methodNotAllowed(method)
    }
    const { name, subresource } = route
    switch (method) {
      case 'GET': {
        const object = store.get(r, namespace, name)
        if (object === undefined) throw notFound(r, name)
        return send(res, 200, object)
      }
      case 'PUT':
        return send(res, 200, store.replace(r, namespace, name, body, { ...(subresource === undefined ? {} : { subresource }) }))
      case 'PATCH': {
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim()
        return send(res, 200, store.patch(r, namespace, name, body, contentType, { ...(subresource === undefined ? {} : { subresource }) }))
      }
      case 'DELETE': {
        if (subresource !== undefined) throw methodNotAllowed(method)
        const { object, removed } = store.delete(r, namespace, name, deleteOptions(body, url.searchParams))
        // 202: accepted, still there (a pod stopping, a finalizer pending).
        return send(res, removed ? 200 : 202, object)
      }
      default:
        throw methodNotAllowed(method)
    }
  } catch (err) {
    const error = err instanceof ApiError ? err : new ApiError(500, 'InternalError', `fake API server: ${(err as Error).stack ?? String(err)}`)
    if (!res.headersSent) send(res, error.code, error.toStatus())
    else res.end()
  }
}
