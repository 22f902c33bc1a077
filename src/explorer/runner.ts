import type { TimedWork } from '../scheduler.js'
import type { ExplorerStore } from './store.js'

/**
 * Moves jobs and tasks along their planned steps on the sandbox clock. The
 * steps are persisted, so a restart resumes where it was and carries out what
 * fell due meanwhile, in due order.
 */
export function explorerRunner(store: ExplorerStore): TimedWork {
  return {
    name: 'explorer job runner',
    nextDueAt: () => store.nextStepDue(),
    runDue: (now) => store.applyDueSteps(now),
  }
}
