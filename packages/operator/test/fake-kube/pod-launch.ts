// From a pod to the `aerolite start` process that plays its container: the environment (with
// fieldRef and $(VAR) resolved), the config file from its ConfigMap volume with the claims'
// mount paths pointed at their directories on disk, and the fake's own overrides (ports,
// loopback addresses, the test's etcd). The image is only recorded: every pod runs this
// checkout's aerolite, so an "image upgrade" is a restart with a new image string.
import { mkdirSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { V1Container, V1EnvVar, V1VolumeMount } from '@kubernetes/client-node'
import type { ConfigMapObject, PodObject } from './kube-types.ts'

const AEROLITE_BIN = fileURLToPath(new URL('../../../cli/bin/aerolite.cjs', import.meta.url))

/** Where the image looks for its config when AEROLITE_CONFIG is not set (Dockerfile). */
const IMAGE_CONFIG_PATH = '/etc/aerolite/aerolite.conf'

export const LOOPBACK = '127.0.0.1'

export interface PodPorts {
  service: number
  fabric: number
  http: number
}

/** Why a container cannot be started; reported as its waiting state and a Warning event. */
export class LaunchError extends Error {
  readonly reason: 'CreateContainerConfigError' | 'CreateContainerError'

  constructor(reason: LaunchError['reason'], message: string) {
    super(message)
    this.reason = reason
  }
}

export interface Launch {
  command: string
  args: string[]
  env: Record<string, string>
  cwd: string
  containerName: string
  image: string
}

export interface LaunchContext {
  pod: PodObject
  ports: PodPorts
  /** A directory of this pod's own; the config file is written under it. */
  podDir: string
  etcdEndpoint: string
  configMap(name: string): ConfigMapObject | undefined
  /** The directory that stands for a claim's volume (created by the caller). */
  claimDirectory(claimName: string): string
}

/** The one container the fake runs: init containers and sidecars are not simulated. */
function theContainer(pod: PodObject): V1Container {
  const containers = pod.spec.containers ?? []
  const { initContainers } = pod.spec
  if ((initContainers ?? []).length > 0) throw new LaunchError('CreateContainerError', 'the fake kubelet does not run init containers')
  if (containers.length !== 1) throw new LaunchError('CreateContainerError', `the fake kubelet runs pods of exactly one container; this one has ${containers.length}`)
  const container = containers[0]!
  if ((container.command ?? []).length > 0) throw new LaunchError('CreateContainerError', `the fake kubelet runs the image's entrypoint only; command ${JSON.stringify(container.command)} is not supported`)
  if (container.args !== undefined && !(container.args.length === 1 && container.args[0] === 'start')) {
    throw new LaunchError('CreateContainerError', `the fake kubelet runs only "aerolite start"; args ${JSON.stringify(container.args)} are not supported`)
  }
  return container
}

function fieldValue(pod: PodObject, fieldPath: string): string {
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath)
  if (keyed !== null) return pod.metadata[keyed[1] as 'labels' | 'annotations']?.[keyed[2]!] ?? ''
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name!
    case 'metadata.namespace': return pod.metadata.namespace!
    case 'metadata.uid': return pod.metadata.uid!
    case 'spec.nodeName': return pod.spec.nodeName ?? ''
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? ''
    case 'status.podIP':
    case 'status.podIPs':
    case 'status.hostIP':
    case 'status.hostIPs':
      return LOOPBACK
    default:
      throw new LaunchError('CreateContainerConfigError', `fieldRef ${fieldPath} is not supported by the fake kubelet`)
  }
}

/** Kubernetes' $(VAR) expansion: a variable defined earlier is substituted, $$ is a literal $, anything else stays. */
export function expandReferences(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (name === undefined) return '$'
    return env[name] ?? match
  })
}

function containerEnv(pod: PodObject, container: V1Container, configMap: LaunchContext['configMap']): Record<string, string> {
  if ((container.envFrom ?? []).length > 0) throw new LaunchError('CreateContainerConfigError', 'envFrom is not supported by the fake kubelet')
  const env: Record<string, string> = {}
  for (const variable of container.env ?? []) env[variable.name] = envValue(pod, variable, env, configMap)
  return env
}

function envValue(pod: PodObject, variable: V1EnvVar, env: Record<string, string>, configMap: LaunchContext['configMap']): string {
  const source = variable.valueFrom
  if (source === undefined) return expandReferences(variable.value ?? '', env)
  if (source.fieldRef !== undefined) return fieldValue(pod, source.fieldRef.fieldPath)
  if (source.configMapKeyRef !== undefined) {
    const { name, key, optional } = source.configMapKeyRef
    const value = configMap(name ?? '')?.data?.[key]
    if (value === undefined && optional !== true) throw new LaunchError('CreateContainerConfigError', `couldn't find key ${key} in ConfigMap ${pod.metadata.namespace}/${name}`)
    return value ?? ''
  }
  throw new LaunchError('CreateContainerConfigError', `env ${variable.name}: only value, fieldRef and configMapKeyRef are supported by the fake kubelet`)
}

function volumeOf(pod: PodObject, mount: V1VolumeMount): NonNullable<PodObject['spec']['volumes']>[number] | undefined {
  return pod.spec.volumes?.find((v) => v.name === mount.name)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The config file's text: the ConfigMap key mounted at configPath, with claim mount paths replaced by their directories. */
function configText(ctx: LaunchContext, container: V1Container, configPath: string): string {
  const mounts = container.volumeMounts ?? []
  const mount = mounts
    .filter((m) => m.subPath !== undefined && m.subPath !== '' ? m.mountPath === configPath : configPath.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0]
  const source = mount === undefined ? undefined : volumeOf(ctx.pod, mount)?.configMap
  if (mount === undefined || source === undefined) throw new LaunchError('CreateContainerConfigError', `the config ${configPath} is not in a ConfigMap volume of the container`)
  const configMap = ctx.configMap(source.name ?? '')
  if (configMap === undefined) throw new LaunchError('CreateContainerConfigError', `configmap "${source.name}" not found`)
  const path = mount.subPath !== undefined && mount.subPath !== '' ? mount.subPath : configPath.slice(mount.mountPath.replace(/\/$/, '').length + 1)
  const key = source.items === undefined ? path : source.items.find((item) => item.path === path)?.key
  const text = key === undefined ? undefined : configMap.data?.[key]
  if (text === undefined) throw new LaunchError('CreateContainerConfigError', `configmap "${source.name}" has no key for ${path}`)

  // Longest mount path first, so /data/a is not rewritten as /data + /a.
  const claimMounts = mounts
    .map((m) => ({ mountPath: m.mountPath.replace(/\/$/, ''), claim: volumeOf(ctx.pod, m)?.persistentVolumeClaim?.claimName }))
    .filter((m): m is { mountPath: string; claim: string } => m.claim !== undefined)
    .sort((a, b) => b.mountPath.length - a.mountPath.length)
  let rewritten = text
  for (const { mountPath, claim } of claimMounts) {
    rewritten = rewritten.replace(new RegExp(`${escapeRegExp(mountPath)}(?=[/\\s"']|$)`, 'gm'), ctx.claimDirectory(claim))
  }
  return rewritten
}

/** The process for the pod's container; throws LaunchError when the pod cannot be run as asked. */
export function preparePodLaunch(ctx: LaunchContext): Launch {
  const container = theContainer(ctx.pod)
  const env = containerEnv(ctx.pod, container, ctx.configMap)
  const configPath = env.AEROLITE_CONFIG ?? IMAGE_CONFIG_PATH
  const configDir = join(ctx.podDir, 'config')
  mkdirSync(configDir, { recursive: true })
  const configFile = join(configDir, basename(configPath))
  writeFileSync(configFile, configText(ctx, container, configPath))
  const { service, fabric, http } = ctx.ports
  return {
    command: process.execPath,
    args: [AEROLITE_BIN, 'start'],
    // A container sees its own environment, not the test's: only PATH and HOME come from outside.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...(process.env.HOME === undefined ? {} : { HOME: process.env.HOME }),
      ...env,
      AEROLITE_PORT: String(service),
      AEROLITE_FABRIC_PORT: String(fabric),
      AEROLITE_HTTP_PORT: String(http),
      AEROLITE_ADDRESS: LOOPBACK,
      AEROLITE_ACCESS_ADDRESS: LOOPBACK,
      AEROLITE_ACCESS_PORT: String(service),
      AEROLITE_ETCD: ctx.etcdEndpoint,
      AEROLITE_CONFIG: configFile,
      AEROLITE_LOG_LEVEL: env.AEROLITE_LOG_LEVEL ?? 'warn',
    },
    cwd: ctx.podDir,
    containerName: container.name,
    image: container.image ?? '',
  }
}
