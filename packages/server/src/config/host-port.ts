// HOST:PORT as etcd endpoints are written (`etcd-endpoint`, `aerolite start --etcd`): an IPv4
// address or a host name, or an IPv6 address in brackets, then a port.
import type { HostPort } from './schema.ts'
import { isIpAddress } from './ip-address.ts'

const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens, 253 characters at most. */
export function isHostName(text: string): boolean {
  return text.length <= 253 && HOST_NAME.test(text)
}

/** The host and port of `text`, or undefined when it is not HOST:PORT with a port in 1..65535. */
export function parseHostPort(text: string): HostPort | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text)
  if (match === null) return undefined
  const port = Number(match[3])
  if (port < 1 || port > 65535) return undefined
  const v6 = match[1]
  if (v6 !== undefined) return isIpAddress(v6) && v6.includes(':') ? { host: v6, port } : undefined
  const host = match[2]!
  return isIpAddress(host) || isHostName(host) ? { host, port } : undefined
}
