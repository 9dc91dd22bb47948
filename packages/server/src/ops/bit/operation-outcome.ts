// The shapes the bit and HLL families share with the expression engine, which applies single bit
// and HLL op payloads to bin values (see the notes at the top of bit/index.ts and hll/index.ts).

/** A bin value in wire particle form (a record Bin fits). */
export interface TypedValue {
  particleType: number
  value: Buffer
}

/** 'read': the payload must be a read op of the family; 'modify': a modify op. */
export type OperationMode = 'read' | 'modify'

export interface OperationOutcome {
  /** The bin after the op; undefined when there is no bin. */
  bin: TypedValue | undefined
  /** The op's result value; undefined when it has none. */
  result: TypedValue | undefined
}
