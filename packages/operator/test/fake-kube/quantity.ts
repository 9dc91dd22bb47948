// Kubernetes resource quantities ("64Mi", "1G", "500m"), enough to compare storage sizes.
import { badRequest } from './errors.ts'

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
}

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?)$/

export function parseQuantity(text: string): number {
  const match = QUANTITY.exec(text.trim())
  if (match === null) throw badRequest(`quantities must match the regular expression of Kubernetes quantities: "${text}"`)
  const exponent = match[2] === undefined ? 1 : 10 ** Number(match[2].slice(1))
  return Number(match[1]) * exponent * SUFFIX[match[3] ?? '']!
}
