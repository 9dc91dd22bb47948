// From a pod spec to the aerolite process: environment, config file, overrides, refusals.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { V1Container, V1Volume } from '@kubernetes/client-node'
import type { ConfigMapObject, PodObject } from './kube-types.ts'
import { LaunchError, expandReferences, preparePodLaunch, type Launch } from './pod-launch.ts'

const dir = mkdtempSync(join(tmpdir(), 'fake-kube-launch-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const CONFIG = 'namespace test {\n    storage-engine device {\n        file /var/lib/aerolite/test.dat\n        file /var/lib/aerolite-extra/x.dat\n    }\n}\n'
const configMaps: Record<string, ConfigMapObject> = {
  cfg: { metadata: { name: 'cfg' }, data: { 'aerolite.conf': CONFIG, other: 'x', 'rack-id': '7' } },
}

function pod(container: Partial<V1Container>, volumes: V1Volume[] = [{ name: 'config', configMap: { name: 'cfg' } }, { name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }]): PodObject {
  return {
    metadata: { name: 'web-0', namespace: 'ns', uid: 'u-1', labels: { zone: 'a' } },
    spec: {
      containers: [{
        name: 'aerolite',
        image: 'aerolite:2',
        volumeMounts: [{ name: 'config', mountPath: '/etc/aerolite' }, { name: 'data', mountPath: '/var/lib/aerolite' }],
        ...container,
      }],
      volumes,
    },
  }
}

function launch(p: PodObject): Launch {
  return preparePodLaunch({
    pod: p,
    ports: { service: 4000, fabric: 4001, http: 4002 },
    podDir: join(dir, 'pod'),
    etcdEndpoint: '127.0.0.1:2379',
    configMap: (name) => configMaps[name],
    claimDirectory: (claim) => join(dir, 'volumes', claim),
  })
}

function refusal(p: PodObject): string {
  try {
    launch(p)
  } catch (err) {
    assert.ok(err instanceof LaunchError, String(err))
    return `${err.reason}: ${err.message}`
  }
  assert.fail('launched')
}

test('environment: values, $(VAR) references, fieldRef, configMapKeyRef; then the fake overrides', () => {
  const { env, args, image, cwd } = launch(pod({
    args: ['start'],
    env: [
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'ZONE', valueFrom: { fieldRef: { fieldPath: "metadata.labels['zone']" } } },
      { name: 'NAME', value: '$(POD).$(ZONE) $$(POD) $(UNDEFINED)' },
      { name: 'AEROLITE_RACK_ID', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'rack-id' } } },
      { name: 'AEROLITE_PORT', value: '3000' },
      { name: 'AEROLITE_ACCESS_ADDRESS', value: '$(IP)' },
      { name: 'AEROLITE_LOG_LEVEL', value: 'debug' },
    ],
  }))
  assert.equal(env.NAME, 'web-0.a $(POD) $(UNDEFINED)')
  assert.equal(env.IP, '127.0.0.1')
  assert.equal(env.AEROLITE_RACK_ID, '7')
  assert.equal(env.AEROLITE_PORT, '4000')
  assert.equal(env.AEROLITE_FABRIC_PORT, '4001')
  assert.equal(env.AEROLITE_HTTP_PORT, '4002')
  assert.equal(env.AEROLITE_ACCESS_ADDRESS, '127.0.0.1')
  assert.equal(env.AEROLITE_ETCD, '127.0.0.1:2379')
  assert.equal(env.AEROLITE_LOG_LEVEL, 'debug')
  assert.equal(env.NODE_TEST_CONTEXT, undefined, "the test's own environment stays out")
  assert.deepEqual([args.at(-1), image, cwd], ['start', 'aerolite:2', join(dir, 'pod')])
  assert.equal(expandReferences('$(A)$(B)', { A: 'x' }), 'x$(B)')
})

test('config: the ConfigMap key at AEROLITE_CONFIG (the image default without it), claim mount paths replaced', () => {
  const { env } = launch(pod({}))
  assert.equal(env.AEROLITE_LOG_LEVEL, 'warn')
  assert.equal(env.AEROLITE_CONFIG, join(dir, 'pod', 'config', 'aerolite.conf'))
  const text = readFileSync(env.AEROLITE_CONFIG!, 'utf8')
  assert.match(text, new RegExp(`file ${join(dir, 'volumes', 'data-web-0')}/test.dat\\n`))
  assert.match(text, /file \/var\/lib\/aerolite-extra\/x\.dat/, 'only the mount path itself, not a longer name that starts with it')

  const mapped = launch(pod({ env: [{ name: 'AEROLITE_CONFIG', value: '/conf/main.conf' }], volumeMounts: [{ name: 'config', mountPath: '/conf' }] }, [{ name: 'config', configMap: { name: 'cfg', items: [{ key: 'other', path: 'main.conf' }] } }]))
  assert.equal(readFileSync(mapped.env.AEROLITE_CONFIG!, 'utf8'), 'x')
  const subPath = launch(pod({ volumeMounts: [{ name: 'config', mountPath: '/etc/aerolite/aerolite.conf', subPath: 'other' }] }))
  assert.equal(readFileSync(subPath.env.AEROLITE_CONFIG!, 'utf8'), 'x')
})

test('what the fake refuses is said, not guessed', () => {
  assert.match(refusal(pod({ args: ['info'] })), /^CreateContainerError: .*only "aerolite start"/)
  assert.match(refusal(pod({ command: ['sh'] })), /^CreateContainerError: .*entrypoint/)
  assert.match(refusal(pod({ volumeMounts: [] })), /^CreateContainerConfigError: the config \/etc\/aerolite\/aerolite.conf is not in a ConfigMap volume/)
  assert.match(refusal(pod({}, [{ name: 'config', configMap: { name: 'missing' } }])), /configmap "missing" not found/)
  assert.match(refusal(pod({ env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'status.phase' } } }] })), /fieldRef status.phase is not supported/)
  assert.match(refusal(pod({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] })), /only value, fieldRef and configMapKeyRef/)
  const twoContainers = pod({})
  twoContainers.spec.containers.push({ name: 'sidecar' })
  assert.match(refusal(twoContainers), /exactly one container/)
})
