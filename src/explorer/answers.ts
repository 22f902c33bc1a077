import { explorerError } from './errors.js'

/*
 * What the workflow routes answer, apart from the routes, so that the
 * OpenAPI document's examples (examples.ts) say it in the same words.
 */

export const UNFINISHED: Record<number, string> = { 0: 'task is preparing', 1: 'task is running', 5: 'task is stopping' }
export const ENDED_BADLY: Record<number, string> = { 3: 'task failed', 4: 'task was interrupted' }
export const JOB_ENDED: Record<number, string> = { 2: 'job has already succeeded', 3: 'job has already failed', 4: 'job was already interrupted' }

/** The vendor's success envelope. */
export const ok = <T>(data: T) => ({ code: 0 as const, data, message: 'Success' as const })

// Observed on the real service: an unknown job is a database error, not ErrNotFound.
export const unknownJob = (jobId: number) => explorerError('ErrInternalDatabase', `job ${jobId} not found`)
