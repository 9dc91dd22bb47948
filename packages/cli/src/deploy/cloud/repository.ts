// The chart and the seed application live in the Aerolite repository; the rendered scripts build
// and install from it. Found by walking up from this module (a source file or the bundle).
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { UsageError } from '../../args.ts'

export const CHART_PATH = 'deploy/helm/aerolite'
export const SEED_APP_PATH = 'examples/seed-app'

export function repositoryDir(from = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, CHART_PATH, 'Chart.yaml')) && existsSync(join(dir, SEED_APP_PATH, 'k8s'))) return dir
    if (dirname(dir) === dir) throw new UsageError(`deploy cloud renders from the Aerolite repository (${CHART_PATH}, ${SEED_APP_PATH}), which is not around ${from}: run it from a checkout`)
  }
}
