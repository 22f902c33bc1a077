import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import rangeParser from 'range-parser'
import { VendorError, useVendorErrors, type VendorErrorMapping } from '../errors.js'
import { basePathOf } from '../request-base.js'
import type { VendorContext } from '../vendor-module.js'
import { drawImage } from './images.js'
import { authenticateObs } from './obs-auth.js'
import { OBS_PREFIX, ObsErrors, escapeXml, obsError, obsHeaders, obsHeadersFor, type ObjectAddress } from './obs.js'
import { ModelArtsStore, type StoredObject } from './store.js'

/*
 * The sandbox's OBS: GET and HEAD of the objects the results' signed URLs
 * name, path style (/obs/{bucket}/{key}), checked as OBS checks a
 * pre-signed URL. An object is a sample's origin or processed source; its
 * bytes are the fixture's file for it, or a picture drawn for its key.
 */

const MEDIA_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif', '.bmp': 'image/bmp', '.webp': 'image/webp',
  '.txt': 'text/plain', '.json': 'application/json', '.csv': 'text/csv', '.wav': 'audio/wav', '.mp4': 'video/mp4',
}

const INJECTED_CODES: Record<number, [string, string]> = {
  403: ['AccessDenied', 'Access Denied'],
  404: ['NoSuchKey', 'The specified key does not exist.'],
  500: ['InternalError', 'We encountered an internal error. Please try again.'],
  503: ['ServiceUnavailable', 'Please reduce your request rate.'],
}

export const obsErrorMapping: VendorErrorMapping = {
  invalidRequest: ({ parameter }) => ObsErrors.badRequest(`${parameter} is invalid`),
  // OBS answers what it does not serve by method: only GET and HEAD of an object are the sandbox's.
  notFound: (request) => (request.method === 'GET' || request.method === 'HEAD' ? obsError(404, 'NoSuchKey', 'The specified key does not exist.') : ObsErrors.methodNotAllowed()),
  clientError: (statusCode, message) => (statusCode === 413 ? obsError(413, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.') : obsError(statusCode, 'InvalidRequest', message)),
  injected: (statusCode, body) => {
    if (body !== undefined) return new VendorError(statusCode, body, obsHeaders())
    const [code, message] = INJECTED_CODES[statusCode] ?? ['InvalidRequest', 'Invalid Request']
    return obsError(statusCode, code, message)
  },
  internal: () => ObsErrors.internal(),
}

const BucketName = Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$', description: 'the bucket' })
/** The query of a pre-signed URL (V2: OBS's AccessKeyId or S3's AWSAccessKeyId; V4: X-Amz-*); header signatures need none. */
const SignatureQuery = {
  AccessKeyId: Type.Optional(Type.String()),
  AWSAccessKeyId: Type.Optional(Type.String({ description: 'the S3-compatible spelling of AccessKeyId' })),
  Expires: Type.Optional(Type.String({ description: 'Unix seconds; on the sandbox clock' })),
  Signature: Type.Optional(Type.String()),
  'x-obs-security-token': Type.Optional(Type.String()),
  'x-amz-security-token': Type.Optional(Type.String()),
  'X-Amz-Algorithm': Type.Optional(Type.String()),
  'X-Amz-Credential': Type.Optional(Type.String()),
  'X-Amz-Date': Type.Optional(Type.String()),
  'X-Amz-Expires': Type.Optional(Type.String({ description: 'seconds from X-Amz-Date, on the sandbox clock' })),
  'X-Amz-SignedHeaders': Type.Optional(Type.String()),
  'X-Amz-Signature': Type.Optional(Type.String()),
}
const ListXml = { description: 'ListBucketResult (or, with ?location, the bucket\'s region: Location for OBS-signed requests, CreateBucketConfiguration/LocationConstraint for AWS-signed ones)', content: { 'application/xml': { schema: Type.String() } } }
const XmlError = { description: 'OBS\'s XML error: Code, Message, RequestId, HostId and what the code adds', content: { 'application/xml': { schema: Type.String() } } }
const Bytes = { type: 'string', format: 'binary' } as const
const ObjectBytes = {
  description: 'the object, with its Content-Type, Content-Length and ETag',
  content: Object.fromEntries(['image/jpeg', 'image/png', 'application/octet-stream'].map((type) => [type, { schema: Bytes }])),
}

interface ObjectContent {
  bytes: Buffer
  contentType: string
  etag: string
}

/** What the object holds: the fixture's file, or the picture drawn for it. */
function contentOf(object: StoredObject, address: ObjectAddress, fixturesDir: string): ObjectContent {
  let bytes: Buffer
  let contentType: string
  if (object.file !== null) {
    bytes = fs.readFileSync(path.join(fixturesDir, object.file))
    contentType = MEDIA_TYPES[path.extname(object.file).toLowerCase()] ?? 'application/octet-stream'
  } else {
    const origin = object.origin_source.replace(/^s3:\/\//, '')
    const drawn = drawImage(address.key, origin, object.processed === 1 ? `${address.bucket}/${address.key}` : null)
    bytes = drawn.bytes
    contentType = drawn.contentType
  }
  // OBS's ETag of an object uploaded whole: its MD5, quoted.
  return { bytes, contentType, etag: `"${createHash('md5').update(bytes).digest('hex')}"` }
}

/** Keys a listing gives at most, as OBS caps max-keys. */
const MAX_KEYS = 1000
const XMLNS = { obs: 'http://obs.myhwclouds.com/doc/2015-06-30/', amz: 'http://s3.amazonaws.com/doc/2006-03-01/' }
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
const element = (name: string, value: string | number) => `<${name}>${escapeXml(String(value))}</${name}>`

/** The path a request named, as OBS signs it: /{bucket}/{key} with the key as sent (percent-encoded), and the query. */
function signedParts(request: FastifyRequest, bucket: string): { resourcePath: string; query: string; sentPath: string } {
  const url = request.url
  const question = url.indexOf('?')
  const path = (question === -1 ? url : url.slice(0, question)).slice(OBS_PREFIX.length)
  const query = question === -1 ? '' : url.slice(question + 1)
  const original = request.originalUrl
  const originalPath = original.split('?')[0] as string
  // Claimed from a virtual-hosted request ({bucket}.{server}/…): its path lacks the bucket the signature names.
  const virtualHosted = original !== url && !originalPath.startsWith(`/${bucket}`)
  const resourcePath = virtualHosted && originalPath === '/' ? `/${bucket}/` : path
  return { resourcePath, query, sentPath: `${basePathOf(request)}${originalPath}` }
}

export const objectsApi: FastifyPluginAsyncTypebox<VendorContext> = async (app, { config, db, clock }) => {
  const store = new ModelArtsStore(db)
  useVendorErrors(app, obsErrorMapping)
  const { accessKeys, region } = config.modelarts
  const owner = createHash('md5').update(`resultbox/${region}`).digest('hex')

  /** The caller, or OBS's refusal: whichever of OBS's schemes the request carries. */
  const authenticate = (request: FastifyRequest, bucket: string) =>
    authenticateObs(
      { method: request.method, headers: request.headers, host: request.headers.host ?? '', ...signedParts(request, bucket) },
      { keys: accessKeys, now: clock.now(), realNow: Date.now() },
    )

  // The SDKs' signature probe before a virtual-hosted call: unsigned; OBS answers with its API version.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/',
    schema: { hide: true },
    handler: async (request, reply) => {
      if (!('apiversion' in (request.query as Record<string, unknown>))) throw ObsErrors.methodNotAllowed()
      reply.headers({ ...obsHeaders(), 'x-obs-api': '3.0' })
      return reply.send('')
    },
  })

  app.get(
    '/:bucket',
    {
      schema: {
        operationId: 'listObjects',
        summary: 'List a bucket\'s objects (prefix, marker, max-keys, delimiter), as ListObjects; ?location gives its region, HEAD its metadata. OBS\'s SDKs send GET /{bucket} with their signature to the sandbox\'s root',
        params: Type.Object({ bucket: BucketName }),
        querystring: Type.Object({
          prefix: Type.Optional(Type.String({ description: 'only keys that start with it' })),
          marker: Type.Optional(Type.String({ description: 'only keys after it' })),
          'max-keys': Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$', description: `at most this many keys and common prefixes (at most ${MAX_KEYS})` })),
          delimiter: Type.Optional(Type.String({ description: 'keys with it after the prefix are rolled up into CommonPrefixes' })),
          location: Type.Optional(Type.String({ description: 'present: the bucket\'s region instead (GetBucketLocation)' })),
          ...SignatureQuery,
        }),
        response: { 200: ListXml, 400: XmlError, 403: XmlError, 404: XmlError },
      },
    },
    async (request, reply) => {
      const { bucket } = request.params
      const caller = authenticate(request, bucket)
      if (!store.bucketExists(bucket)) throw ObsErrors.noSuchBucket(bucket)
      const location = caller.family === 'obs' ? { 'x-obs-bucket-location': region } : { 'x-amz-bucket-region': region }
      reply.headers({ ...obsHeadersFor(caller.family), ...location, 'content-type': 'application/xml' })
      if (request.method === 'HEAD') return reply.send('')
      const query = request.query
      if (query.location !== undefined) {
        return reply.send(caller.family === 'obs'
          ? `${XML_HEAD}<Location xmlns="${XMLNS.obs}">${escapeXml(region)}</Location>`
          : `${XML_HEAD}<CreateBucketConfiguration xmlns="${XMLNS.amz}">${element('LocationConstraint', region)}</CreateBucketConfiguration>`)
      }
      const prefix = query.prefix ?? ''
      const marker = query.marker ?? ''
      const maxKeys = Math.min(Number(query['max-keys'] ?? MAX_KEYS), MAX_KEYS)
      const { contents, commonPrefixes, truncated, last } = listing(store.objectsIn(bucket, prefix, marker), prefix, query.delimiter, maxKeys)
      const entries = contents.map((object) => {
        const { bytes, etag } = contentOf(object, { bucket, key: object.key }, config.fixturesDir)
        return `<Contents>${element('Key', object.key)}${element('LastModified', new Date(object.create_time).toISOString())}${element('ETag', etag)}` +
          `${element('Size', bytes.length)}<Owner>${element('ID', owner)}${caller.family === 'amz' ? element('DisplayName', owner) : ''}</Owner>${element('StorageClass', 'STANDARD')}</Contents>`
      })
      return reply.send(
        `${XML_HEAD}<ListBucketResult xmlns="${XMLNS[caller.family]}">${element('Name', bucket)}${element('Prefix', prefix)}${element('Marker', marker)}` +
        `${truncated ? element('NextMarker', last) : ''}${element('MaxKeys', maxKeys)}${query.delimiter === undefined ? '' : element('Delimiter', query.delimiter)}` +
        `${element('IsTruncated', String(truncated))}${entries.join('')}${commonPrefixes.map((common) => `<CommonPrefixes>${element('Prefix', common)}</CommonPrefixes>`).join('')}</ListBucketResult>`,
      )
    },
  )

  app.get(
    '/:bucket/*',
    {
      schema: {
        operationId: 'getObject',
        summary: 'Download an object (GetObject; HEAD: its metadata): by a signed URL from the results (signed_origin_source, signed_new_source), or as OBS\'s SDKs send GET /{bucket}/{key} with their signature to the sandbox\'s root',
        params: Type.Object({
          bucket: BucketName,
          '*': Type.String({ minLength: 1, maxLength: 1024, description: 'the object key, slashes and all (a path parameter of several segments)' }),
        }),
        wildcard: 'key',
        querystring: Type.Object(SignatureQuery),
        headers: Type.Object({ range: Type.Optional(Type.String({ description: 'bytes=first-last: one range is answered 206' })) }),
        response: { 200: ObjectBytes, 206: { ...ObjectBytes, description: 'the requested range (Content-Range)' }, 400: XmlError, 403: XmlError, 404: XmlError, 416: XmlError },
      },
    },
    async (request, reply) => {
      const address = { bucket: request.params.bucket, key: request.params['*'] }
      const caller = authenticate(request, address.bucket)
      const object = store.objectAt(address.bucket, address.key)
      if (object === undefined) throw store.bucketExists(address.bucket) ? ObsErrors.noSuchKey(address) : ObsErrors.noSuchBucket(address.bucket)
      const { bytes, contentType, etag } = contentOf(object, address, config.fixturesDir)
      reply.headers({
        ...obsHeadersFor(caller.family),
        'content-type': contentType,
        etag,
        'last-modified': new Date(object.create_time).toUTCString(),
        'accept-ranges': 'bytes',
        [caller.family === 'obs' ? 'x-obs-storage-class' : 'x-amz-storage-class']: 'STANDARD',
      })
      const range = request.headers.range
      if (range !== undefined) {
        const ranges = rangeParser(bytes.length, range, { combine: true })
        if (ranges === -1) throw ObsErrors.invalidRange(bytes.length)
        // A malformed range, or several, is answered whole, as OBS and S3 do.
        if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
          const { start, end } = ranges[0] as rangeParser.Range
          reply.code(206).header('content-range', `bytes ${start}-${end}/${bytes.length}`)
          return reply.send(bytes.subarray(start, end + 1))
        }
      }
      return reply.send(bytes)
    },
  )
}

/**
 * One page of a listing, as OBS makes it: keys in order after the marker; with a delimiter, the keys that have
 * it after the prefix rolled up into their common prefix (each counted once against max-keys).
 */
function listing<T extends { key: string }>(objects: Iterable<T>, prefix: string, delimiter: string | undefined, maxKeys: number) {
  const contents: T[] = []
  const commonPrefixes: string[] = []
  let last = ''
  let truncated = false
  for (const object of objects) {
    if (object.key === last) continue
    const rest = object.key.slice(prefix.length)
    const cut = delimiter ? rest.indexOf(delimiter) : -1
    const common = cut === -1 ? null : `${prefix}${rest.slice(0, cut + (delimiter as string).length)}`
    if (common !== null && common === commonPrefixes[commonPrefixes.length - 1]) continue
    if (contents.length + commonPrefixes.length === maxKeys) {
      truncated = true
      break
    }
    if (common === null) contents.push(object)
    else commonPrefixes.push(common)
    last = common ?? object.key
  }
  return { contents, commonPrefixes, truncated, last }
}
