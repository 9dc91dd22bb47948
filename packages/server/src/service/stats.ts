// Node-wide counters of the client service.

export interface ServiceStats {
  clientConnections: number
  clientConnectionsOpened: number
  clientConnectionsClosed: number
  connectionsRefused: number
  connectionsReaped: number
  infoRequests: number
  messageRequests: number
  badFrames: number
}

export function newServiceStats(): ServiceStats {
  return {
    clientConnections: 0,
    clientConnectionsOpened: 0,
    clientConnectionsClosed: 0,
    connectionsRefused: 0,
    connectionsReaped: 0,
    infoRequests: 0,
    messageRequests: 0,
    badFrames: 0,
  }
}
