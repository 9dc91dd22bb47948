// A record's bins as a small working copy, used while a write applies its ops.

export interface Bin {
  name: string
  particleType: number
  value: Buffer
}

export function findBin(bins: readonly Bin[], name: string): number {
  for (let i = 0; i < bins.length; i++) if (bins[i]!.name === name) return i
  return -1
}

/** Sets or replaces a bin, keeping the bins' order of first appearance. */
export function putBin(bins: Bin[], bin: Bin): void {
  const i = findBin(bins, bin.name)
  if (i < 0) bins.push(bin)
  else bins[i] = bin
}

export function removeBin(bins: Bin[], name: string): void {
  const i = findBin(bins, name)
  if (i >= 0) bins.splice(i, 1)
}
