import type { TimedWork } from '../scheduler.js'
import type { ResultRules } from './results.js'
import type { PrpmStore } from './store.js'

/**
 * The plugin runner: each expected plugin finishes at its due time on the
 * sandbox clock (persisted, so a restart resumes where it was), and results
 * older than the lifetime are dropped as PrCore drops them from memory.
 */
export function prpmRunner(store: PrpmStore, rules: ResultRules): TimedWork {
  const ttlMs = rules.resultTtlSeconds * 1000
  return {
    name: 'prpm plugin runner',
    nextDueAt() {
      const pluginDue = store.nextPluginDue()
      const oldest = ttlMs > 0 ? store.oldestResultCreatedAt() : null
      const expiryDue = oldest === null ? null : oldest + ttlMs
      if (pluginDue === null) return expiryDue
      return expiryDue === null ? pluginDue : Math.min(pluginDue, expiryDue)
    },
    runDue(now) {
      store.finishDuePlugins(now)
      if (ttlMs > 0) store.deleteResultsCreatedBefore(now - ttlMs)
    },
  }
}
