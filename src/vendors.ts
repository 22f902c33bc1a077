import { Type, type TLiteral, type TUnion } from '@sinclair/typebox'
import type { VendorErrorMapping } from './errors.js'
import type { VendorModule } from './vendor-module.js'

const NAME = /^[a-z][a-z0-9-]{0,31}$/

/** A prefix owns itself and what lies under it: '/v2' owns /v2, /v2/… and /v2?…, not /v20. */
function owns(prefix: string, url: string): boolean {
  if (!url.startsWith(prefix)) return false
  const next = url.charCodeAt(prefix.length)
  // NaN: the URL is the prefix itself; 47 is '/', 63 is '?'.
  return Number.isNaN(next) || next === 47 || next === 63
}

/**
 * The vendors a sandbox serves, and which one each URL belongs to. Built once
 * from the module list; the shared layers ask it instead of naming vendors.
 */
export class VendorRegistry {
  readonly modules: readonly VendorModule[]
  readonly names: readonly string[]
  /** Longest first, so that a vendor owning /v2/iam is asked before one owning /v2. */
  private readonly owners: ReadonlyArray<{ prefix: string; module: VendorModule; errors: VendorErrorMapping }>
  /** The vendor of every path no prefix owns: the one with '/', else the first. */
  readonly root: VendorModule

  /**
   * @param controlPrefix resultbox's own API, which belongs to no vendor.
   * @param sandboxesPrefix where named sandboxes are reached, which belongs to no vendor either.
   * @throws Error when two vendors share a name or a prefix, a name or prefix is malformed, or the list is empty.
   */
  constructor(modules: readonly VendorModule[], private readonly controlPrefix: string, private readonly sandboxesPrefix: string) {
    const first = modules[0]
    if (first === undefined) throw new Error('a sandbox needs at least one vendor')
    const owners: Array<{ prefix: string; module: VendorModule; errors: VendorErrorMapping }> = []
    const names = new Set<string>()
    let root: VendorModule | undefined
    for (const module of modules) {
      if (!NAME.test(module.name)) throw new Error(`vendor name "${module.name}": want lower case letters, digits and "-"`)
      // The document's parts are the vendors' names and the control API's.
      if (module.name === 'control') throw new Error('"control" names resultbox\'s own API, not a vendor')
      if (names.has(module.name)) throw new Error(`two vendors are named "${module.name}"`)
      names.add(module.name)
      for (const prefix of module.prefixes) {
        if (prefix === '/') {
          if (root !== undefined) throw new Error(`the root (/) is owned by both ${root.name} and ${module.name}`)
          root = module
          continue
        }
        if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) throw new Error(`${module.name}'s prefix "${prefix}": want /segment[/segment…], no trailing slash`)
        if (owns(prefix, controlPrefix) || owns(controlPrefix, prefix)) throw new Error(`${module.name}'s prefix ${prefix} overlaps the control API's ${controlPrefix}`)
        if (owns(prefix, sandboxesPrefix) || owns(sandboxesPrefix, prefix)) throw new Error(`${module.name}'s prefix ${prefix} overlaps the named sandboxes' ${sandboxesPrefix}`)
        const taken = owners.find((owner) => owner.prefix === prefix)
        if (taken !== undefined) throw new Error(`the prefix ${prefix} is owned by both ${taken.module.name} and ${module.name}`)
        owners.push({ prefix, module, errors: module.errorsAt?.[prefix] ?? module.errors })
      }
      for (const prefix of Object.keys(module.errorsAt ?? {})) {
        if (!module.prefixes.includes(prefix)) throw new Error(`${module.name} has an envelope for ${prefix}, which is not one of its prefixes`)
      }
    }
    this.modules = modules
    this.names = modules.map((module) => module.name)
    this.owners = owners.sort((a, b) => b.prefix.length - a.prefix.length)
    this.root = root ?? first
  }

  /** The vendor a URL (path and query, as sent) belongs to; null for the control API. Asked of every request. */
  vendorOf(url: string): VendorModule | null {
    if (owns(this.controlPrefix, url) || owns(this.sandboxesPrefix, url)) return null
    for (const { prefix, module } of this.owners) if (owns(prefix, url)) return module
    return this.root
  }

  /** The envelope a URL is refused in: its vendor's (for its prefix), or the root vendor's, for the control API's paths too. */
  errorsFor(url: string): VendorErrorMapping {
    for (const { prefix, errors } of this.owners) if (owns(prefix, url)) return errors
    return this.root.errorsAt?.['/'] ?? this.root.errors
  }

  byName(name: string): VendorModule | undefined {
    return this.modules.find((module) => module.name === name)
  }

  /** The vendors' names as a schema: one of them (for fault rules, filters, the journal). */
  nameSchema(options: { description?: string } = {}): TUnion<TLiteral<string>[]> {
    return Type.Union(this.names.map((name) => Type.Literal(name)), options)
  }
}
