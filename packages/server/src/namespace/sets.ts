// Sets of one namespace: name <-> 16-bit id (0 = no set), per-set counters and truncate cutoffs.
import { limits } from '../limits.ts'

export interface SetState {
  id: number
  name: string
  objects: number
  dataUsedBytes: number
  /** Records last updated at or before this time (ms) were truncated. 0 = never. */
  truncateLutMs: number
  stopWritesCount: number
  stopWritesSizeBytes: number
  disableEviction: boolean
}

export class SetRegistry {
  private readonly byName = new Map<string, SetState>()
  private readonly byId: (SetState | undefined)[] = [undefined]
  /** Told of each new set, so a persistent namespace records its id before any record of the set reaches disk. */
  onCreate: (() => void) | undefined

  get(name: string): SetState | undefined {
    return this.byName.get(name)
  }

  byIdOf(id: number): SetState | undefined {
    return this.byId[id]
  }

  /** Returns the set, creating it on first use; undefined when the namespace has no room for more. */
  getOrCreate(name: string): SetState | undefined {
    const existing = this.byName.get(name)
    if (existing) return existing
    if (this.byId.length > limits.maxSetsPerNamespace) return undefined
    const state = this.add(name)
    this.onCreate?.()
    return state
  }

  /** Set names in id order (id n is names()[n - 1]). */
  names(): string[] {
    return this.byId.slice(1).map((set) => set!.name)
  }

  /** Recreates the sets of a restarted namespace with their ids. */
  restore(names: readonly string[]): void {
    for (const name of names) this.add(name)
  }

  private add(name: string): SetState {
    const state: SetState = {
      id: this.byId.length,
      name,
      objects: 0,
      dataUsedBytes: 0,
      truncateLutMs: 0,
      stopWritesCount: 0,
      stopWritesSizeBytes: 0,
      disableEviction: false,
    }
    this.byId.push(state)
    this.byName.set(name, state)
    return state
  }

  all(): SetState[] {
    return [...this.byName.values()]
  }
}
