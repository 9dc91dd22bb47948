// The check the compatibility tests make after a write: what the record now holds, and its generation.
import assert from 'node:assert/strict'
import type { AerospikeClient, AerospikeKey } from './helpers.ts'

/** Reads `key` with `client` and asserts its bins and generation. */
export async function expectRecord(client: AerospikeClient, key: AerospikeKey, bins: Record<string, unknown>, generation: number): Promise<void> {
  const record = await client.get(key)
  assert.deepEqual(record.bins, bins)
  assert.equal(record.gen, generation)
}
