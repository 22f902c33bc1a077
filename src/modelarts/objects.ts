import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import rangeParser from 'range-parser'
import { VendorError, useVendorErrors, type VendorErrorMapping } from '../errors.js'
import type { VendorContext } from '../vendor-module.js'
import { drawImage } from './images.js'
import { ObsErrors, checkSignedUrl, obsError, obsHeaders, type ObjectAddress } from './obs.js'
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

export const objectsApi: FastifyPluginAsyncTypebox<VendorContext> = async (app, { config, db, clock }) => {
  const store = new ModelArtsStore(db)
  useVendorErrors(app, obsErrorMapping)
  const { accessKeys } = config.modelarts

  app.get(
    '/:bucket/*',
    {
      schema: {
        operationId: 'getObject',
        summary: 'Download an object by a signed URL from the results (signed_origin_source, signed_new_source); HEAD too',
        params: Type.Object({
          bucket: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' }),
          '*': Type.String({ minLength: 1, maxLength: 1024, description: 'the object key, slashes and all (a path parameter of several segments)' }),
        }),
        wildcard: 'key',
        querystring: Type.Object({
          AccessKeyId: Type.Optional(Type.String()),
          AWSAccessKeyId: Type.Optional(Type.String({ description: 'the S3-compatible spelling of AccessKeyId' })),
          Expires: Type.Optional(Type.String({ description: 'Unix seconds; on the sandbox clock' })),
          Signature: Type.Optional(Type.String()),
          'x-obs-security-token': Type.Optional(Type.String()),
        }),
        headers: Type.Object({ range: Type.Optional(Type.String({ description: 'bytes=first-last: one range is answered 206' })) }),
        response: { 200: ObjectBytes, 206: { ...ObjectBytes, description: 'the requested range (Content-Range)' }, 400: XmlError, 403: XmlError, 404: XmlError, 416: XmlError },
      },
    },
    async (request, reply) => {
      const address = { bucket: request.params.bucket, key: request.params['*'] }
      const question = request.url.indexOf('?')
      checkSignedUrl(new URLSearchParams(question === -1 ? '' : request.url.slice(question + 1)), address, accessKeys, clock.now())
      const object = store.objectAt(address.bucket, address.key)
      if (object === undefined) throw ObsErrors.noSuchKey(address)
      const { bytes, contentType, etag } = contentOf(object, address, config.fixturesDir)
      reply.headers({
        ...obsHeaders(),
        'content-type': contentType,
        etag,
        'last-modified': new Date(object.create_time).toUTCString(),
        'accept-ranges': 'bytes',
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
