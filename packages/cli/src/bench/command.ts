// `aerolite bench`: parse the options, run, print progress and a summary, write --json.
import { writeFileSync } from 'node:fs'
import { AEROLITE_VERSION } from '../version.ts'
import { BENCH_USAGE, parseBenchOptions } from './options.ts'
import { progressLine, resultJson, summaryText } from './report.ts'
import { runBench } from './runner.ts'

/** Failures of the cluster or the environment, as opposed to bugs: one line and exit 1. */
const RUN_FAILURES = new Set(['ERR_CONNECT', 'ERR_CONNECT_TIMEOUT', 'ERR_CLOSED', 'ERR_TIMEOUT', 'ERR_FRAME', 'ERR_INFO', 'ERR_REPLICAS_FORMAT', 'ERR_PEERS_FORMAT', 'ERR_BENCH'])

export async function bench(argv: readonly string[]): Promise<number> {
  const options = parseBenchOptions(argv)
  if (options.help) {
    process.stdout.write(BENCH_USAGE)
    return 0
  }
  let result
  try {
    result = await runBench(options, (report) => process.stdout.write(progressLine(report)))
  } catch (err) {
    if (!RUN_FAILURES.has((err as { code?: string }).code ?? '')) throw err
    process.stderr.write(`aerolite: ${(err as Error).message}\n`)
    return 1
  }
  process.stdout.write(summaryText(result, options))
  if (options.jsonFile !== undefined) {
    try {
      writeFileSync(options.jsonFile, JSON.stringify(resultJson(result, options, argv, AEROLITE_VERSION), null, 2) + '\n')
    } catch (err) {
      process.stderr.write(`aerolite: cannot write --json ${options.jsonFile}: ${(err as Error).message}\n`)
      return 1
    }
  }
  return 0
}
