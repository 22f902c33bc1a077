import type { TimedWork } from '../scheduler.js'
import type { ModelArtsStore } from './store.js'

/**
 * Versions move initialized → running → completed (or failed, stopped) at
 * their persisted due times on the sandbox clock, so a restart resumes where
 * it was and changes that fell due meanwhile are applied in due order.
 */
export function modelartsRunner(store: ModelArtsStore): TimedWork {
  return {
    name: 'modelarts version runner',
    nextDueAt: () => store.nextStepDue(),
    runDue: (now) => {
      store.applyDueSteps(now)
    },
  }
}
