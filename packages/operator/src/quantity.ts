// Kubernetes quantities of storage ("50Gi", "100G", "1.5Ti") as bytes, to tell a volume's growth
// from a shrink. Only the forms a size is written in: no milli units, no exponents.

const SUFFIX_BYTES: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
}

/** The pattern the CRD gives volume sizes; parseQuantityBytes reads exactly these. */
export const STORAGE_QUANTITY_PATTERN = '^[0-9]+(\\.[0-9]+)?([KMGTPE]i|[kMGTPE])?$'

const QUANTITY = new RegExp(STORAGE_QUANTITY_PATTERN)

/** Bytes of `quantity` (fractions round up, as the API server does), or undefined when it is not one. */
export function parseQuantityBytes(quantity: string): number | undefined {
  if (!QUANTITY.test(quantity)) return undefined
  const match = /^([0-9.]+)(.*)$/.exec(quantity)!
  const factor = SUFFIX_BYTES[match[2]!]
  return factor === undefined ? undefined : Math.ceil(Number(match[1]) * factor)
}
