// The global entry point of several regions: an HAProxy configuration (TCP mode) that sends each
// new client connection to the first region, in order of preference, that has a healthy node.
// Health is asked in the Aerospike protocol itself (the info command `status`, answered `ok`), so
// a region counts as up only while a node there serves, and the same file fronts Aerospike too.

export interface SiteEndpoint {
  host: string
  port: number
}

export interface Site {
  name: string
  nodes: SiteEndpoint[]
}

export interface GlobalLbSettings {
  /** In order of preference: the first with a healthy node takes every new connection. */
  sites: Site[]
  listen: SiteEndpoint
  /** Time between two health checks of one node. */
  checkIntervalMs: number
  /** Failed checks in a row that mark a node down. */
  fall: number
  /** Passed checks in a row that mark it up again. */
  rise: number
  maxConnections: number
}

/** An info request for `status`: header (version 2, type 1 = info, 48-bit length), then "status\n". */
const STATUS_REQUEST_HEX = Buffer.concat([Buffer.from([2, 1, 0, 0, 0, 0, 0, 7]), Buffer.from('status\n')]).toString('hex')
/** What a serving node answers: "status<TAB>ok". */
const STATUS_OK_HEX = Buffer.from('status\tok').toString('hex')

/**
 * The longest a dead region keeps taking new connections: `fall` checks in a row, each waiting out
 * its timeout (HAProxy connects a check within min(timeout connect, inter), then reads within
 * timeout check) before the next one starts `inter` later.
 */
export function failoverMs(settings: GlobalLbSettings): number {
  return settings.fall * (settings.checkIntervalMs + checkTimeoutMs(settings))
}

/** A check's connect and read timeout: no longer than the interval, nor than the 1 s connect timeout. */
function checkTimeoutMs(settings: GlobalLbSettings): number {
  return Math.min(settings.checkIntervalMs, 1000)
}

const address = (e: SiteEndpoint): string => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`)
const backendName = (site: Site): string => `region_${site.name}`

export function renderHaproxyConfig(settings: GlobalLbSettings, command: string): string {
  const { sites } = settings
  const last = sites[sites.length - 1]!
  const lines = [
    `# Rendered by: ${command}`,
    '# One entry point for the regions below, in order of preference: each new connection goes to the',
    '# first region with a node that answers the Aerospike info command "status". A region whose nodes',
    `# all fail ${settings.fall} checks in a row (every ${settings.checkIntervalMs} ms) is passed over within ${failoverMs(settings)} ms, and`,
    '# the sessions still open to it are closed, so clients connect again (to the next region).',
    'global',
    `    maxconn ${settings.maxConnections}`,
    '',
    'defaults',
    '    mode tcp',
    '    timeout connect 1s',
    // Smart clients keep pooled connections idle between commands; they close them themselves.
    '    timeout client 1h',
    '    timeout server 1h',
    `    timeout check ${checkTimeoutMs(settings)}ms`,
    '    retries 2',
    '    option redispatch',
    '',
    'frontend aerolite',
    `    bind ${address(settings.listen)}`,
    ...sites.slice(0, -1).map((site) => `    use_backend ${backendName(site)} if { nbsrv(${backendName(site)}) gt 0 }`),
    `    default_backend ${backendName(last)}`,
  ]
  for (const site of sites) {
    lines.push(
      '',
      `backend ${backendName(site)}`,
      '    balance roundrobin',
      '    option tcp-check',
      '    tcp-check connect',
      `    tcp-check send-binary ${STATUS_REQUEST_HEX}`,
      `    tcp-check expect binary ${STATUS_OK_HEX}`,
      `    default-server inter ${settings.checkIntervalMs}ms fall ${settings.fall} rise ${settings.rise} on-marked-down shutdown-sessions`,
      ...site.nodes.map((node, i) => `    server ${site.name}_${i + 1} ${address(node)} check`),
    )
  }
  return `${lines.join('\n')}\n`
}
