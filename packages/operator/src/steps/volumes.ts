// Volume growth without recreating a rack's pods. A StatefulSet's volumeClaimTemplates cannot be
// changed, so: patch every PVC of the rack to the new size (the storage driver grows the volume
// under the running pod), then delete the StatefulSet leaving its pods and PVCs (orphan) and
// create it again with the new claim templates, so pods made later get the new size. Volumes
// only grow: a smaller size, or another storage class, is refused.
import { parseQuantityBytes } from '../quantity.ts'
import type { PlanContext, RackView } from '../plan-context.ts'
import type { Action, ObservedVolumeClaim, VolumeSpec } from '../types.ts'
import type { SpecProblem } from '../validate.ts'
import { doing, waiting, type Step } from './step.ts'

/** Sizes are valid quantities here: the spec was validated and the claims were written from one. */
function bytes(quantity: string): number {
  return parseQuantityBytes(quantity) ?? 0
}

function claimOf(rack: RackView, volume: VolumeSpec): ObservedVolumeClaim | undefined {
  return rack.statefulSet?.volumeClaims.find((claim) => claim.name === volume.name)
}

export function volumeRefusals(context: PlanContext): SpecProblem[] {
  const problems: SpecProblem[] = []
  for (const rack of context.racks) {
    for (const volume of rack.target?.rack.storage.volumes ?? []) {
      const claim = claimOf(rack, volume)
      if (claim === undefined) continue
      if (bytes(volume.size) < bytes(claim.size)) {
        problems.push({ reason: 'VolumeShrinkRefused', message: `rack ${rack.rackId} volume ${volume.name}: ${volume.size} is smaller than its claims' ${claim.size}; volumes only grow` })
      }
      if ((volume.storageClass ?? '') !== (claim.storageClass ?? '')) {
        problems.push({ reason: 'VolumeChangeRefused', message: `rack ${rack.rackId} volume ${volume.name}: storage class ${claim.storageClass ?? '(default)'} cannot change to ${volume.storageClass ?? '(default)'}` })
      }
    }
  }
  return problems
}

function claimsDiffer(rack: RackView): boolean {
  const volumes = rack.target?.rack.storage.volumes ?? []
  const claims = rack.statefulSet?.volumeClaims ?? []
  return volumes.length !== claims.length || volumes.some((volume) => {
    const claim = claimOf(rack, volume)
    return claim === undefined || bytes(claim.size) !== bytes(volume.size)
  })
}

export function volumeStep(context: PlanContext): Step | undefined {
  const patches: Action[] = []
  for (const rack of context.racks) {
    for (const volume of rack.target?.rack.storage.volumes ?? []) {
      // Every claim of the volume, also those of ordinals scaled away: a scale up would reuse them.
      for (const pvc of rack.pvcs) {
        if (pvc.volume === volume.name && bytes(pvc.requestedSize) < bytes(volume.size)) patches.push({ kind: 'patchPvcSize', pvcName: pvc.name, size: volume.size })
      }
    }
  }
  if (patches.length > 0) return doing('ResizingVolumes', `growing ${patches.length} volume claims`, patches)
  const recreate: Action[] = []
  const names: string[] = []
  for (const rack of context.racks) {
    if (rack.target === undefined || rack.statefulSet === undefined || !claimsDiffer(rack)) continue
    recreate.push({ kind: 'recreateStatefulSetOrphan', template: rack.target.template, replicas: rack.statefulSet.replicas })
    names.push(rack.statefulSet.name)
  }
  if (recreate.length === 0) return undefined
  return doing('ResizingVolumes', `recreating StatefulSet ${names.join(', ')} with the new volume claim templates; pods and volumes stay`, recreate)
}

/** Claims patched whose volumes have not grown yet (the driver may need the pod to restart). */
export function volumeResizeWait(context: PlanContext): Step | undefined {
  const pending = context.observed.pvcs.filter((pvc) => pvc.capacity !== undefined && bytes(pvc.capacity) < bytes(pvc.requestedSize))
  if (pending.length === 0) return undefined
  return waiting('ResizingVolumes', `waiting for volumes to grow: ${pending.map((pvc) => `${pvc.name} ${pvc.capacity} of ${pvc.requestedSize}`).join(', ')}`)
}
