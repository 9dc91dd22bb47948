// The two-region runs at full size (packages/sim/test/regions.test.ts runs them reduced in CI):
// two regions in network namespaces, HAProxy from `aerolite deploy global-lb` in front, the
// application writing through it; region A cut off, then healed. One run with region A taking the
// writes, one with region B writing the same records too (conflict-resolve-writes on both). Needs
// root, ip, nft and haproxy.
//
//   node --import tsx bench/regions.mjs [--rate 1000] [--healthy-seconds 30] [--outage-seconds 20] [--out bench/results/regions.json]
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { regionsUnusable, runRegions } from '../packages/sim/src/regions/region-run.ts'

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    'healthy-seconds': { type: 'string', default: '30' },
    'outage-seconds': { type: 'string', default: '20' },
    out: { type: 'string', default: 'bench/results/regions.json' },
  },
})
const unusable = regionsUnusable()
if (unusable !== undefined) {
  console.error(`bench/regions.mjs: ${unusable}`)
  process.exit(2)
}
const base = {
  ratePerSecond: Number(values.rate),
  healthyMs: Number(values['healthy-seconds']) * 1000,
  outageMs: Number(values['outage-seconds']) * 1000,
  periodMs: 100,
  // The official clients' defaults.
  clientTendIntervalMs: 1000,
  clientConnectTimeoutMs: 1000,
  convergeLimitMs: 60_000,
}
const runs = []
for (const activeActive of [false, true]) {
  const report = await runRegions({ ...base, activeActive }, (line) => console.log(`  ${line}`))
  console.log(JSON.stringify(report))
  runs.push(report)
}
const command = `node --import tsx bench/regions.mjs ${process.argv.slice(2).join(' ')}`.trim()
const machine = { cpu: cpus()[0]?.model, cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version }
writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), command, machine, runs }, null, 2)}\n`)
console.log(`written to ${values.out}`)
