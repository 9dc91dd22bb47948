// Runs the official Aerospike Node client's own test suite (the files the single-node work covers)
// against a node started here, through ../shared/tools/official-client-suite, which compares every
// test with Aerospike CE 8.1. Skipped where that tool is not present.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startServer, type EmbeddedServer } from '@aerolite/server'

const tool = fileURLToPath(new URL('../../shared/tools/official-client-suite', import.meta.url))
const FILES = [
  'aerospike_module', 'client', 'command', 'config', 'connect_timeout', 'double', 'bigint', 'error', 'exists', 'get',
  'info', 'key', 'policy', 'put', 'remove', 'remove_bin', 'select', 'status', 'stats', 'truncate', 'utils',
  'circuit_breaker', 'replica_random',
]

describe('official client suite', { skip: existsSync(tool) ? false : `${tool} not found` }, () => {
  let server: EmbeddedServer
  before(async () => {
    server = await startServer({ logLevel: 'error' })
  })
  after(async () => {
    await server?.stop()
  })

  it('has no regressions against Aerospike CE 8.1 for the single-record files', { timeout: 15 * 60 * 1000 }, async () => {
    const child = spawn(tool, ['--port', String(server.port), ...FILES], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    const summary = output.split('\n').filter((line) => /regressions|suite:|^\s+\[/.test(line)).join('\n')
    assert.equal(code, 0, `official suite reported regressions or could not run:\n${summary}\n${output.slice(-2000)}`)
    assert.match(output, /regressions \(failed, skipped or missing here\): 0/)
  })
})
