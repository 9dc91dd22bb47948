// Amazon EKS: the cluster from an eksctl ClusterConfig (a managed node group across the zones, the
// EBS CSI driver as an add-on), volumes on EBS gp3 or io2, per-node Network Load Balancers, images
// in ECR.
import { kubernetesNodeCount, shellQuote, type CloudProvider, type CloudSettings, type ToYaml } from './provider.ts'

export const aws: CloudProvider = {
  name: 'aws',
  kubernetesService: 'Amazon EKS',
  regionExample: 'us-east-1',
  regionPattern: /^[a-z]{2}(-gov)?-[a-z]+-\d$/,
  // Availability zones open to every account (us-west-1 has two; ap-northeast-1 has no "b").
  knownZones: {
    'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    'us-east-2': ['us-east-2a', 'us-east-2b', 'us-east-2c'],
    'us-west-1': ['us-west-1b', 'us-west-1c'],
    'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c'],
    'ca-central-1': ['ca-central-1a', 'ca-central-1b', 'ca-central-1d'],
    'eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    'eu-west-2': ['eu-west-2a', 'eu-west-2b', 'eu-west-2c'],
    'eu-central-1': ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
    'eu-north-1': ['eu-north-1a', 'eu-north-1b', 'eu-north-1c'],
    'ap-south-1': ['ap-south-1a', 'ap-south-1b', 'ap-south-1c'],
    'ap-southeast-1': ['ap-southeast-1a', 'ap-southeast-1b', 'ap-southeast-1c'],
    'ap-southeast-2': ['ap-southeast-2a', 'ap-southeast-2b', 'ap-southeast-2c'],
    'ap-northeast-1': ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'],
    'sa-east-1': ['sa-east-1a', 'sa-east-1b', 'sa-east-1c'],
  },

  clusterFiles(settings: CloudSettings, toYaml: ToYaml) {
    const nodeCount = kubernetesNodeCount(settings)
    const config = {
      apiVersion: 'eksctl.io/v1alpha5',
      kind: 'ClusterConfig',
      metadata: { name: settings.name, region: settings.region, version: '1.33' },
      availabilityZones: settings.zones,
      // IAM roles for service accounts: the EBS CSI driver's controller gets its policy this way.
      iam: { withOIDC: true },
      addons: [{ name: 'aws-ebs-csi-driver', wellKnownPolicies: { ebsCSIController: true } }],
      managedNodeGroups: [{
        name: 'aerolite',
        // 8 vCPU, 32 GiB: a data node's requests (2 CPU, 8 GiB) with room for etcd and monitoring.
        instanceType: 'm6i.2xlarge',
        availabilityZones: settings.zones,
        desiredCapacity: nodeCount,
        minSize: nodeCount,
        maxSize: nodeCount + settings.zones.length,
        volumeSize: 100,
        volumeType: 'gp3',
        privateNetworking: true,
        labels: { 'aerolite.dev/pool': 'data' },
      }],
    }
    return [{ path: '1-cluster/eksctl-cluster.yaml', content: `# eksctl create cluster -f eksctl-cluster.yaml\n${toYaml(config)}` }]
  },

  createClusterCommand: (outDir) => `eksctl create cluster -f ${shellQuote(`${outDir}/1-cluster/eksctl-cluster.yaml`)}`,

  storageProvisioner: 'ebs.csi.aws.com',
  storageParameters: (tier): Record<string, string> => tier === 'fast'
    ? { type: 'io2', iopsPerGB: '50', encrypted: 'true' }
    : { type: 'gp3', iops: '6000', throughput: '250', encrypted: 'true' },
  diskName: (tier) => (tier === 'fast' ? 'EBS io2' : 'EBS gp3'),

  // The in-tree controller makes a Network Load Balancer (TCP, keeps the client's address).
  loadBalancerAnnotations: (internal): Record<string, string> => ({
    'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
    ...(internal ? { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' } : {}),
  }),

  registryShell: (settings) => [
    `REGISTRY="$(aws sts get-caller-identity --query Account --output text).dkr.ecr.${settings.region}.amazonaws.com"`,
    'ensure_repository() {',
    `  aws ecr describe-repositories --region ${settings.region} --repository-names "$1" >/dev/null 2>&1 || aws ecr create-repository --region ${settings.region} --repository-name "$1" >/dev/null`,
    '}',
    `registry_login() { aws ecr get-login-password --region ${settings.region} | docker login --username AWS --password-stdin "$REGISTRY"; }`,
  ].join('\n'),
}
