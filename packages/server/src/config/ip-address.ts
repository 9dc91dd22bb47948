// Whether a config value is an IP address (IPv4 dotted quad, or IPv6 with an optional zone), as
// Node's net.isIP judges it, without importing the network module into config parsing.

const IPV4_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])'
const IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`)
const IPV6_ZONE = /%[0-9A-Za-z.:-]+$/

export function isIpAddress(text: string): boolean {
  if (IPV4.test(text)) return true
  if (!text.includes(':')) return false
  const address = text.replace(IPV6_ZONE, '')
  // The URL parser accepts exactly the valid IPv6 literals between brackets.
  return /^[0-9A-Fa-f:.]+$/.test(address) && URL.canParse(`http://[${address}]/`)
}
