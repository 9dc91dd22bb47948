// Network namespaces for real-process runs that cut nodes off from each other: each node runs in a
// namespace of its own, joined by a veth pair to a bridge in this (the root) namespace. The bridge
// holds the address clients and the etcd proxies use, so they reach every node whatever is cut; a
// cut drops, in the bridge's forward hook (frames between two nodes' ports), every frame to or from
// the node: its peers and it hear nothing, as with a pulled cable between racks. Needs root, `ip`
// (iproute2) and `nft` (nftables). Everything made is removed by close(), or at exit.
import { spawnSync } from 'node:child_process'

/** An `ip` or `nft` call that takes longer is stuck. */
const COMMAND_TIMEOUT_MS = 10_000

export interface IsolatedNode {
  /** The node's address inside its namespace, reachable from the root one through the bridge. */
  host: string
  /** The command prefix that runs a process in the namespace. */
  wrap: string[]
}

/** Whether this process may make namespaces, veths, bridges and nftables rules (root, with the tools). */
export function netNamespacesUsable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root'
  for (const tool of ['ip', 'nft']) {
    const found = spawnSync(tool, ['-V'], { stdio: 'ignore' })
    if (found.error !== undefined) return `network namespaces need \`${tool}\` (apt-get install ${tool === 'ip' ? 'iproute2' : 'nftables'})`
  }
  return undefined
}

function run(args: string[]): void {
  const result = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS })
  if (result.error !== undefined || result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.error?.message ?? result.stderr.trim()}`)
}

/** Runs a command, ignoring failure (cleanup of what may already be gone). */
function tryRun(args: string[]): void {
  spawnSync(args[0]!, args.slice(1), { stdio: 'ignore', timeout: COMMAND_TIMEOUT_MS })
}

export class NetNamespaces {
  /** The bridge's address: where nodes reach the root namespace (the etcd proxies listen on it). */
  readonly bridgeHost: string
  readonly nodes: IsolatedNode[]
  private readonly tag: string
  private readonly subnet: string
  private readonly namespaces: string[]
  private readonly bridge: string
  private readonly table: string
  private readonly cuts = new Set<number>()
  private readonly cleanupAtExit = (): void => this.close()

  /** Makes `count` namespaces, each with one node address, and the bridge between them. */
  constructor(count: number) {
    // Short names (interface names hold 15 characters) and a subnet of their own per process.
    const id = process.pid % 250
    this.tag = `as${id}`
    this.subnet = `10.213.${id}`
    this.bridgeHost = `${this.subnet}.254`
    this.bridge = `${this.tag}br`
    this.table = `${this.tag}cut`
    this.namespaces = Array.from({ length: count }, (_, i) => `${this.tag}ns${i}`)
    this.nodes = this.namespaces.map((ns, i) => ({ host: `${this.subnet}.${i + 1}`, wrap: ['ip', 'netns', 'exec', ns] }))
    process.once('exit', this.cleanupAtExit)
    try {
      this.close()
      run(['ip', 'link', 'add', this.bridge, 'type', 'bridge'])
      run(['ip', 'addr', 'add', `${this.bridgeHost}/24`, 'dev', this.bridge])
      run(['ip', 'link', 'set', this.bridge, 'up'])
      this.namespaces.forEach((ns, i) => {
        const outside = `${this.tag}h${i}`
        const inside = `${this.tag}n${i}`
        run(['ip', 'netns', 'add', ns])
        run(['ip', 'link', 'add', outside, 'type', 'veth', 'peer', 'name', inside])
        run(['ip', 'link', 'set', inside, 'netns', ns])
        run(['ip', '-n', ns, 'addr', 'add', `${this.nodes[i]!.host}/24`, 'dev', inside])
        run(['ip', '-n', ns, 'link', 'set', inside, 'up'])
        run(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
        run(['ip', 'link', 'set', outside, 'master', this.bridge, 'up'])
      })
      run(['nft', 'add', 'table', 'bridge', this.table])
      run(['nft', 'add', 'chain', 'bridge', this.table, 'forward', '{ type filter hook forward priority 0 ; }'])
    } catch (err) {
      this.close()
      throw err
    }
  }

  /** Drops every frame between node `index` and the other nodes (both ways); clients and etcd still reach it. */
  cut(index: number): void {
    this.cuts.add(index)
    this.applyCuts()
  }

  heal(index: number): void {
    this.cuts.delete(index)
    this.applyCuts()
  }

  private applyCuts(): void {
    run(['nft', 'flush', 'chain', 'bridge', this.table, 'forward'])
    for (const index of this.cuts) {
      const host = this.nodes[index]!.host
      run(['nft', 'add', 'rule', 'bridge', this.table, 'forward', 'ip', 'saddr', host, 'drop'])
      run(['nft', 'add', 'rule', 'bridge', this.table, 'forward', 'ip', 'daddr', host, 'drop'])
    }
  }

  /** Removes the rules, the veths, the namespaces and the bridge. */
  close(): void {
    tryRun(['nft', 'delete', 'table', 'bridge', this.table])
    // A veth deleted with its namespace goes later, in the background: a new set made at once by
    // this process (same names) would find it still there.
    this.namespaces.forEach((_, i) => tryRun(['ip', 'link', 'del', `${this.tag}h${i}`]))
    for (const ns of this.namespaces) tryRun(['ip', 'netns', 'del', ns])
    tryRun(['ip', 'link', 'del', this.bridge])
    this.cuts.clear()
  }

  /** close(), and no cleanup left for exit. */
  dispose(): void {
    this.close()
    process.removeListener('exit', this.cleanupAtExit)
  }
}
