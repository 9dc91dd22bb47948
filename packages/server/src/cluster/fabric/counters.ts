// What the fabric did, counted for statistics: plain numbers, only ever incremented.

export interface FabricCounters {
  /** Messages (and their bytes on the wire) accepted for sending. */
  messagesOut: number
  bytesOut: number
  /** Frames (and their bytes on the wire) received. */
  messagesIn: number
  bytesIn: number
  /** Received from an older view than this node's. */
  droppedStale: number
  /** Received from this node's view revision under another cluster key. */
  droppedWrongKey: number
  /** Received in this node's view from a node that is not in it. */
  droppedNotMember: number
  /** Received from a newer view and held until this node reaches it. */
  held: number
  /** Received from a newer view with the peer's hold full (or too many peers held). */
  droppedHeldOverBound: number
  /** Received with no handler for their message type. */
  droppedNoHandler: number
  /** Accepted for sending, then dropped before being written: the channel broke or the view changed. */
  droppedUnsent: number
  /** Sends and requests refused: the peer's queue was full or too many requests were pending. */
  refusedBackPressure: number
  /** Sends and requests refused: the peer was not in the view or its channel was broken. */
  refusedUnreachable: number
  /** Requests failed: no reply in time. */
  requestTimeouts: number
  /** Requests failed: channel broken, peer left, view changed or fabric closed. */
  requestsFailed: number
  /** Replies for no pending request (it timed out or failed before). */
  repliesUnmatched: number
  /** Replies not sent because the view changed since the request arrived. */
  repliesDroppedViewChanged: number
  /** Replies not sent because the requester's channel refused them. */
  repliesNotSent: number
  /** Connections closed for a malformed or oversized frame. */
  badFrames: number
  /** Handlers that threw (or rejected). */
  handlerFaults: number
  /** Outbound channels opened, first or again. */
  channelsOpened: number
  /** Outbound channels that broke or could not connect. */
  channelBreaks: number
  /** Redials after a break. */
  reconnectAttempts: number
  /** Redials that connected. */
  reconnects: number
}

export function newFabricCounters(): FabricCounters {
  return {
    messagesOut: 0, bytesOut: 0, messagesIn: 0, bytesIn: 0,
    droppedStale: 0, droppedWrongKey: 0, droppedNotMember: 0, held: 0, droppedHeldOverBound: 0, droppedNoHandler: 0, droppedUnsent: 0,
    refusedBackPressure: 0, refusedUnreachable: 0,
    requestTimeouts: 0, requestsFailed: 0, repliesUnmatched: 0, repliesDroppedViewChanged: 0, repliesNotSent: 0,
    badFrames: 0, handlerFaults: 0,
    channelsOpened: 0, channelBreaks: 0, reconnectAttempts: 0, reconnects: 0,
  }
}
