#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function, highest first.
// Functions in an esbuild bundle are traced back to their source file through the bundle's
// source map (`<bundle>.map`, beside it), or else through the `// path/to/file.ts` comments an
// unminified bundle has at the start of each module.
//
//   node bench/profile-summary.mjs FILE.cpuprofile [--top N]
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repositoryPath = (source) => source.replace(/^file:\/\//, '').replace(/^.*?(?=packages\/|node_modules\/)/, '').replace(/^node_modules\//, '').replace(/^(\.\.\/)+/, '')

/** Where a bundle's lines came from: its source map, or the lines where each module starts. */
function bundleSources(path, cache) {
  if (cache.has(path)) return cache.get(path)
  let sources
  try {
    if (existsSync(`${path}.map`)) {
      const map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')))
      sources = { map }
    } else {
      const starts = []
      readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
        const m = /^\/\/ (\S+\.(?:ts|mjs|js))$/.exec(text)
        if (m) starts.push({ line: i, source: repositoryPath(m[1]) })
      })
      sources = { starts }
    }
  } catch {
    sources = { starts: [] }
  }
  cache.set(path, sources)
  return sources
}

function sourceOf(url, line, column, cache) {
  if (!url.startsWith('file://')) return url || '(native)'
  const path = fileURLToPath(url)
  const { map, starts } = bundleSources(path, cache)
  if (map !== undefined) {
    const entry = map.findEntry(line, column)
    return entry.originalSource === undefined ? path : repositoryPath(resolve(dirname(path), entry.originalSource))
  }
  let source
  for (const s of starts) {
    if (s.line <= line) source = s.source
    else break
  }
  return source ?? path.replace(/^.*node_modules\//, '')
}

/** Returns { totalMs, rows: [{ name, source, line, selfMs, selfPct }] } sorted by self time. */
export function summariseProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map()
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < profile.samples.length; i++) {
    // A sample's time is the delta to the next sample.
    const dt = deltas[i + 1] ?? 0
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt)
  }
  const cache = new Map()
  const rows = new Map()
  let totalUs = 0
  for (const [id, us] of selfUs) {
    totalUs += us
    const { callFrame } = byId.get(id)
    const name = callFrame.functionName || '(anonymous)'
    const source = sourceOf(callFrame.url, callFrame.lineNumber, callFrame.columnNumber, cache)
    const key = `${name}\t${source}`
    const row = rows.get(key) ?? { name, source, selfUs: 0 }
    row.selfUs += us
    rows.set(key, row)
  }
  const idle = new Set(['(idle)', '(program)', '(garbage collector)'])
  const sorted = [...rows.values()].sort((a, b) => b.selfUs - a.selfUs)
  const busyUs = sorted.filter((r) => r.name !== '(idle)').reduce((s, r) => s + r.selfUs, 0)
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    rows: sorted.map((r) => ({ name: r.name, source: r.source, selfMs: r.selfUs / 1000, pctOfBusy: busyUs === 0 ? 0 : (100 * r.selfUs) / busyUs, kind: idle.has(r.name) ? 'vm' : 'js' })),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, ...rest] = process.argv.slice(2)
  if (!file) {
    console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N]')
    process.exit(2)
  }
  const top = rest[0] === '--top' ? Number(rest[1]) : 25
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')))
  console.log(`profile: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms not idle`)
  for (const r of summary.rows.filter((r) => r.name !== '(idle)').slice(0, top)) console.log(`${r.pctOfBusy.toFixed(1).padStart(5)}%  ${r.selfMs.toFixed(0).padStart(7)} ms  ${r.name}  ${r.source}`)
}
