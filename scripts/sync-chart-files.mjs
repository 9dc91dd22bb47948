#!/usr/bin/env node
// Helm reads no file outside the chart's folder, so the chart carries copies of the alert rules
// and Grafana dashboards of deploy/monitoring/, which stay the sources of truth. Run
// `node scripts/sync-chart-files.mjs` after changing them; with --check it changes nothing, lists
// the copies that differ (or should not exist) and exits 1 (test/deploy/helm-chart.test.ts runs it).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const monitoring = join(root, 'deploy/monitoring')
const chartFiles = join(root, 'deploy/helm/aerolite/files')

const jsonIn = (dir) => (existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')).sort() : [])

/** [source, copy] pairs. */
const copies = [
  [join(monitoring, 'aerolite-rules.yml'), join(chartFiles, 'aerolite-rules.yml')],
  ...jsonIn(join(monitoring, 'dashboards')).map((name) => [join(monitoring, 'dashboards', name), join(chartFiles, 'dashboards', name)]),
]
const wanted = new Set(copies.map(([, copy]) => copy))
const stale = jsonIn(join(chartFiles, 'dashboards')).map((name) => join(chartFiles, 'dashboards', name)).filter((copy) => !wanted.has(copy))
const differing = copies.filter(([source, copy]) => !existsSync(copy) || !readFileSync(copy).equals(readFileSync(source)))

if (process.argv.includes('--check')) {
  for (const [source, copy] of differing) console.error(`${relative(root, copy)} ${existsSync(copy) ? 'differs from' : 'is missing: it copies'} ${relative(root, source)}`)
  for (const copy of stale) console.error(`${relative(root, copy)} has no source in deploy/monitoring/dashboards/`)
  if (differing.length + stale.length > 0) {
    console.error('run: node scripts/sync-chart-files.mjs')
    process.exit(1)
  }
} else {
  for (const [source, copy] of differing) {
    mkdirSync(join(copy, '..'), { recursive: true })
    writeFileSync(copy, readFileSync(source))
    console.log(`copied ${relative(root, source)} to ${relative(root, copy)}`)
  }
  for (const copy of stale) {
    rmSync(copy)
    console.log(`removed ${relative(root, copy)}`)
  }
}
