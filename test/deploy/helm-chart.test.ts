// The Helm chart deploy/helm/aerolite, without a Kubernetes cluster: helm lint (plain and
// --strict) and helm template with the default values and each example, every rendered object
// validated against the Kubernetes schemas, then what the objects must mean. Each data node pod
// is started on paper: its environment (the image's ENV, then the container's, with the downward
// API filled in and the NodePort wrapper run by a real sh) goes through the CLI's own option
// parsing and the server's buildConfig with the rendered aerolite.conf, so the test sees the
// config a real node would run with in that pod.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet'
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap'
import type { IContainer } from 'kubernetes-models/v1/Container'
import type { IService } from 'kubernetes-models/v1/Service'
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor'
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule'
import { parseConfig, type ServerConfig } from '../../packages/server/src/config/index.ts'
import { buildConfig } from '../../packages/server/src/options.ts'
import { manualEnv } from '../../packages/server/src/env/manual-env.ts'
import { realDisk } from '../../packages/server/src/env/real-disk.ts'
import { START_FLAGS, startOptions } from '../../packages/cli/src/main.ts'
import { parseArgs, withEnvironment } from '../../packages/cli/src/args.ts'
import { CHART_DIR, RELEASE_NAMESPACE, helm, parseManifests, renderChart, validateManifests } from './validate-manifests.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const RULES_FILE = join(ROOT, 'deploy/monitoring/aerolite-rules.yml')
const DASHBOARD_DIR = join(ROOT, 'deploy/monitoring/dashboards')
const CLUSTER_DOMAIN = 'cluster.local'

/** What the Dockerfile gives every container of the image: ENV, ENTRYPOINT, CMD and USER. */
const IMAGE = (() => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ')
  const lastLine = (instruction: string): string => {
    const lines = dockerfile.split('\n').filter((line) => line.startsWith(`${instruction} `))
    assert.ok(lines.length > 0, `the Dockerfile has no ${instruction}`)
    return lines.at(-1)!.slice(instruction.length + 1).trim()
  }
  const env: Record<string, string> = {}
  for (const line of dockerfile.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const [, name, value] of line.matchAll(/(\w+)=(\S+)/g)) env[name!] = value!
  }
  const [uid = '', gid = ''] = lastLine('USER').split(':')
  return {
    env,
    entrypoint: JSON.parse(lastLine('ENTRYPOINT')) as string[],
    cmd: JSON.parse(lastLine('CMD')) as string[],
    uid: Number(uid),
    gid: Number(gid),
  }
})()

interface Layout {
  name: string
  /** Values files, relative to the chart. */
  files: string[]
  racks: Array<{ id: number; zone?: string; replicas: number }>
  /** 'chart': the chart's own etcd; otherwise the endpoints of an etcd of one's own. */
  etcd: 'chart' | string[]
  pvc: { size: string; storageClassName?: string }
  podAntiAffinity: 'preferred' | 'required'
  external?: { type: 'LoadBalancer'; domain: string } | { type: 'NodePort'; nodePortBase: number }
  monitoring: boolean
}

const LAYOUTS: Layout[] = [
  { name: 'default values', files: [], racks: [{ id: 0, replicas: 3 }], etcd: 'chart', pvc: { size: '10Gi' }, podAntiAffinity: 'preferred', monitoring: false },
  {
    name: 'multi-rack',
    files: ['examples/multi-rack.yaml'],
    racks: [
      { id: 1, zone: 'us-east-1a', replicas: 2 },
      { id: 2, zone: 'us-east-1b', replicas: 2 },
      { id: 3, zone: 'us-east-1c', replicas: 2 },
    ],
    etcd: 'chart',
    pvc: { size: '100Gi', storageClassName: 'gp3' },
    podAntiAffinity: 'required',
    monitoring: false,
  },
  {
    name: 'external-loadbalancer',
    files: ['examples/external-loadbalancer.yaml'],
    racks: [{ id: 0, replicas: 3 }],
    etcd: 'chart',
    pvc: { size: '10Gi' },
    podAntiAffinity: 'preferred',
    external: { type: 'LoadBalancer', domain: 'db.example.com' },
    monitoring: false,
  },
  {
    name: 'external-nodeport',
    files: ['examples/external-nodeport.yaml'],
    racks: [
      { id: 1, zone: 'europe-west1-b', replicas: 2 },
      { id: 2, zone: 'europe-west1-c', replicas: 1 },
    ],
    etcd: 'chart',
    pvc: { size: '10Gi' },
    podAntiAffinity: 'required',
    external: { type: 'NodePort', nodePortBase: 31000 },
    monitoring: false,
  },
  {
    name: 'existing-etcd',
    files: ['examples/existing-etcd.yaml'],
    racks: [{ id: 0, replicas: 4 }],
    etcd: ['etcd-0.etcd.infra.svc.cluster.local:2379', 'etcd-1.etcd.infra.svc.cluster.local:2379', 'etcd-2.etcd.infra.svc.cluster.local:2379'],
    pvc: { size: '10Gi' },
    podAntiAffinity: 'preferred',
    monitoring: false,
  },
  { name: 'monitoring', files: ['examples/monitoring.yaml'], racks: [{ id: 0, replicas: 3 }], etcd: 'chart', pvc: { size: '10Gi' }, podAntiAffinity: 'preferred', monitoring: true },
]

type KubeObject = Record<string, unknown> & { kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> } }

interface Rendered {
  objects: KubeObject[]
  nodeSets: IStatefulSet[]
  services: IService[]
  configMaps: IConfigMap[]
  pods: NodePod[]
}

const renders = new Map<Layout, Rendered>()

/** The layout rendered, validated and its node pods started on paper (once per layout). */
function rendered(layout: Layout): Rendered {
  let result = renders.get(layout)
  if (result === undefined) {
    const text = renderChart(layout.files.map((file) => join(CHART_DIR, file)))
    validateManifests(text)
    const objects = parseManifests(text) as KubeObject[]
    const ofKind = <T>(kind: string): T[] => objects.filter((o) => o.kind === kind) as unknown as T[]
    const nodeSets = ofKind<IStatefulSet>('StatefulSet').filter((s) => s.metadata?.labels?.['app.kubernetes.io/component'] === 'node')
    const configMaps = ofKind<IConfigMap>('ConfigMap')
    result = { objects, nodeSets, services: ofKind<IService>('Service'), configMaps, pods: nodeSets.flatMap((set, rackIndex) => startPods(set, rackIndex, configMaps)) }
    renders.set(layout, result)
  }
  return result
}

function nodeContainer(set: IStatefulSet): IContainer {
  const container = set.spec?.template.spec?.containers.find((c) => c.name === 'aerolite')
  assert.ok(container, `${set.metadata?.name} has no container "aerolite"`)
  return container
}

/** A data node pod as the node inside it would run: its addresses and its resulting config. */
interface NodePod {
  name: string
  set: IStatefulSet
  podIP: string
  hostIP: string
  config: ServerConfig
}

/** Kubernetes' $(NAME) expansion of env values, command and args: $$ is a $, undefined names stay as written. */
function expand(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) => (name === undefined ? '$' : (vars[name] ?? match)))
}

function startPods(set: IStatefulSet, rackIndex: number, configMaps: IConfigMap[]): NodePod[] {
  const setName = set.metadata!.name!
  const podSpec = set.spec!.template.spec!
  const container = nodeContainer(set)
  return Array.from({ length: set.spec!.replicas ?? 1 }, (_, ordinal) => {
    const name = `${setName}-${ordinal}`
    const podIP = `10.1.${rackIndex}.${ordinal + 10}`
    const hostIP = `192.0.2.${rackIndex * 10 + ordinal + 1}`
    const fields: Record<string, string> = { 'metadata.name': name, 'metadata.namespace': RELEASE_NAMESPACE, 'status.podIP': podIP, 'status.hostIP': hostIP }
    let env: Record<string, string> = { ...IMAGE.env }
    for (const variable of container.env ?? []) {
      if (variable.value !== undefined) env[variable.name] = expand(variable.value, env)
      else {
        const path = variable.valueFrom?.fieldRef?.fieldPath
        assert.ok(path !== undefined && fields[path] !== undefined, `${name}: env ${variable.name} comes from something this test does not fill in`)
        env[variable.name] = fields[path]
      }
    }
    let argv = (container.args ?? IMAGE.cmd).map((arg) => expand(arg, env))
    if (container.command !== undefined) {
      // The NodePort wrapper: run it for real, with the node replaced by a process that prints
      // the environment it was given, and check that it execs the image's entrypoint.
      assert.deepEqual(argv.slice(0, IMAGE.entrypoint.length), IMAGE.entrypoint, `${name}: the wrapper execs the image's ENTRYPOINT`)
      const [shell = '', ...shellArgs] = container.command.map((arg) => expand(arg, env))
      const printEnv = [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))']
      const run = spawnSync(shell, [...shellArgs, ...printEnv], { env: { ...env, PATH: process.env.PATH }, encoding: 'utf8' })
      assert.equal(run.status, 0, `${name}: the wrapper failed: ${run.stderr}`)
      env = JSON.parse(run.stdout) as Record<string, string>
      argv = argv.slice(IMAGE.entrypoint.length)
    }
    assert.equal(argv[0], 'start', `${name} runs a data node`)
    // The config file, where the pod mounts its ConfigMap.
    const disk = manualEnv().disk
    for (const mount of container.volumeMounts ?? []) {
      const source = podSpec.volumes?.find((v) => v.name === mount.name)?.configMap
      if (source === undefined) continue
      const configMap = configMaps.find((c) => c.metadata?.name === source.name)
      assert.ok(configMap, `${name} mounts ConfigMap ${source.name}, which is not rendered`)
      disk.mkdir(mount.mountPath)
      for (const [key, text] of Object.entries(configMap.data ?? {})) disk.writeFile(`${mount.mountPath}/${key}`, Buffer.from(text))
    }
    // The CLI's own parsing: an AEROLITE_* variable that names no option throws here.
    const options = startOptions(withEnvironment(parseArgs(argv.slice(1), START_FLAGS), START_FLAGS, env))
    return { name, set, podIP, hostIP, config: buildConfig(options, disk) }
  })
}

/** The namespace names the layout's values ask for (a values file's list replaces the one before). */
function namespacesOf(layout: Layout): string[] {
  let namespaces: Array<{ name: string }> = []
  for (const file of ['values.yaml', ...layout.files]) {
    const values = parseYaml(readFileSync(join(CHART_DIR, file), 'utf8')) as { config?: { namespaces?: Array<{ name: string }> } }
    namespaces = values.config?.namespaces ?? namespaces
  }
  return namespaces.map((ns) => ns.name)
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return selector !== undefined && Object.entries(selector).every(([key, value]) => labels?.[key] === value)
}

const QUANTITY_FACTORS: Readonly<Record<string, number>> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }

function quantityBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(quantity)
  assert.ok(match, `quantity ${quantity}`)
  return Number(match[1]) * QUANTITY_FACTORS[match[2] ?? '']!
}

function lint(files: string[], extra: string[] = []): { status: number; output: string } {
  const result = helm(['lint', CHART_DIR, ...files.flatMap((file) => ['--values', join(CHART_DIR, file)]), ...extra])
  return { status: result.status, output: result.stdout + result.stderr }
}

test('helm is on PATH', () => {
  assert.match(helm(['version', '--short']).stdout, /^v\d+\./)
})

test('the chart carries exact copies of deploy/monitoring (scripts/sync-chart-files.mjs)', () => {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts/sync-chart-files.mjs'), '--check'], { encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
})

for (const layout of LAYOUTS) {
  describe(layout.name, () => {
    test('helm lint and helm lint --strict pass', () => {
      for (const extra of [[], ['--strict']]) {
        const result = lint(layout.files, extra)
        assert.equal(result.status, 0, result.output)
      }
    })

    test('every rendered object validates against its Kubernetes schema', () => {
      const text = renderChart(layout.files.map((file) => join(CHART_DIR, file)))
      const kinds = new Set(validateManifests(text).map((o) => o.kind))
      for (const kind of ['StatefulSet', 'Service', 'ConfigMap', 'PodDisruptionBudget', 'ServiceAccount']) assert.ok(kinds.has(kind), `renders a ${kind}`)
    })

    test('one StatefulSet per rack, its pods in the rack zone with the rack id', () => {
      const { nodeSets, pods } = rendered(layout)
      const racks = nodeSets.map((set) => {
        const env = nodeContainer(set).env ?? []
        const rack: Layout['racks'][number] = { id: Number(env.find((v) => v.name === 'AEROLITE_RACK_ID')?.value), replicas: set.spec?.replicas ?? 1 }
        const terms = set.spec?.template.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
        const zoneRules = terms.flatMap((term) => term.matchExpressions ?? []).filter((e) => e.key === 'topology.kubernetes.io/zone')
        // One rule "zone In [Z]" reads as zone Z; anything else shows as it is and fails.
        if (zoneRules.length > 0) rack.zone = zoneRules.length === 1 && zoneRules[0]!.operator === 'In' && zoneRules[0]!.values?.length === 1 ? zoneRules[0]!.values[0] : JSON.stringify(zoneRules)
        return rack
      })
      assert.deepEqual(racks, layout.racks)
      for (const pod of pods) {
        const rackId = Number(pod.set.spec?.template.metadata?.labels?.['aerolite/rack-id'])
        assert.deepEqual(pod.config.namespaces.map((ns) => ns.rackId), pod.config.namespaces.map(() => rackId), `${pod.name}: every namespace in rack ${rackId}`)
      }
      assert.equal(new Set(pods.map((p) => p.name)).size, pods.length, 'pod names are unique')
    })

    test('each pod advertises its own address, joins the right etcd and reads the config from values', () => {
      const { objects, pods } = rendered(layout)
      const etcdSets = objects.filter((o) => o.kind === 'StatefulSet' && o.metadata.labels?.['app.kubernetes.io/component'] === 'etcd') as unknown as IStatefulSet[]
      let endpoints: string[]
      if (layout.etcd === 'chart') {
        assert.equal(etcdSets.length, 1, 'the chart runs etcd')
        endpoints = etcdMembers(etcdSets[0]!, rendered(layout).services).map((member) => member.client)
      } else {
        assert.equal(etcdSets.length, 0, 'no etcd of the chart')
        endpoints = layout.etcd
      }
      for (const pod of pods) {
        assert.equal(pod.config.network.service.accessAddress, pod.podIP, `${pod.name} advertises its pod IP`)
        assert.equal(pod.config.network.heartbeat.mode, 'etcd')
        assert.deepEqual(pod.config.network.heartbeat.etcdEndpoints.map((e) => `${e.host}:${e.port}`), endpoints, `${pod.name}'s etcd`)
        assert.deepEqual(pod.config.namespaces.map((ns) => ns.name), namespacesOf(layout), `${pod.name}'s namespaces`)
        const ports = Object.fromEntries((nodeContainer(pod.set).ports ?? []).map((p) => [p.name, p.containerPort]))
        assert.deepEqual(ports, { service: pod.config.network.service.port, fabric: pod.config.network.fabric.port, http: pod.config.network.http.port }, `${pod.name}: the container ports are the ports the node listens on`)
        assert.equal(pod.config.network.service.address, '0.0.0.0', `${pod.name} listens on every interface`)
      }
    })

    test('every rendered aerolite.conf parses with the server parser', () => {
      const { configMaps, nodeSets } = rendered(layout)
      const confs = configMaps.filter((c) => c.data?.['aerolite.conf'] !== undefined)
      assert.equal(confs.length, nodeSets.length, 'one config per rack')
      for (const configMap of confs) {
        const config = parseConfig(configMap.data!['aerolite.conf']!, `${configMap.metadata?.name}/aerolite.conf`, realDisk)
        assert.deepEqual(config.namespaces.map((ns) => ns.name), namespacesOf(layout))
      }
    })

    test('the data volume is a PersistentVolumeClaim of the size in values, with room for the namespace files', () => {
      const { pods } = rendered(layout)
      for (const pod of pods) {
        const claims = pod.set.spec?.volumeClaimTemplates ?? []
        assert.deepEqual(claims.map((c) => c.metadata?.name), ['data'])
        const spec = claims[0]!.spec!
        assert.equal(spec.resources?.requests?.storage, layout.pvc.size)
        assert.equal(spec.storageClassName, layout.pvc.storageClassName)
        const mount = nodeContainer(pod.set).volumeMounts?.find((m) => m.name === 'data')
        assert.equal(mount?.mountPath, '/var/lib/aerolite')
        const files = pod.config.namespaces.flatMap((ns) => ns.storage.files.map((file) => ({ file, bytes: ns.storage.fileSizeBytes })))
        for (const { file } of files) assert.ok(file.startsWith('/var/lib/aerolite/'), `${file} is in the data volume`)
        const neededBytes = files.reduce((sum, f) => sum + f.bytes, 0)
        assert.ok(neededBytes <= quantityBytes(layout.pvc.size), `${pod.name}: files of ${neededBytes} bytes fit in ${layout.pvc.size}`)
      }
    })

    test('pods run as the image user, read-only, drain on SIGTERM, and are probed on /health and /ready', () => {
      const { nodeSets, objects } = rendered(layout)
      for (const set of nodeSets) {
        const pod = set.spec!.template.spec!
        const container = nodeContainer(set)
        assert.equal(set.spec?.podManagementPolicy, 'Parallel')
        assert.equal(pod.enableServiceLinks, false, 'no AEROLITE_*_SERVICE_HOST variables from Services named aerolite*')
        assert.equal(pod.terminationGracePeriodSeconds, 60)
        assert.deepEqual(
          { nonRoot: pod.securityContext?.runAsNonRoot, user: pod.securityContext?.runAsUser, group: pod.securityContext?.runAsGroup, fsGroup: pod.securityContext?.fsGroup },
          { nonRoot: true, user: IMAGE.uid, group: IMAGE.gid, fsGroup: IMAGE.gid },
        )
        assert.equal(container.securityContext?.readOnlyRootFilesystem, true)
        const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp')
        assert.ok(tmp && pod.volumes?.find((v) => v.name === tmp.name)?.emptyDir !== undefined, '/tmp is an emptyDir')
        assert.equal(container.image, 'aerolite:0.1.0')
        assert.equal(container.imagePullPolicy, 'IfNotPresent')
        const probe = (p: typeof container.readinessProbe) => `${p?.httpGet?.path} ${p?.httpGet?.port}`
        assert.deepEqual([probe(container.startupProbe), probe(container.readinessProbe), probe(container.livenessProbe)], ['/health http', '/ready http', '/health http'])
        assert.equal(pod.serviceAccountName, 'aerolite')
        assert.ok(objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'aerolite'))
        const antiAffinity = pod.affinity?.podAntiAffinity
        const term = layout.podAntiAffinity === 'required'
          ? antiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]
          : antiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.podAffinityTerm
        assert.equal(term?.topologyKey, 'kubernetes.io/hostname')
        assert.ok(selects(term?.labelSelector?.matchLabels, set.spec?.template.metadata?.labels), 'anti-affinity against the other data nodes')
      }
    })

    test('Services: a headless one for pod names, a ClusterIP seed, a PodDisruptionBudget over all racks', () => {
      const { nodeSets, services, objects } = rendered(layout)
      const podLabels = nodeSets.map((s) => s.spec?.template.metadata?.labels)
      for (const set of nodeSets) {
        const headless = services.find((s) => s.metadata?.name === set.spec?.serviceName)
        assert.ok(headless, `${set.metadata?.name}'s serviceName is rendered`)
        assert.equal(headless.spec?.clusterIP, 'None')
        assert.equal(headless.spec?.publishNotReadyAddresses, true)
        assert.ok(selects(headless.spec?.selector, set.spec?.template.metadata?.labels))
      }
      const seed = services.find((s) => s.metadata?.name === 'aerolite')
      assert.equal(seed?.spec?.type, 'ClusterIP')
      assert.deepEqual(seed?.spec?.ports?.map((p) => p.port), [3000])
      assert.ok(podLabels.every((labels) => selects(seed?.spec?.selector, labels)), 'the seed Service selects every rack')
      const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget') as unknown as IPodDisruptionBudget[]
      const nodeBudget = budgets.find((b) => podLabels.every((labels) => selects(b.spec?.selector?.matchLabels, labels)))
      assert.equal(nodeBudget?.spec?.maxUnavailable, 1)
      for (const service of services) {
        const selector = service.spec?.selector
        if (selector?.['statefulset.kubernetes.io/pod-name'] !== undefined) continue
        const etcdLabels = objects.filter((o) => o.kind === 'StatefulSet').map((o) => (o as unknown as IStatefulSet).spec?.template.metadata?.labels)
        assert.ok([...podLabels, ...etcdLabels].some((labels) => selects(selector, labels)), `Service ${service.metadata?.name} selects pods of the chart`)
      }
    })

    test(layout.external === undefined ? 'no external Services' : `a ${layout.external.type} Service per pod, and the pod advertises it`, () => {
      const { services, pods } = rendered(layout)
      const perPod = services.filter((s) => s.spec?.selector?.['statefulset.kubernetes.io/pod-name'] !== undefined)
      const external = layout.external
      if (external === undefined) {
        assert.deepEqual(perPod, [])
        for (const pod of pods) assert.equal(pod.config.network.service.alternateAccessAddress, undefined)
        return
      }
      assert.deepEqual(perPod.map((s) => s.spec?.selector?.['statefulset.kubernetes.io/pod-name']).sort(), pods.map((p) => p.name).sort(), 'one Service per pod')
      const nodePorts: number[] = []
      for (const pod of pods) {
        const service = perPod.find((s) => s.spec?.selector?.['statefulset.kubernetes.io/pod-name'] === pod.name)!
        assert.equal(service.spec?.type, external.type)
        assert.equal(service.spec?.externalTrafficPolicy, 'Local')
        const [port] = service.spec?.ports ?? []
        assert.equal(port?.port, 3000)
        assert.equal(port?.targetPort, 'service')
        const alternate = pod.config.network.service
        if (external.type === 'LoadBalancer') {
          const hostname = service.metadata?.annotations?.['external-dns.alpha.kubernetes.io/hostname']
          assert.equal(hostname, `${pod.name}.${external.domain}`)
          assert.equal(service.metadata?.annotations?.['service.beta.kubernetes.io/aws-load-balancer-type'], 'external', 'the load balancer annotations from values')
          assert.deepEqual({ address: alternate.alternateAccessAddress, port: alternate.alternateAccessPort }, { address: hostname, port: 3000 })
        } else {
          assert.ok(port?.nodePort !== undefined)
          nodePorts.push(port.nodePort)
          assert.deepEqual({ address: alternate.alternateAccessAddress, port: alternate.alternateAccessPort }, { address: pod.hostIP, port: port.nodePort }, `${pod.name} advertises its node's address and its node port`)
        }
      }
      if (external.type === 'NodePort') {
        assert.deepEqual(nodePorts, pods.map((_, index) => external.nodePortBase + index), 'pod i of the cluster gets nodePortBase + i')
      }
    })

    test(layout.monitoring ? 'ServiceMonitor, PrometheusRule and dashboards equal deploy/monitoring' : 'no monitoring objects', () => {
      const { objects, services, nodeSets } = rendered(layout)
      const monitors = objects.filter((o) => o.kind === 'ServiceMonitor') as unknown as IServiceMonitor[]
      const rules = objects.filter((o) => o.kind === 'PrometheusRule') as unknown as IPrometheusRule[]
      const dashboards = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1') as unknown as IConfigMap[]
      if (!layout.monitoring) {
        assert.deepEqual([monitors.length, rules.length, dashboards.length], [0, 0, 0])
        return
      }
      assert.equal(monitors.length, 1)
      const monitor = monitors[0]!
      const scraped = services.filter((s) => selects(monitor.spec.selector.matchLabels, s.metadata?.labels))
      assert.equal(scraped.length, 1, 'the ServiceMonitor selects one Service')
      const service = scraped[0]!
      assert.equal(service.spec?.clusterIP, 'None', 'the headless Service: every node, ready or not')
      assert.ok(nodeSets.every((set) => selects(service.spec?.selector, set.spec?.template.metadata?.labels)))
      const [endpoint] = monitor.spec.endpoints ?? []
      assert.equal(endpoint?.path, '/metrics')
      assert.ok(service.spec?.ports?.some((p) => p.name === endpoint?.port && p.port === 9145), 'scrapes the http port')
      assert.equal(endpoint?.honorLabels, true, 'the metrics\' own "service" label wins over the target\'s')
      const rulesText = readFileSync(RULES_FILE, 'utf8')
      const job = /up\{job="([^"]+)"\}/.exec(rulesText)?.[1]
      assert.equal(service.metadata?.labels?.[monitor.spec.jobLabel ?? ''], job, 'scraped as the job the alert rules query')

      assert.equal(rules.length, 1)
      assert.deepEqual(rules[0]!.spec.groups, (parseYaml(rulesText) as { groups: unknown }).groups)
      assert.equal(rules[0]!.metadata?.labels?.release, 'kube-prometheus-stack')

      const files = readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json')).sort()
      assert.deepEqual(dashboards.flatMap((c) => Object.keys(c.data ?? {})).sort(), files)
      for (const configMap of dashboards) {
        for (const [file, text] of Object.entries(configMap.data ?? {})) assert.equal(text, readFileSync(join(DASHBOARD_DIR, file), 'utf8'), file)
      }
    })
  })
}

/** The chart's etcd members: name, client endpoint, and the peer URL each advertises. */
function etcdMembers(set: IStatefulSet, services: IService[]): Array<{ name: string; client: string; peer: string }> {
  const container = set.spec!.template.spec!.containers[0]!
  const service = services.find((s) => s.metadata?.name === set.spec?.serviceName)
  assert.ok(service, 'the etcd StatefulSet\'s serviceName is rendered')
  assert.equal(service.spec?.clusterIP, 'None')
  assert.equal(service.spec?.publishNotReadyAddresses, true, 'members resolve each other before there is a quorum')
  assert.ok(service.spec?.ports?.some((p) => p.port === 2379))
  assert.equal(container.image, 'quay.io/coreos/etcd:v3.5.17')
  /** The member's flags, $(POD_NAME) filled in. */
  const flagsOf = (podName: string) => new Map((container.args ?? []).map((arg) => expand(arg, { POD_NAME: podName }).split(/=(.*)/s) as [string, string]))
  const members = Array.from({ length: set.spec?.replicas ?? 1 }, (_, ordinal) => {
    const name = `${set.metadata?.name}-${ordinal}`
    const host = `${name}.${service.metadata?.name}.${RELEASE_NAMESPACE}.svc.${CLUSTER_DOMAIN}`
    const flags = flagsOf(name)
    assert.equal(flags.get('--name'), name)
    assert.equal(flags.get('--advertise-client-urls'), `http://${host}:2379`)
    assert.equal(flags.get('--initial-advertise-peer-urls'), `http://${host}:2380`)
    return { name, client: `${host}:2379`, peer: `http://${host}:2380` }
  })
  for (const member of members) {
    assert.equal(flagsOf(member.name).get('--initial-cluster'), members.map((m) => `${m.name}=${m.peer}`).join(','), '--initial-cluster names every member as it advertises itself')
  }
  return members
}

test('validateManifests refuses a kind without a model and an invalid object, naming them', () => {
  assert.throws(() => validateManifests('apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: j}\n'), /batch\/v1\/CronJob j: no model/)
  assert.throws(() => validateManifests('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: "80"}]}\n'), /v1\/Service s is invalid: .*port must be integer/)
  assert.deepEqual(validateManifests('# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n'), [{ kind: 'ConfigMap', name: 'c' }])
})

describe('values', () => {
  test('racks without replicas share what the others leave, the first ones one more', () => {
    const text = renderChart([], { replicas: '7', 'racks[0].id': '1', 'racks[1].id': '2', 'racks[1].replicas': '1', 'racks[2].id': '3' })
    const sets = (parseManifests(text) as unknown as IStatefulSet[]).filter((o) => o.kind === 'StatefulSet' && o.metadata?.labels?.['app.kubernetes.io/component'] === 'node')
    assert.deepEqual(sets.map((s) => [s.metadata?.name, s.spec?.replicas]), [['aerolite-rack-1', 3], ['aerolite-rack-2', 1], ['aerolite-rack-3', 3]])
  })

  test('a rack config is merged over the global one', () => {
    const text = renderChart([join(CHART_DIR, 'examples/multi-rack.yaml')], { 'racks[2].id': '3', 'racks[2].config.logLevel': 'debug' })
    const confs = (parseManifests(text) as unknown as IConfigMap[]).filter((c) => c.data?.['aerolite.conf'] !== undefined)
    const levels = confs.map((c) => parseConfig(c.data!['aerolite.conf']!, 'aerolite.conf', realDisk).logging.level)
    assert.deepEqual(levels, ['info', 'info', 'debug'])
    const names = confs.map((c) => parseConfig(c.data!['aerolite.conf']!, 'aerolite.conf', realDisk).namespaces.map((ns) => ns.name).join())
    assert.deepEqual(names, ['orders,sessions', 'orders,sessions', 'orders,sessions'])
  })

  for (const [key, value, where] of [
    ['replicas', 'three', '/replicas'],
    ['ports.service', 'http', '/ports/service'],
    ['external.type', 'ClusterIP', '/external/type'],
    ['config.namespaces[0].storage.fileSize', '4GB', '/config/namespaces/0/storage/fileSize'],
    ['replica', '3', "'replica'"],
  ] as const) {
    test(`the schema refuses ${key}=${value}`, () => {
      const linted = lint([], ['--set', `${key}=${value}`])
      assert.notEqual(linted.status, 0, 'helm lint fails')
      assert.ok(linted.output.includes(where), `helm lint names ${where}:\n${linted.output}`)
      assert.throws(() => renderChart([], { [key]: value }), (error: Error) => error.message.includes(where))
    })
  }

  for (const [set, message] of [
    [{ 'external.enabled': 'true' }, 'external.domain'],
    [{ 'etcd.enabled': 'false' }, 'etcd'],
    [{ 'etcd.endpoints[0]': 'etcd:2379' }, 'etcd.enabled=false'],
    [{ 'racks[0].id': '1', 'racks[1].id': '1' }, 'listed twice'],
  ] as const) {
    test(`the chart refuses ${JSON.stringify(set)}`, () => {
      assert.throws(() => renderChart([], set), (error: Error) => error.message.includes(message))
    })
  }

  test('NOTES.txt says how to connect from inside and from outside', () => {
    const result = helm(['install', 'aerolite', CHART_DIR, '--dry-run=client', '--namespace', RELEASE_NAMESPACE, '--values', join(CHART_DIR, 'examples/external-loadbalancer.yaml')])
    assert.equal(result.status, 0, result.stderr)
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'))
    assert.match(notes, /aerolite\.db\.svc\.cluster\.local:3000/)
    assert.match(notes, /useAlternateAccessAddress/)
    assert.match(notes, /aerolite-2\.db\.example\.com:3000/)
  })
})
