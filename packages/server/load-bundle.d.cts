// Types of load-bundle.cjs, for the TypeScript tests that use it.
export declare const BUILD_ID_PLACEHOLDER: string
export declare function buildFilePath(bundlePath: string, buildId: string, what: 'cache' | 'inputs'): string
export interface Bundle {
  path: string
  source: string
  buildId: string | undefined
  mtimeMs: number
}
export declare function readBundle(path: string): Bundle | undefined
export declare function runBundle(bundle: Bundle): Record<string, unknown>
export declare function loadBundle(path: string): Record<string, unknown>
