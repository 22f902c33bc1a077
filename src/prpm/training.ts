import type { TimedWork } from '../scheduler.js'
import type { PrpmStore } from './store.js'

/**
 * Projects training on the sandbox clock: PREPROCESSING until its due time,
 * then TRAINING, then TRAINED, each step persisted (a restart resumes).
 */
export function prpmTraining(store: PrpmStore): TimedWork {
  return {
    name: 'prpm project training',
    nextDueAt: () => store.nextTrainingDue(),
    runDue: (now) => store.advanceTraining(now),
  }
}
