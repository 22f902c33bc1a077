import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import vm from 'node:vm'

/**
 * How the server bundle was compiled at start-up:
 * - `hit`: from the code cache;
 * - `miss`: no cache for this build, Node and flags yet;
 * - `rejected`: a cache was there but V8 refused it (another V8 or other flags);
 * - `off`: NODE_DISABLE_COMPILE_CACHE is set.
 */
export type CodeCacheStatus = 'hit' | 'miss' | 'rejected' | 'off'

export interface CodeCache {
  status: CodeCacheStatus
  /** The cache file for this build, Node version and Node flags; null when off. */
  file: string | null
  /**
   * Writes the cache from the code compiled so far, unless it was a hit. Call it once start-up is done:
   * every function start-up ran is then in it. Never throws: a folder that cannot be written (a read-only
   * file system, another user's folder) only means the next start compiles again; the reason is returned.
   */
  save(): { written: boolean; reason?: string }
}

/**
 * Where the cache lives: Node's own compile cache variables, so one setting covers both.
 * NODE_COMPILE_CACHE names the folder (default: the system's temporary folder's node-compile-cache, as
 * Node's), NODE_DISABLE_COMPILE_CACHE turns it off.
 */
export function codeCacheFolder(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.NODE_DISABLE_COMPILE_CACHE) return null
  return path.join(env.NODE_COMPILE_CACHE || path.join(os.tmpdir(), 'node-compile-cache'), 'resultbox')
}

/** The arguments Node's CommonJS wrapper passes a module. */
const WRAPPER_PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname']

/** What vm.compileFunction adds to the function it returns when given or asked for cached data. */
type CompiledBundle = ((...args: unknown[]) => void) & { cachedDataRejected?: boolean; cachedData?: Buffer }

const STALE_AFTER_MS = 30 * 24 * 3600 * 1000

const digest = (data: string | Buffer, length: number) => createHash('sha256').update(data).digest('hex').slice(0, length)

/**
 * Loads a CommonJS bundle as Node's require would, compiled from a V8 code cache made after a previous start
 * had run. Node's module compile cache (module.enableCompileCache) stores the code cache as it stands right
 * after compiling, which holds the few functions V8 compiles eagerly; every function start-up then runs is
 * compiled again on each start. A cache made after start-up holds those too, which took about a third
 * off spawn-to-ready (README, Performance).
 *
 * V8 checks a cache against its own version, its flags and the source's length, not the source's content:
 * the file name carries a hash of the source (`sourceDigest`, which the build computes, or one made here) and
 * of Node's flags, so another build never meets this cache.
 */
export function requireWithCodeCache(
  file: string,
  { folder = codeCacheFolder(), sourceDigest }: { folder?: string | null; sourceDigest?: string } = {},
): { exports: unknown; codeCache: CodeCache } {
  // The build makes the bundle ASCII throughout (scripts/bundle.mjs), so Latin-1 reads it exactly, and faster.
  const source = fs.readFileSync(file, 'latin1')
  // Node's flags, from the command line or NODE_OPTIONS: V8 refuses a cache made under other flags.
  const prefix = `${process.version}-${process.arch}-${digest(`${process.execArgv.join(' ')}\n${process.env.NODE_OPTIONS ?? ''}`, 8)}-`
  const cacheFile = folder === null ? null : path.join(folder, `${prefix}${sourceDigest ?? digest(source, 16)}.bin`)
  let cachedData: Buffer | undefined
  if (cacheFile !== null) {
    try {
      cachedData = fs.readFileSync(cacheFile)
    } catch {
      // No cache yet (or an unreadable one): compile from source.
    }
  }
  // Compiled as a function, as Node's own require compiles a module: the same bundle compiled as a script
  // (vm.Script over Module.wrap) answered a cached result about a fifth slower once warm, cache or not.
  // The bundle has no import(): the build turns it into require() (scripts/bundle.mjs).
  const compile = (options: { cachedData?: Buffer; produceCachedData?: boolean }) =>
    vm.compileFunction(source, WRAPPER_PARAMETERS, { filename: file, ...options }) as CompiledBundle
  const run = compile({ cachedData })
  const status: CodeCacheStatus = cacheFile === null ? 'off' : cachedData === undefined ? 'miss' : run.cachedDataRejected ? 'rejected' : 'hit'
  const module = { exports: {} as unknown }
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file))

  const save = (): { written: boolean; reason?: string } => {
    if (cacheFile === null || folder === null) return { written: false, reason: 'NODE_DISABLE_COMPILE_CACHE is set' }
    if (status === 'hit') return { written: false, reason: 'the cache was used' }
    const partial = `${cacheFile}.${process.pid}.tmp`
    try {
      fs.mkdirSync(folder, { recursive: true })
      // Written aside and renamed: a start reading the cache meanwhile sees the old file or the new one whole.
      // V8 serializes a function's code as it is at compile time, when only what it compiles eagerly is
      // there. Compiling the same source again now finds the isolate's own compiled function (V8 keeps
      // compiled sources by their text), with all that start-up has compiled since, and serializes that.
      const cache = compile({ produceCachedData: true }).cachedData
      if (cache === undefined) return { written: false, reason: 'V8 produced no code cache' }
      fs.writeFileSync(partial, cache)
      fs.renameSync(partial, cacheFile)
      // Each build, Node and set of flags has its own file, so two installs on one machine never take turns
      // overwriting one cache; files not rewritten for a month (old builds, mostly) are dropped.
      const stale = Date.now() - STALE_AFTER_MS
      for (const name of fs.readdirSync(folder)) {
        const other = path.join(folder, name)
        if (name.endsWith('.bin') && other !== cacheFile && fs.statSync(other).mtimeMs < stale) fs.rmSync(other, { force: true })
      }
      return { written: true }
    } catch (error) {
      try {
        fs.rmSync(partial, { force: true })
      } catch {
        // Nothing was written there either.
      }
      return { written: false, reason: (error as Error).message }
    }
  }
  return { exports: module.exports, codeCache: { status, file: cacheFile, save } }
}
