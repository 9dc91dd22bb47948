// Watch streams: GET ...?watch=true answers 200 and then one JSON line {type, object} per event,
// kept open until the client goes, timeoutSeconds passes or the server stops.
import type { ServerResponse } from 'node:http'
import { ApiError, badRequest } from './errors.ts'
import type { KubeObject } from './objects.ts'
import type { ResourceDef } from './resources.ts'
import type { Selector } from './selectors.ts'
import type { Change, ChangeType, ObjectStore } from './store.ts'

export interface WatchRequest {
  resource: ResourceDef
  /** undefined: every namespace. */
  namespace: string | undefined
  selectors: Selector[]
  /** Events after this one; null, '' or '0': an ADDED for every current object first. */
  resourceVersion: string | null
  timeoutSeconds: number | undefined
}

type WatchEvent = { type: ChangeType; object: KubeObject } | { type: 'ERROR'; object: ReturnType<ApiError['toStatus']> }

/**
 * What a change looks like through the watch's filter: an object that starts to match a label
 * selector is ADDED to it, one that stops matching is DELETED from it, as the API server does.
 */
function throughFilter(request: WatchRequest, change: Change): WatchEvent | undefined {
  if (change.resource !== request.resource) return undefined
  const matches = (object: KubeObject | undefined): boolean =>
    object !== undefined && (request.namespace === undefined || object.metadata.namespace === request.namespace) && request.selectors.every((s) => s(object))
  if (change.type === 'DELETED') return matches(change.object) ? { type: 'DELETED', object: change.object } : undefined
  const now = matches(change.object)
  const before = change.type === 'MODIFIED' && matches(change.previous)
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: change.object }
  return before ? { type: 'DELETED', object: change.object } : undefined
}

/** Starts the stream on res; `open` holds it until it ends (the server ends what is left at stop). */
export function serveWatch(store: ObjectStore, request: WatchRequest, res: ServerResponse, open: Set<ServerResponse>): void {
  const fromStart = request.resourceVersion === null || request.resourceVersion === '' || request.resourceVersion === '0'
  if (!fromStart && !/^\d+$/.test(request.resourceVersion!)) throw badRequest(`resourceVersion "${request.resourceVersion}" is not a number`)
  const send = (event: WatchEvent): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify(event)}\n`)
  }
  res.writeHead(200, { 'Content-Type': 'application/json' })
  // The client's watch() resolves on the headers: send them before the first event.
  res.flushHeaders()
  open.add(res)

  const missed = fromStart ? [] : store.changesAfter(Number(request.resourceVersion))
  if (missed === undefined) {
    send({ type: 'ERROR', object: new ApiError(410, 'Expired', `too old resource version: ${request.resourceVersion} (${store.resourceVersion})`).toStatus() })
    open.delete(res)
    res.end()
    return
  }
  // Everything here is synchronous: no change can slip between the replay and the subscription.
  if (fromStart) for (const object of store.list(request.resource, request.namespace, request.selectors)) send({ type: 'ADDED', object })
  for (const change of missed) {
    const event = throughFilter(request, change)
    if (event !== undefined) send(event)
  }
  const unsubscribe = store.subscribe((change) => {
    const event = throughFilter(request, change)
    if (event !== undefined) send(event)
  })
  const timer = request.timeoutSeconds === undefined ? undefined : setTimeout(() => res.end(), request.timeoutSeconds * 1000)
  res.once('close', () => {
    unsubscribe()
    clearTimeout(timer)
    open.delete(res)
  })
}
