// The web console's files: its page, script and style (metrics/console/), and uPlot (the charts),
// read once from the package and kept. The same code runs from src/ (tests) and from the bundle
// in dist/, so the console folder is looked for beside both.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { readShippedFile } from '../env/shipped-files.ts'

export interface Asset {
  contentType: string
  body: Buffer
}

/** The console folder from src/metrics/ (tests) and from dist/ (the bundle). */
const consoleFile = (name: string) => (): string[] =>
  ['./console/', '../src/metrics/console/'].map((dir) => fileURLToPath(new URL(`${dir}${name}`, import.meta.url)))
const packageFile = (specifier: string) => (): string[] => [createRequire(import.meta.url).resolve(specifier)]

const FILES: Record<string, { paths: () => string[]; contentType: string }> = {
  '/': { paths: consoleFile('index.html'), contentType: 'text/html; charset=utf-8' },
  '/console.js': { paths: consoleFile('console.js'), contentType: 'text/javascript; charset=utf-8' },
  '/console.css': { paths: consoleFile('console.css'), contentType: 'text/css; charset=utf-8' },
  '/uplot.js': { paths: packageFile('uplot/dist/uPlot.iife.min.js'), contentType: 'text/javascript; charset=utf-8' },
  '/uplot.css': { paths: packageFile('uplot/dist/uPlot.min.css'), contentType: 'text/css; charset=utf-8' },
}

const loaded = new Map<string, Asset>()

/** The asset served at `path`, or undefined when there is none. */
export function consoleAsset(path: string): Asset | undefined {
  const spec = FILES[path]
  if (spec === undefined) return undefined
  let asset = loaded.get(path)
  if (asset === undefined) {
    asset = { contentType: spec.contentType, body: readShippedFile(spec.paths()) }
    loaded.set(path, asset)
  }
  return asset
}
