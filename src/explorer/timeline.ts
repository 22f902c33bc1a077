import { FAILED, INTERRUPTED, RUNNING, SUCCESS, type TaskOutcome } from './schemas.js'

/** A new job waits this long in "preparing" before its first task runs (the vendor's example: about 2.5 s). */
export const JOB_PREPARING_MS = 2_000
/** Each task of a job made from a workflow runs this long (the vendor's example BFS task: 3 s). */
export const TASK_RUNNING_MS = 3_000

export type Outcome = TaskOutcome

export interface TaskPlan {
  id: string
  /** Wait after the previous task ended (the first task: after the job was created). */
  startsAfterMs: number
  runsForMs: number
  outcome: Outcome
}

/** At dueAt, the job (taskId null) or one of its tasks takes status. */
export interface Step {
  dueAt: number
  taskId: string | null
  status: number
}

export interface Timeline {
  steps: Step[]
  /** When each task begins and ends; null for a task that never runs (after a failed one). */
  tasks: { id: string; beginsAt: number | null; endsAt: number | null }[]
  endsAt: number
  status: number
}

/**
 * A job's life on the sandbox clock: tasks run one after the other in the
 * workflow's order; the job runs from its first task's start and ends with
 * its last task, or fails with the first task that fails (the tasks after it
 * never run and end interrupted). Steps due at the same time apply in order.
 */
export function planJob(createdAt: number, tasks: readonly TaskPlan[]): Timeline {
  const steps: Step[] = []
  const times: Timeline['tasks'] = tasks.map((task) => ({ id: task.id, beginsAt: null, endsAt: null }))
  let time = createdAt
  for (const [index, task] of tasks.entries()) {
    const begin = time + task.startsAfterMs
    if (index === 0) steps.push({ dueAt: begin, taskId: null, status: RUNNING })
    steps.push({ dueAt: begin, taskId: task.id, status: RUNNING })
    time = begin + task.runsForMs
    const failed = task.outcome === 'failed'
    steps.push({ dueAt: time, taskId: task.id, status: failed ? FAILED : SUCCESS })
    times[index] = { id: task.id, beginsAt: begin, endsAt: time }
    if (failed) {
      steps.push({ dueAt: time, taskId: null, status: FAILED })
      return { steps, tasks: times, endsAt: time, status: FAILED }
    }
  }
  steps.push({ dueAt: time, taskId: null, status: SUCCESS })
  return { steps, tasks: times, endsAt: time, status: SUCCESS }
}

/**
 * The step a cancel leaves: the job reads interrupted at once. The vendor's QA suite (test_job, and its
 * smoke test after PUT /jobs/{id}/cancel) reads the job right after the cancel and wants 4, never 5 (stopping).
 */
export function interruptStep(now: number): Step {
  return { dueAt: now, taskId: null, status: INTERRUPTED }
}
