import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

export const API = '/api-open/v1'
/** The configured token of the test sandbox, as the vendor's curl sends it. */
export const COOKIE = { cookie: 'explorer_token=resultbox' }

/** `Authorization: Bearer` credentials as older Explorer releases take them: base64 of account:password. */
export const pairCredentials = (account: string, password: string) => Buffer.from(`${account}:${password}`).toString('base64')
/** …and as newer ones do: base64 of JSON.stringify([account, password]). */
export const jsonCredentials = (account: string, password: string) => Buffer.from(JSON.stringify([account, password])).toString('base64')

export async function connect(app: FastifyInstance, credentials: string | null, body: unknown = { address: '192.168.8.111', port: 9669 }) {
  return app.inject({
    method: 'POST',
    url: `${API}/connect`,
    headers: { 'content-type': 'application/json', ...(credentials === null ? {} : { authorization: `Bearer ${credentials}` }) },
    payload: body === undefined ? undefined : JSON.stringify(body),
  })
}

/** The token a connect answer set as its cookie. */
export function tokenOf(res: LightMyRequestResponse): string {
  const match = /^explorer_token=([^;]+);/.exec(String(res.headers['set-cookie']))
  if (!match) throw new Error(`no explorer_token cookie in ${String(res.headers['set-cookie'])}`)
  return match[1] as string
}

export async function explorerGet(app: FastifyInstance, path: string, headers: Record<string, string> = COOKIE) {
  return app.inject({ method: 'GET', url: `${API}${path}`, headers })
}

export async function createJob(app: FastifyInstance, workflowId: string, body?: unknown, headers: Record<string, string> = COOKIE) {
  return app.inject({
    method: 'POST',
    url: `${API}/workflows/${workflowId}/jobs`,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    payload: body === undefined ? undefined : JSON.stringify(body),
  })
}

export async function cancelJob(app: FastifyInstance, jobId: number | string, headers: Record<string, string> = COOKIE) {
  // The vendor's curl: a form content type and no body.
  return app.inject({
    method: 'PUT',
    url: `${API}/jobs/${jobId}/cancel`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  })
}

export interface TaskView {
  id: string
  name: string
  runBeginTime: string
  runEndTime: string
  status: number
}

export interface JobView {
  id: number
  name: string
  workflowId: string
  workflowName: string
  status: number
  tasks: TaskView[]
  runBeginTime: number
  runEndTime: number
  createTime: number
}

export async function jobDetail(app: FastifyInstance, jobId: number): Promise<JobView> {
  const res = await explorerGet(app, `/jobs/${jobId}`)
  if (res.statusCode !== 200) throw new Error(`GET job ${jobId}: ${res.statusCode} ${res.body}`)
  return res.json().data as JobView
}

/** The job's status and its tasks' statuses, e.g. [1, [2, 1]]. */
export async function statuses(app: FastifyInstance, jobId: number): Promise<[number, number[]]> {
  const job = await jobDetail(app, jobId)
  return [job.status, job.tasks.map((task) => task.status)]
}

export const filterQuery = (filter: unknown) => `filter=${encodeURIComponent(JSON.stringify(filter))}`
