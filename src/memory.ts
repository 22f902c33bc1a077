import v8 from 'node:v8'
import vm from 'node:vm'

type Collector = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => unknown

/**
 * A full garbage collection, asked for when a named sandbox is dropped. Its world was tens of thousands of
 * objects; V8 would collect them in time, but the old generation it grew to hold them stays that large (the
 * resident set did not come back down, idle or not), so 200 sandboxes made and dropped in turn left a
 * server with twice the memory it began with. Collected at once, their space is reused by the next one and
 * the server stays near where it started. V8's collector is reachable from JavaScript only with
 * --expose-gc; Node lets a running process turn that flag on, and the function is then in a new context.
 * Asynchronous, so the drop's answer does not wait for it.
 */
export function collectGarbage(): void {
  collector ??= findCollector()
  collector({ type: 'major', execution: 'async' })
}

let collector: Collector | undefined

function findCollector(): Collector {
  const exposed = (globalThis as { gc?: Collector }).gc
  if (exposed !== undefined) return exposed
  v8.setFlagsFromString('--expose-gc')
  return vm.runInNewContext('gc') as Collector
}
