// The `peers-clear-std` info value (wire reference §2.3):
// <generation>,<default port>,[[<node>,<tls name>,[<host>[:<port>],...]],...]

export interface PeerNode {
  name: string
  /** Addresses the peer listens on, in the order given; the port defaults to the list's default. */
  addresses: { host: string; port: number }[]
}

export interface Peers {
  generation: number
  peers: PeerNode[]
}

export class PeersFormatError extends Error {
  readonly code = 'ERR_PEERS_FORMAT'
  constructor(message: string) {
    super(message)
    this.name = 'PeersFormatError'
  }
}

const DEFAULT_PORT = 3000

export function parsePeers(value: string): Peers {
  const first = value.indexOf(',')
  const second = value.indexOf(',', first + 1)
  const generationText = value.slice(0, first)
  const portText = value.slice(first + 1, second)
  if (first < 0 || second < 0 || !/^\d+$/.test(generationText) || !/^\d*$/.test(portText)) throw new PeersFormatError(`peers value "${value.slice(0, 60)}" does not start with "<generation>,<port>,"`)
  const defaultPort = portText === '' ? DEFAULT_PORT : Number(portText)
  const list = value.slice(second + 1)
  if (!list.startsWith('[') || !list.endsWith(']')) throw new PeersFormatError(`peers list "${list.slice(0, 60)}" is not in brackets`)
  const peers: PeerNode[] = []
  // Each peer is "[name,tls,[addr,addr]]"; addresses never contain brackets except IPv6 "[::1]:3000".
  const peerPattern = /\[([^,[\]]+),([^,[\]]*),\[((?:[^[\]]|\[[^\]]*\])*)\]\]/g
  const inner = list.slice(1, -1)
  let consumed = 0
  for (const match of inner.matchAll(peerPattern)) {
    if (inner.slice(consumed, match.index).replace(/,/g, '') !== '') throw new PeersFormatError(`peers list has unexpected text "${inner.slice(consumed, match.index)}"`)
    consumed = match.index + match[0].length
    const addresses = match[3] === '' ? [] : splitAddresses(match[3]!).map((a) => parseAddress(a, defaultPort))
    peers.push({ name: match[1]!, addresses })
  }
  if (inner.slice(consumed).replace(/,/g, '') !== '') throw new PeersFormatError(`peers list has unexpected text "${inner.slice(consumed, consumed + 60)}"`)
  return { generation: Number(generationText), peers }
}

function splitAddresses(text: string): string[] {
  const out: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '[') depth++
    else if (text[i] === ']') depth--
    else if (text[i] === ',' && depth === 0) {
      out.push(text.slice(start, i))
      start = i + 1
    }
  }
  out.push(text.slice(start))
  return out
}

function parseAddress(text: string, defaultPort: number): { host: string; port: number } {
  const ipv6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (ipv6 !== null) return { host: ipv6[1]!, port: ipv6[2] === undefined ? defaultPort : Number(ipv6[2]) }
  const colon = text.lastIndexOf(':')
  if (colon < 0) return { host: text, port: defaultPort }
  const port = text.slice(colon + 1)
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new PeersFormatError(`peer address "${text}" has a bad port`)
  return { host: text.slice(0, colon), port: Number(port) }
}
