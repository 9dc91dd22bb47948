// Why a fabric send or request failed. Callers turn a retryable failure into a retryable answer
// (the client retries, or the caller retries in the new view); the others are bugs or shutdown.

export type FabricErrorCode =
  /** The peer is not in the view, or its channel is broken (pending requests fail with this too). */
  | 'ERR_FABRIC_UNREACHABLE'
  /** The view changed while the request waited: a request made in one view is not answered in another. */
  | 'ERR_FABRIC_VIEW_CHANGED'
  /** Too many bytes queued to the peer, or too many requests pending. */
  | 'ERR_FABRIC_BACKPRESSURE'
  /** No reply within the request's timeout. */
  | 'ERR_FABRIC_TIMEOUT'
  /** The payload is over the fabric's message limit. */
  | 'ERR_FABRIC_TOO_LARGE'
  /** The fabric was closed (the node is stopping). */
  | 'ERR_FABRIC_CLOSED'

const RETRYABLE: ReadonlySet<FabricErrorCode> = new Set<FabricErrorCode>(['ERR_FABRIC_UNREACHABLE', 'ERR_FABRIC_VIEW_CHANGED', 'ERR_FABRIC_BACKPRESSURE', 'ERR_FABRIC_TIMEOUT'])

export class FabricError extends Error {
  readonly code: FabricErrorCode
  /** The peer the message was for. */
  readonly nodeId: string

  constructor(code: FabricErrorCode, nodeId: string, message: string) {
    super(message)
    this.name = 'FabricError'
    this.code = code
    this.nodeId = nodeId
  }

  /** Whether trying again (later, or in the next view) may succeed. */
  get retryable(): boolean {
    return RETRYABLE.has(this.code)
  }
}
