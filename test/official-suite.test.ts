// Runs the official Aerospike Node client's own test suite against nodes started here, through
// ../shared/tools/official-client-suite, which compares every test with Aerospike CE 8.1 and
// fails on any regression. Skipped where that tool is not present.
import { describe, it } from 'node:test'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '@aerolite/server'
import { OFFICIAL_SUITE_TOOL as tool, assertNoSuiteRegressions } from './official-suite-tool.ts'

// The suite's global before-hook races with the first file's first tests, so each group starts
// with a file that does not depend on it (put, operate).
const GROUPS: Record<string, string[]> = {
  'single-record commands': [
    'put', 'aerospike_module', 'client', 'command', 'config', 'connect_timeout', 'double', 'bigint', 'error', 'exists',
    'get', 'info', 'key', 'policy', 'remove', 'remove_bin', 'select', 'status', 'stats', 'truncate', 'utils',
    'circuit_breaker', 'replica_random',
  ],
  'data types and operations': [
    'operate', 'lists', 'maps', 'cdt_context', 'bitwise', 'hll', 'geojson', 'exp', 'exp_list', 'exp_map', 'exp_bit',
    'exp_hll', 'path_expressions', 'path_operations',
  ],
  'batch, scan, query, indexes and UDFs': [
    'put', 'batch_apply', 'batch_exists', 'batch_get', 'batch_read', 'batch_remove', 'batch_select', 'batch_write',
    'scan', 'query', 'query_geojson_filter', 'query_geojson_filter_exp', 'query_numeric_filter',
    'query_numeric_filter_exp', 'query_string_filter', 'query_string_filter_exp', 'query_blob_filter',
    'query_blob_filter_exp', 'index', 'index_job', 'index_on_exp', 'apply', 'udf',
  ],
}

describe('official client suite', { skip: existsSync(tool) ? false : `${tool} not found` }, () => {
  for (const [group, files] of Object.entries(GROUPS)) {
    it(`has no regressions against Aerospike CE 8.1: ${group}`, { timeout: 20 * 60 * 1000 }, async () => {
      const server = await startServer({ logLevel: 'error' })
      try {
        await assertNoSuiteRegressions(['--port', String(server.port), '--json', join(tmpdir(), `aerolite-suite-${process.pid}-${server.port}.json`), ...files])
      } finally {
        await server.stop()
      }
    })
  }
})
