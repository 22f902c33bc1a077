import { createHmac } from 'node:crypto'
import type { Tour } from './tour.js'
import { C, advance } from './tour-control.js'

/** The fixture's project, tasks and versions. */
const PROJECT = 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60'
const ANIMALS = 'SNEJua7qdZZN8GvkcEr'
const FLOWERS = 'kQ3vT8xNwP5rYb2LmZc'
const COMPLETED = '7PoIhUzSk92OglQrTxr'
const FAILED = 'Rn4cX7pLqW2sT9vYb3K'
const RUNNING = 'Hj6mP2wQzR8tN5xVc1L'
const INITIALIZED = 'Dg9kS3vBnM7qW4yTe2F'
const STOPPED = 'Zt5wL8cQpX2mR6nVb9J'

const TOKEN = { 'x-auth-token': 'resultbox' }
/** A token the tour's resultbox scopes to another project (RESULTBOX_MODELARTS_TOKENS). */
export const SCOPED_TOKEN = 'scoped-elsewhere'
export const OTHER_PROJECT = 'aaaabbbbccccddddeeeeffff00001111'

const task = (id: string) => `/v2/${PROJECT}/processor-tasks/${id}`
const version = (taskId: string, id: string) => `${task(taskId)}/versions/${id}`
const results = (taskId: string, id: string) => `${version(taskId, id)}/results`

/** The fixture version's 30 samples, page by page as a client pages them (offset is a page index). */
async function paging(tour: Tour) {
  const { t } = tour
  const first = await tour.send({ method: 'GET', path: `${results(ANIMALS, COMPLETED)}?offset=0&limit=3`, headers: TOKEN, status: 200 })
  t.match(first.json(), { count: 30, has_more: true })
  t.equal(first.json().results.length, 3, 'the seed\'s first page')
  const seen: string[] = []
  for (let offset = 0; ; offset += 1) {
    const page = (await tour.send({ method: 'GET', path: `${results(ANIMALS, COMPLETED)}?limit=7&offset=${offset}`, headers: TOKEN, status: 200 })).json()
    seen.push(...page.results.map((sample: { sample_id: string }) => sample.sample_id))
    if (!page.has_more) break
    if (offset > 10) throw new Error('has_more never turned false')
  }
  t.equal(seen.length, 30, 'every sample once')
  t.equal(new Set(seen).size, 30)
  const deleted = (await tour.send({ method: 'GET', path: `${results(ANIMALS, COMPLETED)}?result_property=2&limit=100`, headers: TOKEN, status: 200 })).json()
  t.equal(deleted.count, 5)
  await tour.send({ method: 'GET', path: `${results(ANIMALS, COMPLETED)}?process_parameter=image_resize(100)&limit=1`, headers: TOKEN, status: 200 })
}

/** A version made by a scenario, polled through initialized, running and completed. */
async function scenarioFlow(tour: Tour) {
  const { t } = tour
  const created = await tour.send({
    method: 'POST', path: `${C}/scenarios/modelarts`, status: 201,
    json: { starts_after_ms: 2_000, runs_for_ms: 10_000, sample_counts: { retained: 3, modified: 1, deleted: 1, added: 1 } },
  })
  const { version_url: versionUrl, results_url: resultsUrl } = created.json<{ version_url: string; results_url: string }>()
  t.equal((await tour.send({ method: 'GET', path: versionUrl, headers: TOKEN, status: 200 })).json().status, 0)
  await tour.send({ method: 'GET', path: resultsUrl, headers: TOKEN, status: 403 })
  await advance(tour, 2_000)
  t.equal((await tour.send({ method: 'GET', path: versionUrl, headers: TOKEN, status: 200 })).json().status, 1)
  await tour.send({ method: 'GET', path: resultsUrl, headers: TOKEN, status: 403 })
  await advance(tour, 10_000)
  const completed = (await tour.send({ method: 'GET', path: versionUrl, headers: TOKEN, status: 200 })).json()
  t.match(completed, { status: 2, duration_seconds: 10, add_sample_count: 1 })
  t.equal((await tour.send({ method: 'GET', path: `${resultsUrl}?limit=3`, headers: TOKEN, status: 200 })).json().count, 6)
}

async function refusals(tour: Tour) {
  const scoped = { 'x-auth-token': SCOPED_TOKEN }
  const bad = { 'x-auth-token': 'nope' }
  for (const path of [task(ANIMALS), version(ANIMALS, COMPLETED), results(ANIMALS, COMPLETED)]) {
    await tour.send({ method: 'GET', path, status: 401, invalid: 'no X-Auth-Token' })
    await tour.send({ method: 'GET', path, headers: bad, status: 401 })
    await tour.send({ method: 'GET', path, headers: scoped, status: 403 })
  }
  await tour.send({ method: 'GET', path: task('nOsUcHtAsKaTaLl0000'), headers: TOKEN, status: 400 })
  await tour.send({ method: 'GET', path: `/v2/bad!project/processor-tasks/${ANIMALS}`, headers: TOKEN, status: 400, invalid: 'project_id pattern' })
  await tour.send({ method: 'GET', path: version(ANIMALS, 'nOsUcHvErSiOn000000'), headers: TOKEN, status: 400 })
  await tour.send({ method: 'GET', path: version(FLOWERS, COMPLETED), headers: TOKEN, status: 400 })
  await tour.send({ method: 'GET', path: results(ANIMALS, 'nOsUcHvErSiOn000000'), headers: TOKEN, status: 400 })
  await tour.send({ method: 'GET', path: results('nOsUcHtAsKaTaLl0000', COMPLETED), headers: TOKEN, status: 400 })
  await tour.send({ method: 'GET', path: `${results(ANIMALS, COMPLETED)}?limit=0`, headers: TOKEN, status: 400, invalid: 'limit minimum 1' })
  await tour.send({ method: 'GET', path: `${results(ANIMALS, COMPLETED)}?limit=101`, headers: TOKEN, status: 400, invalid: 'limit maximum 100' })
  await tour.send({ method: 'GET', path: `${results(ANIMALS, COMPLETED)}?offset=-1`, headers: TOKEN, status: 400, invalid: 'offset minimum 0' })
  await tour.send({ method: 'GET', path: `${results(ANIMALS, COMPLETED)}?result_property=7`, headers: TOKEN, status: 400, invalid: 'result_property is an enum' })
  await tour.send({ method: 'GET', path: results(FLOWERS, INITIALIZED), headers: TOKEN, status: 403 })
  await tour.send({ method: 'GET', path: results(FLOWERS, RUNNING), headers: TOKEN, status: 403 })
  await tour.send({ method: 'GET', path: results(FLOWERS, STOPPED), headers: TOKEN, status: 403 })
  await tour.send({ method: 'GET', path: results(FLOWERS, FAILED), headers: TOKEN, status: 500 })
}

const IAM = '/v3/auth/tokens'
const passwordBody = (password: string) => ({
  auth: { identity: { methods: ['password'], password: { user: { name: 'resultbox', password, domain: { name: 'tour' } } } }, scope: { project: { name: 'cn-north-4' } } },
})

/** A client that gets its token from IAM, as most do, then reads with it. */
async function iamFlow(tour: Tour) {
  const { t } = tour
  const issued = await tour.send({ method: 'POST', path: `${IAM}?nocatalog=true`, json: passwordBody('resultbox'), status: 201 })
  const token = String(issued.headers['x-subject-token'])
  t.match(token, /^MII/)
  t.match(issued.json(), { token: { methods: ['password'], project: { id: PROJECT, name: 'cn-north-4' } } })
  await tour.send({ method: 'GET', path: task(ANIMALS), headers: { 'x-auth-token': token }, status: 200 })
  await tour.send({ method: 'POST', path: IAM, json: passwordBody('wrong'), status: 401 })
  await tour.send({ method: 'POST', path: IAM, json: { auth: { identity: { methods: ['totp'] } } }, status: 400, invalid: 'the password method only' })
  await tour.send({ method: 'POST', path: IAM, json: { pad: 'x'.repeat(1024 * 1024) }, status: 413, invalid: 'over 1 MiB, and no auth' })
  await tour.send({ method: 'POST', path: IAM, headers: { 'content-type': 'application/xml' }, body: '<auth/>', status: 415, invalid: 'not JSON' })
}

/**
 * Downloads through the results' signed URLs. The samples of this version have keys of one path segment:
 * prism matches a path parameter to one segment, and an object key is the URL's path after the bucket.
 */
async function downloads(tour: Tour) {
  const { t } = tour
  const created = await tour.send({
    method: 'POST', path: `${C}/scenarios/modelarts`, status: 201,
    json: { starts_after_ms: 0, runs_for_ms: 0, samples: [{ origin_source: 's3://tour-bucket/flat.jpg', new_source: 'obs://tour-bucket/flat-out.png', result_property: 1 }] },
  })
  const { results_url: resultsUrl } = created.json<{ results_url: string }>()
  const [sample] = (await tour.send({ method: 'GET', path: resultsUrl, headers: TOKEN, status: 200 })).json().results
  const local = (signed: string) => {
    const url = new URL(signed)
    return `${url.pathname}${url.search}`
  }
  const origin = await tour.send({ method: 'GET', path: local(sample.signed_origin_source), status: 200 })
  t.equal(origin.headers['content-type'], 'image/jpeg')
  const processed = await tour.send({ method: 'GET', path: local(sample.signed_new_source), status: 200 })
  t.equal(processed.headers['content-type'], 'image/png')
  await tour.send({ method: 'GET', path: local(sample.signed_new_source), headers: { range: 'bytes=0-15' }, status: 206 })
  await tour.send({ method: 'GET', path: local(sample.signed_new_source), headers: { range: 'bytes=999999-' }, status: 416 })
  await tour.send({ method: 'GET', path: local(sample.signed_new_source).replace(/Signature=[^&]+/, 'Signature=AAAA'), status: 403 })
  await tour.send({ method: 'GET', path: local(sample.signed_new_source).replace(/Expires=\d+/, 'Expires=soon'), status: 400 })
  // Signed properly, for a key no sample has: OBS checks the signature, then finds nothing.
  const expires = Number(new URL(sample.signed_new_source).searchParams.get('Expires'))
  const signature = createHmac('sha1', 'resultbox').update(`GET\n\n\n${expires}\n/tour-bucket/none.jpg`).digest('base64')
  await tour.send({ method: 'GET', path: `/obs/tour-bucket/none.jpg?AccessKeyId=RESULTBOXSANDBOXAK01&Expires=${expires}&Signature=${encodeURIComponent(signature)}`, status: 404 })

  // The bucket listed as OBS's SDKs list it: an S3-style header signature dated now (real time).
  const listed = (query: string, { date = new Date().toUTCString(), sk = 'resultbox', bucket = 'tour-bucket' } = {}) => {
    const signed = createHmac('sha1', sk).update(`GET\n\n\n${date}\n/${bucket}${query.includes('location') ? '?location' : ''}`).digest('base64')
    return { date, authorization: `AWS RESULTBOXSANDBOXAK01:${signed}` }
  }
  const list = await tour.send({ method: 'GET', path: '/obs/tour-bucket?prefix=flat&max-keys=10', headers: listed('prefix=flat&max-keys=10'), status: 200 })
  t.match(list.text, /<Key>flat-out\.png<\/Key>.*<Key>flat\.jpg<\/Key>/)
  const location = await tour.send({ method: 'GET', path: '/obs/tour-bucket?location', headers: listed('location'), status: 200 })
  t.match(location.text, /<LocationConstraint>cn-north-4<\/LocationConstraint>/)
  await tour.send({ method: 'GET', path: '/obs/tour-bucket?max-keys=many', headers: listed('max-keys=many'), status: 400, invalid: 'max-keys is digits' })
  await tour.send({ method: 'GET', path: '/obs/tour-bucket', headers: listed('', { sk: 'wrong' }), status: 403 })
  await tour.send({ method: 'GET', path: '/obs/no-such-bucket', headers: listed('', { bucket: 'no-such-bucket' }), status: 404 })
}

export async function modelartsTour(tour: Tour) {
  const { t } = tour
  const animals = await tour.send({ method: 'GET', path: task(ANIMALS), headers: TOKEN, status: 200 })
  t.equal(animals.json().task_id, ANIMALS)
  t.match(String(animals.headers['x-request-id']), /^[0-9a-f]{32}$/)
  const flowers = (await tour.send({ method: 'GET', path: task(FLOWERS), headers: TOKEN, status: 200 })).json()
  t.match(flowers, { status: 4, version_id: STOPPED }, 'a task reads as its latest version')
  t.notOk('error_msg' in flowers, 'which did not fail')
  for (const id of [COMPLETED, 'E8ZLnTQvPBVtbZ6QsAp']) await tour.send({ method: 'GET', path: version(ANIMALS, id), headers: TOKEN, status: 200 })
  for (const id of [FAILED, RUNNING, INITIALIZED, STOPPED]) await tour.send({ method: 'GET', path: version(FLOWERS, id), headers: TOKEN, status: 200 })
  await paging(tour)
  await scenarioFlow(tour)
  await refusals(tour)
  await iamFlow(tour)
  await downloads(tour)
}
