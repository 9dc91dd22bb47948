// The web console's files: its page, script and style (metrics/console/), and uPlot (the charts),
// read once from the package and kept. The same code runs from src/ (tests) and from the bundle
// in dist/, so the console folder is looked for beside both.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

export interface Asset {
  contentType: string
  body: Buffer
}

const CANDIDATE_DIRS = ['./console/', '../src/metrics/console/']

function consoleDir(): string {
  for (const candidate of CANDIDATE_DIRS) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url))
    if (existsSync(`${dir}index.html`)) return dir
  }
  throw new Error(`the web console's files are missing (looked in ${CANDIDATE_DIRS.join(', ')} beside ${import.meta.url})`)
}

const FILES: Record<string, { file: () => string; contentType: string }> = {
  '/': { file: () => `${consoleDir()}index.html`, contentType: 'text/html; charset=utf-8' },
  '/console.js': { file: () => `${consoleDir()}console.js`, contentType: 'text/javascript; charset=utf-8' },
  '/console.css': { file: () => `${consoleDir()}console.css`, contentType: 'text/css; charset=utf-8' },
  '/uplot.js': { file: () => createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), contentType: 'text/javascript; charset=utf-8' },
  '/uplot.css': { file: () => createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), contentType: 'text/css; charset=utf-8' },
}

const loaded = new Map<string, Asset>()

/** The asset served at `path`, or undefined when there is none. */
export function consoleAsset(path: string): Asset | undefined {
  const spec = FILES[path]
  if (spec === undefined) return undefined
  let asset = loaded.get(path)
  if (asset === undefined) {
    asset = { contentType: spec.contentType, body: readFileSync(spec.file()) }
    loaded.set(path, asset)
  }
  return asset
}
