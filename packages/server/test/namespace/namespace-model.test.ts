// Model-based test of the Namespace: random sequences of steps, each applied to a real namespace
// (in memory, memory backed by a file, and on a device file) and to a plain Map, which must agree
// after every step: contents, generations, void times, last-update times, sets and counts.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { ModelRunner, runSteps, stepArbitrary, type StorageMode, type Step } from './namespace-model.ts'

const RUNS = process.env.CI ? 8 : 30

async function runInTempDir(mode: StorageMode, steps: readonly Step[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-model-'))
  const runner = await ModelRunner.open(mode, join(dir, 'model.dat'))
  try {
    await runSteps(runner, steps)
  } finally {
    await runner.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('Namespace against a Map model', () => {
  for (const mode of ['memory', 'memory-file', 'device', 'memory-cluster'] as const) {
    it(`${mode}: random steps agree with the model after every step`, async () => {
      await fc.assert(fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 60, size: 'max' }), (steps) => runInTempDir(mode, steps)), { numRuns: RUNS })
    })
  }

  it('an eviction whose own cutoff is below the persisted one evicts to the persisted one (what a restart keeps)', async () => {
    // Found by the random steps: the second eviction chose an earlier cutoff than the first, kept a
    // record written since with a void time between the two, and a restart would have dropped it.
    const steps: Step[] = [
      { kind: 'store', set: 0, key: 0, value: 0, blobBytes: 506, ttlSeconds: 0 },
      { kind: 'store', set: 0, key: 3, value: 0, blobBytes: 2997, ttlSeconds: 0 },
      { kind: 'store', set: 0, key: 4, value: 0, blobBytes: 1739, ttlSeconds: 0 },
      { kind: 'store', set: 0, key: 5, value: 0, blobBytes: 213, ttlSeconds: 0 },
      { kind: 'store', set: 0, key: 1, value: 0, blobBytes: 2947, ttlSeconds: 1 },
      { kind: 'store', set: 1, key: 0, value: 0, blobBytes: 4, ttlSeconds: 0 },
      { kind: 'store', set: 0, key: 2, value: 0, blobBytes: 2991, ttlSeconds: 2 },
      { kind: 'store', set: 0, key: 6, value: 0, blobBytes: 3, ttlSeconds: 0 },
      { kind: 'evict', sharePct: 10 },
      { kind: 'store', set: 0, key: 0, value: 0, blobBytes: 1880, ttlSeconds: 1 },
      { kind: 'store', set: 0, key: 7, value: 0, blobBytes: 9, ttlSeconds: 0 },
      { kind: 'store', set: 2, key: 0, value: 0, blobBytes: 2996, ttlSeconds: 1 },
      { kind: 'store', set: 0, key: 8, value: 0, blobBytes: 0, ttlSeconds: 2 },
      { kind: 'evict', sharePct: 10 },
      { kind: 'expire' },
    ]
    for (const mode of ['memory', 'memory-file', 'device'] as const) await runInTempDir(mode, steps)
  })

  it('a fixed sequence through every kind of step agrees with the model', async () => {
    const steps: Step[] = [
      { kind: 'store', set: 1, key: 1, value: 10, blobBytes: 2000, ttlSeconds: 0 },
      { kind: 'store', set: 1, key: 2, value: 20, blobBytes: 2000, ttlSeconds: 30 },
      { kind: 'store', set: 2, key: 3, value: 30, blobBytes: 2000, ttlSeconds: 90 },
      { kind: 'store', set: 0, key: 4, value: 40, blobBytes: 0, ttlSeconds: 0 },
      { kind: 'store', set: 1, key: 1, value: 11, blobBytes: 100, ttlSeconds: 0 },
      { kind: 'touch', set: 2, key: 3, ttlSeconds: 50 },
      { kind: 'remove', set: 0, key: 4 },
      { kind: 'coldRestart' },
      { kind: 'advance', seconds: 40 },
      { kind: 'expire' },
      { kind: 'evict', sharePct: 50 },
      { kind: 'truncate', set: 1 },
      { kind: 'store', set: 1, key: 5, value: 50, blobBytes: 10, ttlSeconds: 0 },
      { kind: 'defrag' },
      { kind: 'fastRestart' },
      { kind: 'store', set: 2, key: 3, value: 31, blobBytes: 10, ttlSeconds: 0 },
      { kind: 'coldRestart' },
    ]
    for (const mode of ['memory', 'memory-file', 'device', 'memory-cluster'] as const) await runInTempDir(mode, steps)
  })

  it('the checker fails when the namespace and the model disagree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aerolite-model-'))
    const runner = await ModelRunner.open('device', join(dir, 'model.dat'))
    try {
      await runner.apply({ kind: 'store', set: 1, key: 1, value: 1, blobBytes: 0, ttlSeconds: 0 })
      runner.check()
      runner.model.get('a/1')!.generation = 7
      assert.throws(() => runner.check(), /a\/1: .*"generation":1.*the model has .*"generation":7/)
    } finally {
      await runner.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
