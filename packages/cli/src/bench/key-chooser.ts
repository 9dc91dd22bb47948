// Which key the next command uses: the next unused key (insert), or a random one, uniform or with
// a hot set that gets a given share of the commands.
import type { Distribution } from './options.ts'
import type { Random } from './random.ts'

export interface KeyChooser {
  /** A key index in [0, keys), or -1 when an insert has used every key. */
  next(): number
}

export function sequentialKeys(keys: number): KeyChooser {
  let nextIndex = 0
  return { next: () => (nextIndex < keys ? nextIndex++ : -1) }
}

export function randomKeys(keys: number, distribution: Distribution, random: Random): KeyChooser {
  if (distribution.kind === 'uniform') return { next: () => random.below(keys) }
  const hotKeys = Math.min(keys, Math.max(1, Math.floor((keys * distribution.keysPercent) / 100)))
  const coldKeys = keys - hotKeys
  const { opsPercent } = distribution
  return {
    next: () => (coldKeys === 0 || random.percent() < opsPercent ? random.below(hotKeys) : hotKeys + random.below(coldKeys)),
  }
}
