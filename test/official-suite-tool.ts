// The official Aerospike Node client's own suite, through ../shared/tools/official-client-suite,
// which compares every test with Aerospike CE 8.1 and counts the regressions.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const OFFICIAL_SUITE_TOOL = fileURLToPath(new URL('../../shared/tools/official-client-suite', import.meta.url))

/** Runs the tool with `args` (--host, --port, --json, test files) and fails unless no test regressed; returns its output. */
export async function assertNoSuiteRegressions(args: readonly string[]): Promise<string> {
  const child = spawn(OFFICIAL_SUITE_TOOL, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const count = /regressions \(failed, skipped or missing here\): (\d+)/.exec(output)
  assert.ok(count !== null, `the suite did not run (exit ${code}):\n${output.slice(-3000)}`)
  assert.equal(Number(count[1]), 0, `regressions:\n${output.split('\n').filter((l) => /regressions|suite:|^\s+\[|^\s{4,}\S/.test(l)).join('\n')}`)
  assert.equal(code, 0, output.slice(-2000))
  return output
}
