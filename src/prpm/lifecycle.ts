import type { PrpmStore } from './store.js'
import type { StreamStore } from './stream-store.js'

// How a project leaves streaming, for every route that ends a stream (stop, clear, delete, redefinition, re-upload).

/** Ends the project's stream: runs finished (readers hear FINISHED), the project and its loaded plugins TRAINED. */
export function endStream(store: PrpmStore, streams: StreamStore, projectId: number, now: number): void {
  streams.finishProjectRuns(projectId, now)
  store.setStatus(projectId, 'TRAINED', now)
  store.movePlugins(projectId, ['STREAMING'], 'TRAINED', now)
}

/** A redefinition or re-upload: the stream ends and the project and every plugin wait for a new definition. */
export function stopForRedefinition(store: PrpmStore, streams: StreamStore, projectId: number, now: number): void {
  streams.finishProjectRuns(projectId, now)
  store.setStatus(projectId, 'WAITING', now)
  store.movePlugins(projectId, ['WAITING', 'PREPROCESSING', 'TRAINING', 'TRAINED', 'STREAMING', 'ERROR'], 'WAITING', now)
}

