// The UDF modules registered on this node (udf-put), by file name, with what udf-list and udf-get
// report. The hash is Aerospike's: SHA-1 of the module's metadata JSON, so it matches real nodes.
import { createHash } from 'node:crypto'

export interface UdfModule {
  fileName: string
  /** The module name used by apply: the file name without ".lua". */
  moduleName: string
  source: Buffer
  contentBase64: string
  hashHex: string
}

export function moduleNameOf(fileName: string): string {
  return fileName.endsWith('.lua') ? fileName.slice(0, -4) : fileName
}

export function newUdfModule(fileName: string, contentBase64: string, source: Buffer): UdfModule {
  // Aerospike hashes the metadata record it keeps for the module (jansson's compact-with-spaces JSON).
  const metadata = `{"content64": ${JSON.stringify(contentBase64)}, "type": "LUA", "name": ${JSON.stringify(fileName)}}`
  const hashHex = createHash('sha1').update(metadata).digest('hex')
  return { fileName, moduleName: moduleNameOf(fileName), source, contentBase64, hashHex }
}

export class ModuleStore {
  private readonly modules = new Map<string, UdfModule>()

  get(fileName: string): UdfModule | undefined {
    return this.modules.get(fileName)
  }

  put(module: UdfModule): void {
    this.modules.set(module.fileName, module)
  }

  remove(fileName: string): boolean {
    return this.modules.delete(fileName)
  }

  /** True when a module answers to this name (its file name without ".lua"). */
  hasModule(moduleName: string): boolean {
    for (const module of this.modules.values()) if (module.moduleName === moduleName) return true
    return false
  }

  all(): IterableIterator<UdfModule> {
    return this.modules.values()
  }
}
