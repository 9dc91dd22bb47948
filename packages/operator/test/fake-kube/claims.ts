// The PVC provisioner: every claim is bound at once to a directory of its own that outlives the
// pods using it (which is what lets a restarted pod keep its data), its capacity follows its
// requested storage (growth "succeeds" at once: no real volume is resized), and it is protected
// from deletion while a pod uses it (kubernetes.io/pvc-protection), then its directory goes.
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { FakeApiServer } from './api-server.ts'
import type { ClaimObject, PodObject } from './kube-types.ts'
import { jsonEqual } from './objects.ts'
import { isTerminating } from './store.ts'

const PVC_PROTECTION = 'kubernetes.io/pvc-protection'

export class ClaimProvisioner {
  private readonly api: FakeApiServer
  private readonly root: string
  /** namespace/name -> directory of every claim that has one. */
  private readonly directories = new Map<string, string>()

  constructor(api: FakeApiServer, root: string) {
    this.api = api
    this.root = root
  }

  directory(namespace: string, claim: string): string {
    return join(this.root, namespace, claim)
  }

  /** Creates the directory of a claim (a pod is about to use it). */
  ensureDirectory(namespace: string, claim: string): string {
    const dir = this.directory(namespace, claim)
    mkdirSync(dir, { recursive: true })
    this.directories.set(`${namespace}/${claim}`, dir)
    return dir
  }

  /** One pass over every claim; `pods` is every pod object (a pod uses a claim until it is gone). */
  sync(pods: readonly PodObject[]): void {
    const claims = this.api.list('persistentvolumeclaims') as ClaimObject[]
    const inUse = new Set(pods.flatMap((pod) => (pod.spec.volumes ?? []).flatMap((v) => v.persistentVolumeClaim === undefined ? [] : [`${pod.metadata.namespace}/${v.persistentVolumeClaim.claimName}`])))
    for (const claim of claims) {
      const { namespace, name } = claim.metadata
      const id = `${namespace}/${name}`
      const finalizers = claim.metadata.finalizers ?? []
      if (isTerminating(claim)) {
        if (finalizers.includes(PVC_PROTECTION) && !inUse.has(id)) {
          this.api.update('persistentvolumeclaims', namespace, { ...claim, metadata: { ...claim.metadata, finalizers: finalizers.filter((f) => f !== PVC_PROTECTION) } })
        }
        continue
      }
      let current = claim
      if (!finalizers.includes(PVC_PROTECTION)) {
        current = this.api.update('persistentvolumeclaims', namespace, { ...claim, metadata: { ...claim.metadata, finalizers: [...finalizers, PVC_PROTECTION] } }) as ClaimObject
      }
      const storage = current.spec.resources?.requests?.storage
      const status = {
        phase: 'Bound',
        ...(current.spec.accessModes === undefined ? {} : { accessModes: current.spec.accessModes }),
        ...(storage === undefined ? {} : { capacity: { storage } }),
      }
      if (!jsonEqual(current.status, status)) this.api.update('persistentvolumeclaims', namespace, { ...current, status }, { subresource: 'status' })
      this.ensureDirectory(namespace!, name!)
    }
    // A claim that is gone takes its volume with it (the Delete reclaim policy of dynamic provisioning).
    const present = new Set(claims.map((c) => `${c.metadata.namespace}/${c.metadata.name}`))
    for (const [id, dir] of this.directories) {
      if (present.has(id)) continue
      rmSync(dir, { recursive: true, force: true })
      this.directories.delete(id)
    }
  }
}
