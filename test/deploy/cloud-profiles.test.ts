// `aerolite deploy cloud` for each provider: the four steps it prints, and what it writes — the
// cluster-creation file, the storage class, the chart's values (rendered by the real helm and every
// object validated against the Kubernetes schemas), the application's manifests, the monitoring
// stack's values, shell scripts bash accepts. No cloud is reachable here: this proves the files
// are well-formed and mean what they should, not that a cloud accepts them (docs/deploy.md).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { after, describe, it } from 'node:test'
import { parse } from 'yaml'
import { lines, runCli } from '../../packages/cli/test/cli-process.ts'
import { parseManifests, renderChart, validateManifests } from './validate-manifests.ts'

const dir = mkdtempSync(join(tmpdir(), 'aerolite-cloud-'))
after(() => rmSync(dir, { recursive: true, force: true }))

interface Case {
  provider: 'aws' | 'azure' | 'gcp'
  region: string
  zones: string[]
  disk: 'balanced' | 'fast'
  /** The storage class's disk parameter, per disk tier. */
  diskParameter: [string, string]
  provisioner: string
  loadBalancerAnnotation: string
}

const CASES: Case[] = [
  { provider: 'aws', region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], disk: 'balanced', diskParameter: ['type', 'gp3'], provisioner: 'ebs.csi.aws.com', loadBalancerAnnotation: 'service.beta.kubernetes.io/aws-load-balancer-type' },
  { provider: 'azure', region: 'eastus', zones: ['eastus-1', 'eastus-2', 'eastus-3'], disk: 'fast', diskParameter: ['skuName', 'PremiumV2_LRS'], provisioner: 'disk.csi.azure.com', loadBalancerAnnotation: 'service.beta.kubernetes.io/azure-load-balancer-internal' },
  { provider: 'gcp', region: 'us-central1', zones: ['us-central1-a', 'us-central1-b', 'us-central1-c'], disk: 'fast', diskParameter: ['type', 'pd-ssd'], provisioner: 'pd.csi.storage.gke.io', loadBalancerAnnotation: 'networking.gke.io/load-balancer-type' },
]

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name))).sort()
}

for (const c of CASES) {
  describe(`deploy cloud --provider ${c.provider}`, () => {
    const out = join(dir, c.provider)
    let stdout = ''

    it('prints the four steps in order and writes each step\'s files', async () => {
      // Azure and GCP with internal load balancers, AWS with public ones.
      const internal = c.provider === 'aws' ? [] : ['--internal-lb']
      const run = await runCli(['deploy', 'cloud', '--provider', c.provider, '--name', 'shop', '--region', c.region, '--nodes', '5', '--disk', c.disk,
        '--volume-size', '200', '--domain', 'db.example.com', ...internal, '--alert-webhook', 'https://hooks.example.com/aerolite', '--out', out])
      assert.equal(run.code, 0, run.stderr)
      stdout = run.stdout
      const steps = lines(stdout).filter((line) => /^\d\. /.test(line)).map((line) => line.slice(0, 2))
      assert.deepEqual(steps, ['1.', '2.', '3.', '4.'])
      assert.match(stdout, new RegExp(`5 Aerolite nodes on 3 racks \\(zones ${c.zones.join(', ')}\\)`))
      const clusterFile = c.provider === 'aws' ? '1-cluster/eksctl-cluster.yaml' : '1-cluster/create-cluster.sh'
      assert.deepEqual(filesUnder(out), [clusterFile, '2-aerolite/install.sh', '2-aerolite/storage-class.yaml', '2-aerolite/values.yaml',
        '3-application/deploy.sh', '3-application/deployment.yaml', '3-application/service.yaml',
        '4-monitoring/aerolite-monitoring-values.yaml', '4-monitoring/install.sh', '4-monitoring/kube-prometheus-stack-values.yaml', 'env.sh'].sort())
    })

    it('writes scripts bash accepts, executable, that the printed steps run', () => {
      for (const file of filesUnder(out).filter((f) => f.endsWith('.sh'))) {
        const check = spawnSync('bash', ['-n', join(out, file)], { encoding: 'utf8' })
        assert.equal(check.status, 0, `${file}: ${check.stderr}`)
        if (file !== 'env.sh') {
          accessSync(join(out, file), constants.X_OK)
          assert.ok(stdout.includes(join(out, file)), `the steps name ${file}`)
        }
      }
    })

    it('creates the Kubernetes cluster across the zones, one node per data node', () => {
      if (c.provider === 'aws') {
        const config = parse(readFileSync(join(out, '1-cluster/eksctl-cluster.yaml'), 'utf8')) as Record<string, any>
        assert.equal(config.apiVersion, 'eksctl.io/v1alpha5')
        assert.equal(config.kind, 'ClusterConfig')
        assert.deepEqual([config.metadata.name, config.metadata.region], ['shop', c.region])
        assert.deepEqual(config.availabilityZones, c.zones)
        assert.deepEqual(config.addons.map((a: { name: string }) => a.name), ['aws-ebs-csi-driver'])
        const [group] = config.managedNodeGroups
        assert.deepEqual([group.desiredCapacity, group.minSize, group.availabilityZones], [5, 5, c.zones])
      } else {
        const script = readFileSync(join(out, '1-cluster/create-cluster.sh'), 'utf8')
        if (c.provider === 'azure') {
          assert.match(script, /az aks create .*--location eastus/)
          assert.match(script, /--node-count 5 --zones 1 2 3 /)
          assert.match(script, /--attach-acr shopacr/)
        } else {
          assert.match(script, /gcloud container clusters create shop --region us-central1 --node-locations us-central1-a,us-central1-b,us-central1-c/)
          // 5 nodes over 3 zones: 2 per zone (--num-nodes counts per zone).
          assert.match(script, /--num-nodes 2 /)
        }
      }
    })

    it('a storage class of the cloud\'s disks that allows volume growth', () => {
      const text = readFileSync(join(out, '2-aerolite/storage-class.yaml'), 'utf8')
      assert.deepEqual(validateManifests(text), [{ kind: 'StorageClass', name: `aerolite-${c.disk}` }])
      const [storageClass] = parseManifests(text) as Array<Record<string, any>>
      assert.equal(storageClass!.provisioner, c.provisioner)
      assert.equal(storageClass!.parameters[c.diskParameter[0]], c.diskParameter[1])
      assert.equal(storageClass!.allowVolumeExpansion, true)
      assert.equal(storageClass!.volumeBindingMode, 'WaitForFirstConsumer')
    })

    it('chart values that helm renders into valid objects: a rack per zone, the volumes, a load balancer per node', () => {
      const values = join(out, '2-aerolite/values.yaml')
      const rendered = renderChart([values], { 'image.repository': 'registry.example.com/aerolite', 'image.tag': '0.1.0' })
      const kinds = validateManifests(rendered).map((o) => o.kind)
      assert.equal(kinds.filter((k) => k === 'StatefulSet').length, 3 + 1, 'three racks and etcd')
      const objects = parseManifests(rendered) as Array<Record<string, any>>
      const racks = objects.filter((o) => o.kind === 'StatefulSet' && o.metadata.name.startsWith('aerolite-rack-'))
      assert.deepEqual(racks.map((s) => s.spec.replicas), [2, 2, 1])
      for (const [i, rack] of racks.entries()) {
        const zoneTerm = JSON.stringify(rack.spec.template.spec.affinity.nodeAffinity)
        assert.ok(zoneTerm.includes(c.zones[i]!), `rack ${i + 1} in ${c.zones[i]}: ${zoneTerm}`)
        const [claim] = rack.spec.volumeClaimTemplates
        assert.deepEqual([claim.spec.storageClassName, claim.spec.resources.requests.storage], [`aerolite-${c.disk}`, '200Gi'])
        assert.equal(rack.spec.template.spec.containers[0].image, 'registry.example.com/aerolite:0.1.0')
      }
      const external = objects.filter((o) => o.kind === 'Service' && o.spec.type === 'LoadBalancer')
      assert.equal(external.length, 5)
      for (const service of external) assert.ok(c.loadBalancerAnnotation in service.metadata.annotations, JSON.stringify(service.metadata.annotations))
      const configs = objects.filter((o) => o.kind === 'ConfigMap' && typeof o.data?.['aerolite.conf'] === 'string')
      assert.ok(configs.length >= 3)
      for (const config of configs) assert.match(config.data['aerolite.conf'], /filesize 180G/)
    })

    it('the application: the seed app\'s Deployment (3 replicas) and Service in the cluster\'s namespace', () => {
      const text = ['deployment.yaml', 'service.yaml'].map((f) => readFileSync(join(out, '3-application', f), 'utf8')).join('---\n')
      assert.deepEqual(validateManifests(text), [{ kind: 'Deployment', name: 'seed-app' }, { kind: 'Service', name: 'seed-app' }])
      const [deployment] = parseManifests(text) as Array<Record<string, any>>
      assert.equal(deployment!.metadata.namespace, 'aerolite')
      assert.equal(deployment!.spec.replicas, 3)
      assert.deepEqual(deployment!.spec.template.spec.containers[0].env[0], { name: 'AEROSPIKE_HOSTS', value: 'aerolite:3000' })
    })

    it('monitoring: the stack finds the chart\'s ServiceMonitor and rules, alerts go to the webhook', () => {
      const stack = parse(readFileSync(join(out, '4-monitoring/kube-prometheus-stack-values.yaml'), 'utf8')) as Record<string, any>
      assert.equal(stack.prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues, false)
      assert.equal(stack.prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues, false)
      assert.equal(stack.alertmanager.config.route.receiver, 'aerolite-webhook')
      assert.deepEqual(stack.alertmanager.config.receivers[1].webhook_configs, [{ url: 'https://hooks.example.com/aerolite', send_resolved: true }])
      const rendered = renderChart([join(out, '2-aerolite/values.yaml'), join(out, '4-monitoring/aerolite-monitoring-values.yaml')])
      const kinds = validateManifests(rendered).map((o) => o.kind)
      assert.ok(kinds.includes('ServiceMonitor') && kinds.includes('PrometheusRule'), kinds.join(', '))
    })
  })
}

describe('deploy cloud layouts', () => {
  it('a region with two zones gets two racks; fewer nodes than zones get a rack each', async () => {
    const twoZones = await runCli(['deploy', 'cloud', '--provider', 'aws', '--name', 'west', '--region', 'us-west-1', '--nodes', '4', '--out', join(dir, 'west')])
    assert.equal(twoZones.code, 0, twoZones.stderr)
    assert.match(twoZones.stdout, /4 Aerolite nodes on 2 racks \(zones us-west-1b, us-west-1c\)/)
    const small = await runCli(['deploy', 'cloud', '--provider', 'gcp', '--name', 'small', '--region', 'europe-west1', '--nodes', '2', '--zones', 'europe-west1-c,europe-west1-d', '--out', join(dir, 'small')])
    assert.equal(small.code, 0, small.stderr)
    assert.match(small.stdout, /2 Aerolite nodes on 2 racks \(zones europe-west1-c, europe-west1-d\)/)
    assert.match(small.stdout, /no access from outside/)
    const values = parse(readFileSync(join(dir, 'small/2-aerolite/values.yaml'), 'utf8')) as Record<string, any>
    assert.deepEqual(values.racks, [{ id: 1, zone: 'europe-west1-c' }, { id: 2, zone: 'europe-west1-d' }])
    assert.equal(values.external.enabled, false)
    validateManifests(renderChart([join(dir, 'small/2-aerolite/values.yaml')]))
  })

  it('bad arguments get a usage error (exit 2) in one line that names the problem', async () => {
    const base = ['deploy', 'cloud', '--name', 'shop', '--nodes', '3']
    const cases: Array<[string[], RegExp]> = [
      [['deploy', 'cloud', '--name', 'x1', '--region', 'us-east-1', '--nodes', '3'], /deploy cloud needs --provider/],
      [[...base, '--provider', 'oracle', '--region', 'us-east-1'], /--provider "oracle" is not one of aws, azure, gcp/],
      [[...base, '--provider', 'azure', '--region', 'us-east-1'], /--region "us-east-1" is not a azure region name \(e\.g\. eastus\)/],
      [[...base, '--provider', 'aws', '--region', 'mx-central-9'], /the zones of aws region mx-central-9 are not known here: name them with --zones/],
      [[...base, '--provider', 'aws', '--region', 'us-east-1', '--zones', 'us-east-1a,eu-west-1b'], /--zones: "eu-west-1b" is not a zone of us-east-1/],
      [['deploy', 'cloud', '--provider', 'aws', '--name', 'Shop!', '--region', 'us-east-1', '--nodes', '3'], /--name "Shop!" is not a cluster name/],
      [['deploy', 'cloud', '--provider', 'aws', '--name', 'shop', '--region', 'us-east-1', '--nodes', '0'], /--nodes "0" is not a whole number from 1 to 100/],
      [[...base, '--provider', 'gcp', '--region', 'us-central1', '--internal-lb'], /--internal-lb needs --domain/],
      [[...base, '--provider', 'gcp', '--region', 'us-central1', '--disk', 'nvme'], /--disk "nvme" is not one of balanced, fast/],
    ]
    for (const [args, message] of cases) {
      const run = await runCli(args)
      assert.equal(run.code, 2, `${args.join(' ')}: exit ${run.code} ${run.stderr}`)
      assert.match(run.stderr, message, args.join(' '))
      assert.equal(lines(run.stderr).length, 1, `one line for ${args.join(' ')}: ${run.stderr}`)
    }
  })
})

