// What a test that needs the golden vectors (../shared/vectors) does when they are missing: on a
// developer's machine it skips, since the folder lives beside the checkout only where the shared
// data is; in CI (the CI variable set) nothing may pass unchecked, so it runs and fails on the
// missing file.

/** The `skip` option for a test whose vectors are missing for `reason`. */
export function skipUnlessCi(reason: string): string | false {
  const ci = process.env.CI
  return ci !== undefined && ci !== '' ? false : reason
}
