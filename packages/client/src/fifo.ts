// A first-in first-out queue on a growable ring, so a busy connection's queue of waiters never
// shifts an array or allocates per entry.

export class Fifo<T> {
  private items: (T | undefined)[] = new Array<T | undefined>(8)
  private head = 0
  private count = 0

  get length(): number {
    return this.count
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow()
    this.items[(this.head + this.count) & (this.items.length - 1)] = item
    this.count++
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined
    this.head = (this.head + 1) & (this.items.length - 1)
    this.count--
    return item
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const out: T[] = []
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item)
    return out
  }

  private grow(): void {
    // The capacity stays a power of two so positions wrap with a mask.
    const next = new Array<T | undefined>(this.items.length * 2)
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & (this.items.length - 1)]
    this.items = next
    this.head = 0
  }
}
