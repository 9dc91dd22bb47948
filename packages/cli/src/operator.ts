// `aerolite operator`: the controller of AeroliteCluster resources (packages/operator), against the
// Kubernetes API: in a pod through its service account, elsewhere through the kubeconfig.
import { existsSync, readFileSync } from 'node:fs'
import { UsageError, parseArgs, parseWholeNumber } from './args.ts'

export const OPERATOR_USAGE = `usage: aerolite operator [--namespace NS] [--resync-ms N]

  --namespace NS   the namespace whose AeroliteClusters it manages (default: the pod's own, or the
                   kubeconfig context's, or "default")
  --resync-ms N    longest wait between two looks at a cluster (default 2000)

Runs until SIGTERM or SIGINT; logs one JSON object per line on stderr. Install the CRD
(packages/operator/crd/aerolitecluster.yaml) and its RBAC and Deployment
(packages/operator/deploy/operator.yaml) first; see docs/operator.md.
`

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace'

export async function operator(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['namespace', 'resync-ms'], switches: ['help'] })
  if (args.switches.has('help')) {
    process.stdout.write(OPERATOR_USAGE)
    return 0
  }
  if (args.positional.length > 0) throw new UsageError(`operator takes no arguments, got "${args.positional[0]}"`)
  const resyncMs = parseWholeNumber(args.flags.get('resync-ms') ?? '2000', 'resync-ms', 100, 3_600_000)
  // Loaded only here: the Kubernetes client is no part of a data node.
  const { KubeConfig } = await import('@kubernetes/client-node')
  const { Controller } = await import('@aerolite/operator')
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromDefault()
  const namespace = args.flags.get('namespace')
    ?? (existsSync(SERVICE_ACCOUNT_NAMESPACE) ? readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() : undefined)
    ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace
    ?? 'default'
  const log = (message: string, fields: Record<string, unknown> = {}): void => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message, ...fields })}\n`)
  }
  const controller = await Controller.create({ kubeConfig, namespace, resyncMs, log })
  controller.start()
  log('operator started', { namespace, server: kubeConfig.getCurrentCluster()?.server })
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'))
    process.once('SIGINT', () => resolve('SIGINT'))
  })
  log('stopping', { signal })
  await controller.stop()
  return 0
}
