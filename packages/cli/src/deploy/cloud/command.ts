// `aerolite deploy cloud`: writes, for one cloud, the files of the four steps (create the
// Kubernetes cluster, install Aerolite, deploy the application, set up monitoring and alerting)
// and prints the steps in order.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { isHostName } from '@aerolite/server'
import { UsageError, parseArgs, parseWholeNumber, type ParsedArgs } from '../../args.ts'
import { aws } from './aws.ts'
import { azure } from './azure.ts'
import { gcp } from './gcp.ts'
import { DISK_TIERS, PROVIDER_NAMES, shellQuote, type CloudProvider, type CloudSettings, type DiskTier, type ProviderName } from './provider.ts'
import { KUBERNETES_NAMESPACE, renderCloud, storageClassName } from './render.ts'
import { repositoryDir } from './repository.ts'

export const CLOUD_USAGE = `usage: aerolite deploy cloud --provider aws|azure|gcp --name N --region R --nodes K [options]

  cloud  the files that deploy an Aerolite cluster and an application on a managed Kubernetes
         service, in four steps it prints: create the Kubernetes cluster, install Aerolite, deploy
         the application, set up monitoring and alerting; see docs/deploy.md

  --provider P          aws (EKS), azure (AKS) or gcp (GKE)
  --name N              the Kubernetes cluster's name and the Aerolite cluster name (a-z, 0-9, -; 2 to 40)
  --region R            as the cloud names it: us-east-1, eastus, us-central1
  --nodes K             Aerolite data nodes (1 to 100), spread over up to 3 zones, one rack per zone
  --zones Z1,Z2,...     the zones to use, as topology.kubernetes.io/zone names them (default: the region's first three)
  --disk T              balanced (gp3, Premium SSD, pd-balanced) or fast (io2, Premium SSD v2, pd-ssd); default balanced
  --volume-size GI      each node's data volume in GiB (default 100)
  --domain D            clients outside Kubernetes reach each node as <pod>.D through a load balancer of its own
  --internal-lb         those load balancers are reachable from the cloud network only
  --alert-webhook URL   where Alertmanager posts firing alerts (default: none, alerts show in Alertmanager)
  --out DIR             where to write the files (default ./aerolite-<provider>-<name>)
`

const PROVIDERS: Record<ProviderName, CloudProvider> = { aws, azure, gcp }

export async function cloud(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['provider', 'name', 'region', 'nodes', 'zones', 'disk', 'volume-size', 'domain', 'alert-webhook', 'out'], switches: ['internal-lb', 'help'] })
  if (args.switches.has('help')) {
    process.stdout.write(CLOUD_USAGE)
    return 0
  }
  if (args.positional.length > 0) throw new UsageError(`deploy cloud takes no arguments, got "${args.positional[0]}"`)
  const settings = cloudSettings(args)
  const provider = PROVIDERS[settings.provider]
  const outDir = resolve(args.flags.get('out') ?? `aerolite-${settings.provider}-${settings.name}`)
  for (const file of await renderCloud(provider, settings, repositoryDir())) {
    const path = join(outDir, file.path)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, file.content)
    if (path.endsWith('.sh')) chmodSync(path, 0o755)
  }
  process.stdout.write(summary(provider, settings, outDir))
  return 0
}

export function cloudSettings(args: ParsedArgs): CloudSettings {
  const providerName = required(args, 'provider')
  if (!(PROVIDER_NAMES as readonly string[]).includes(providerName)) throw new UsageError(`--provider "${providerName}" is not one of ${PROVIDER_NAMES.join(', ')}`)
  const provider = PROVIDERS[providerName as ProviderName]
  const name = required(args, 'name')
  if (!/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/.test(name)) throw new UsageError(`--name "${name}" is not a cluster name: 2 to 40 lower-case letters, digits and '-', starting with a letter`)
  const region = required(args, 'region')
  if (!provider.regionPattern.test(region)) throw new UsageError(`--region "${region}" is not a ${provider.name} region name (e.g. ${provider.regionExample})`)
  const nodes = parseWholeNumber(required(args, 'nodes'), 'nodes', 1, 100)
  const zones = zonesOf(provider, region, args.flags.get('zones'))
  const disk = args.flags.get('disk') ?? 'balanced'
  if (!(DISK_TIERS as readonly string[]).includes(disk)) throw new UsageError(`--disk "${disk}" is not one of ${DISK_TIERS.join(', ')}`)
  const domain = args.flags.get('domain')
  if (domain !== undefined && !isHostName(domain)) throw new UsageError(`--domain "${domain}" is not a DNS name`)
  if (args.switches.has('internal-lb') && domain === undefined) throw new UsageError('--internal-lb needs --domain: without it no load balancer is made')
  const alertWebhookUrl = args.flags.get('alert-webhook')
  if (alertWebhookUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(alertWebhookUrl)) throw new UsageError(`--alert-webhook "${alertWebhookUrl}" is not an http(s) URL`)
  return {
    provider: provider.name,
    name,
    region,
    zones,
    nodes,
    disk: disk as DiskTier,
    volumeSizeGi: parseWholeNumber(args.flags.get('volume-size') ?? '100', 'volume-size', 10, 65_536),
    domain,
    internalLoadBalancers: args.switches.has('internal-lb'),
    alertWebhookUrl,
  }
}

function zonesOf(provider: CloudProvider, region: string, given: string | undefined): string[] {
  if (given === undefined) {
    const known = provider.knownZones[region]
    if (known === undefined) throw new UsageError(`the zones of ${provider.name} region ${region} are not known here: name them with --zones (as topology.kubernetes.io/zone does, e.g. ${Object.values(provider.knownZones)[0]!.join(',')})`)
    return known.slice(0, 3)
  }
  const zones = given.split(',').map((zone) => zone.trim())
  for (const zone of zones) {
    if (!zone.startsWith(region) || zone.length === region.length) throw new UsageError(`--zones: "${zone}" is not a zone of ${region} (e.g. ${Object.values(provider.knownZones)[0]![0]})`)
  }
  if (new Set(zones).size !== zones.length) throw new UsageError(`--zones names a zone twice: ${given}`)
  return zones
}

function required(args: ParsedArgs, flag: string): string {
  const value = args.flags.get(flag)
  if (value === undefined) throw new UsageError(`deploy cloud needs --${flag} (aerolite deploy cloud --help)`)
  return value
}

function summary(provider: CloudProvider, settings: CloudSettings, outDir: string): string {
  const racks = Math.min(settings.zones.length, settings.nodes)
  const steps = [
    `1. Create the ${provider.kubernetesService} cluster:  ${provider.createClusterCommand(outDir)}`,
    `2. Configure it and install Aerolite:  bash ${shellQuote(`${outDir}/2-aerolite/install.sh`)}`,
    `3. Deploy the application:  bash ${shellQuote(`${outDir}/3-application/deploy.sh`)}`,
    `4. Set up monitoring and alerting:  bash ${shellQuote(`${outDir}/4-monitoring/install.sh`)}`,
  ]
  const reach = settings.domain === undefined
    ? `inside Kubernetes, clients seed with aerolite.${KUBERNETES_NAMESPACE}.svc:3000 (no access from outside: see --domain)`
    : `inside Kubernetes, clients seed with aerolite.${KUBERNETES_NAMESPACE}.svc:3000; outside, with <pod>.${settings.domain}:3000 and useAlternateAccessAddress`
  return [
    `wrote ${outDir} for ${provider.name}: cluster ${settings.name} in ${settings.region}, ${settings.nodes} Aerolite node${settings.nodes === 1 ? '' : 's'} on ${racks} rack${racks === 1 ? '' : 's'} (zones ${settings.zones.slice(0, racks).join(', ')}),`,
    `${provider.diskName(settings.disk)} volumes of ${settings.volumeSizeGi} GiB (storage class ${storageClassName(settings)}); ${reach}`,
    '',
    ...steps,
    '',
  ].join('\n')
}
