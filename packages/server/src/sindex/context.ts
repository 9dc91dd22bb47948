// CDT contexts of indexes: the packed [type, value, ...] list of sindex-create's `context=` and the
// query's INDEX_CONTEXT field, and the walk from a bin value down to the indexed element.
import { MsgpackReader, type Value } from '@aerolite/protocol'
import { equalTo, listItems, mapEntries, sortValues } from './value-order.ts'

export const ContextType = {
  LIST_INDEX: 0x10,
  LIST_RANK: 0x11,
  LIST_VALUE: 0x13,
  MAP_INDEX: 0x20,
  MAP_RANK: 0x21,
  MAP_KEY: 0x22,
  MAP_VALUE: 0x23,
} as const

const KNOWN_TYPES = new Set<number>(Object.values(ContextType))

export interface ContextStep {
  type: number
  value: Value
}

/** Parsed steps, or undefined when the bytes are not a valid index context (create flags included). */
export function parseContext(packed: Buffer): ContextStep[] | undefined {
  try {
    const reader = new MsgpackReader(packed)
    const count = reader.readArrayHeader()
    if (count === 0 || count % 2 !== 0) return undefined
    const steps: ContextStep[] = []
    for (let i = 0; i < count; i += 2) {
      const type = reader.value()
      const value = reader.value()
      if (typeof type !== 'number' || !KNOWN_TYPES.has(type)) return undefined
      if ((type === ContextType.LIST_INDEX || type === ContextType.LIST_RANK || type === ContextType.MAP_INDEX || type === ContextType.MAP_RANK) && typeof value !== 'number') return undefined
      steps.push({ type, value })
    }
    if (reader.remaining !== 0) return undefined
    return steps
  } catch {
    return undefined
  }
}

function at<T>(items: readonly T[], index: number): T | undefined {
  return items[index < 0 ? items.length + index : index]
}

/** The element the steps lead to, or undefined when the path does not exist in this value. */
export function walkContext(value: Value, steps: readonly ContextStep[]): Value | undefined {
  let current: Value | undefined = value
  for (const step of steps) {
    if (current === undefined) return undefined
    const here: Value = current
    if (Array.isArray(here)) {
      const items = listItems(here)
      switch (step.type) {
        case ContextType.LIST_INDEX: current = at(items, step.value as number); break
        case ContextType.LIST_RANK: current = at(sortValues(items, (v) => v), step.value as number); break
        case ContextType.LIST_VALUE: current = items.find(equalTo(step.value)); break
        default: return undefined
      }
    } else if (here instanceof Map) {
      const entries = mapEntries(here)
      switch (step.type) {
        case ContextType.MAP_KEY: {
          const wanted = equalTo(step.value)
          current = entries.find(([k]) => wanted(k))?.[1]
          break
        }
        case ContextType.MAP_VALUE: {
          const wanted = equalTo(step.value)
          current = entries.find(([, v]) => wanted(v))?.[1]
          break
        }
        case ContextType.MAP_INDEX: current = at(sortValues(entries, ([k]) => k), step.value as number)?.[1]; break
        case ContextType.MAP_RANK: current = at(sortValues(entries.map(([, v]) => v), (v) => v), step.value as number); break
        default: return undefined
      }
    } else {
      return undefined
    }
  }
  return current
}
