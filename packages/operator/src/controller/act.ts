// Carries out the planner's actions against the Kubernetes API and the nodes, in order; the first
// that fails stops the rest (the planner puts updateStatus last, so a failed step is never
// recorded as done).
import type { AppsV1Api, ConfigurationOptions, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node'
import { rackLabels } from '../names.ts'
import type { Action } from '../types.ts'
import { configMapManifest, headlessServiceManifest, statefulSetManifest, type Owner } from './manifests.ts'
import { commandNode, type InfoClient, type NodeAddress } from './node-info.ts'

export interface ActContext {
  owner: Owner
  core: CoreV1Api
  apps: AppsV1Api
  custom: CustomObjectsApi
  info: InfoClient
  /** Where the node of a pod listens, by pod name (pods the last observation saw). */
  nodeAddress(podName: string): NodeAddress
  /** Restarts the node's process in its pod (the container restarts, the pod stays). */
  warmRestart(namespace: string, podName: string): Promise<void>
  /** Request options that send a patch as a merge patch or a JSON patch. */
  patchAs: { merge: ConfigurationOptions; json: ConfigurationOptions }
}
/** How long an orphaning delete of a StatefulSet may take before the step fails (and is planned again). */
const ORPHAN_DELETE_WAIT_MS = 30_000

export async function act(context: ActContext, action: Action): Promise<void> {
  const { owner, core, apps, custom } = context
  const namespace = owner.namespace
  switch (action.kind) {
    case 'createHeadlessService':
      await core.createNamespacedService({ namespace, body: headlessServiceManifest(owner, action.service) })
      return
    case 'createConfigMap':
      await core.createNamespacedConfigMap({ namespace, body: configMapManifest(owner, action.configMap, rackLabels(owner.name, action.configMap.rackId)) })
      return
    case 'updateConfigMap':
      await core.replaceNamespacedConfigMap({ name: action.configMap.name, namespace, body: configMapManifest(owner, action.configMap, rackLabels(owner.name, action.configMap.rackId)) })
      return
    case 'createStatefulSet':
      await apps.createNamespacedStatefulSet({ namespace, body: statefulSetManifest(owner, action.template, action.replicas) })
      return
    case 'updateStatefulSet': {
      // Only the pod template changes (OnDelete: no pod restarts by it); replicas stay as they are.
      const template = statefulSetManifest(owner, action.template, 0).spec!.template
      await apps.patchNamespacedStatefulSet({ name: action.template.statefulSetName, namespace, body: [{ op: 'replace', path: '/spec/template', value: template }] }, context.patchAs.json)
      return
    }
    case 'scaleStatefulSet':
      await apps.patchNamespacedStatefulSet({ name: action.statefulSetName, namespace, body: { spec: { replicas: action.replicas } } }, context.patchAs.merge)
      return
    case 'quiesceNodes':
      for (const podName of action.podNames) await commandNode(context.info, context.nodeAddress(podName), 'quiesce:')
      return
    case 'quiesceUndo':
      for (const podName of action.podNames) await commandNode(context.info, context.nodeAddress(podName), 'quiesce-undo:')
      return
    case 'recluster':
      await commandNode(context.info, context.nodeAddress(action.podName), 'recluster:')
      return
    case 'waitForMigrations':
      return
    case 'deletePod':
      await core.deleteNamespacedPod({ name: action.podName, namespace })
      return
    case 'setConfig':
      await commandNode(context.info, context.nodeAddress(action.podName), action.command)
      return
    case 'warmRestart':
      await context.warmRestart(namespace, action.podName)
      return
    case 'patchPvcSize':
      await core.patchNamespacedPersistentVolumeClaim({ name: action.pvcName, namespace, body: { spec: { resources: { requests: { storage: action.size } } } } }, context.patchAs.merge)
      return
    case 'recreateStatefulSetOrphan': {
      const name = action.template.statefulSetName
      await apps.deleteNamespacedStatefulSet({ name, namespace, propagationPolicy: 'Orphan' })
      const deadlineMs = Date.now() + ORPHAN_DELETE_WAIT_MS
      while (await apps.readNamespacedStatefulSet({ name, namespace }).then(() => true, () => false)) {
        if (Date.now() > deadlineMs) throw new Error(`StatefulSet ${name} still exists ${ORPHAN_DELETE_WAIT_MS} ms after its orphaning delete`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      await apps.createNamespacedStatefulSet({ namespace, body: statefulSetManifest(owner, action.template, action.replicas) })
      return
    }
    case 'deleteRack':
      await apps.deleteNamespacedStatefulSet({ name: action.statefulSetName, namespace })
      await core.deleteNamespacedConfigMap({ name: action.configMapName, namespace })
      return
    case 'updateStatus':
      // JSON patch "add" sets the whole status (a merge patch would keep pods no longer listed).
      await custom.patchNamespacedCustomObjectStatus({
        group: 'aerolite.dev', version: 'v1alpha1', namespace, plural: 'aeroliteclusters', name: owner.name,
        body: [{ op: 'add', path: '/status', value: action.status }],
      }, context.patchAs.json)
      return
  }
}
