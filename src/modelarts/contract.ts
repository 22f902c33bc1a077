import type { HeaderObject, SecurityRequirement } from '../contract/types.js'
import type { VendorContract } from '../vendor-module.js'

const IAM_OPERATIONS = new Set(['keystoneCreateUserTokenByPassword'])
const OBS_OPERATIONS = new Set(['getObject', 'listObjects'])

const hex32 = (description: string, example: string): HeaderObject => ({ description, required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}$', examples: [example] } })

const requestId = (name: string): HeaderObject => ({
  description: `OBS's id of the request (32 upper-case hex) as ${name}: x-obs-request-id answers OBS-signed and pre-signed requests, x-amz-request-id AWS-signed ones`,
  required: false,
  schema: { type: 'string', pattern: '^[0-9A-F]{32}$', examples: ['0000017EE824A5666407C4CE27B8F394'] },
})
const id2: HeaderObject = { description: 'OBS\'s troubleshooting id (x-obs-id-2, or x-amz-id-2 to an AWS-signed request)', required: false, schema: { type: 'string', examples: ['32AAAQAAEAABAAAQAAEAABAAAQAAEAABCSDbCuE8BOFsKqCQzcXi6Lfo0s7sMyR1'] } }
/** OBS's ids on every answer of its own, in the family of the request's signature (one of the two pairs). */
const OBS_IDS: Record<string, HeaderObject> = {
  'x-obs-request-id': requestId('x-obs-request-id'),
  'x-obs-id-2': id2,
  'x-amz-request-id': requestId('x-amz-request-id'),
  'x-amz-id-2': id2,
}

/** ModelArts' auth and headers as the document describes them, with IAM's token API and OBS's downloads beside. */
export const modelartsContract: VendorContract = {
  securitySchemes: {
    modelartsToken: {
      type: 'apiKey',
      in: 'header',
      name: 'X-Auth-Token',
      description: 'An IAM token (POST /v3/auth/tokens), or one of RESULTBOX_MODELARTS_TOKENS (optionally scoped to one project).',
    },
    modelartsAkSk: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: 'Huawei\'s AK/SK signature, as its SDKs and the APIG signer send it: `Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b>, Signature=<hex>` with a signed `X-Sdk-Date` within 15 minutes of real time; keys from RESULTBOX_MODELARTS_ACCESS_KEYS.',
    },
    obsSignedUrl: {
      type: 'apiKey',
      in: 'query',
      name: 'Signature',
      description: 'OBS\'s pre-signed URL (AccessKeyId or AWSAccessKeyId, Expires on the sandbox clock, x-obs-security-token, Signature), as signed_origin_source and signed_new_source carry it; V4 URLs (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature) too.',
    },
    obsHeaderSignature: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: 'OBS\'s header signatures, as its SDKs send them to /{bucket}/{key} at the sandbox\'s root: `OBS <AK>:<signature>` (x-obs- headers) or `AWS <AK>:<signature>` (x-amz- headers), HMAC-SHA1 with a Date within 15 minutes of real time; `AWS4-HMAC-SHA256 Credential=…`; a security token as x-obs-security-token or x-amz-security-token, signed.',
    },
  },
  security: (operationId): SecurityRequirement[] => {
    if (IAM_OPERATIONS.has(operationId ?? '')) return []
    if (OBS_OPERATIONS.has(operationId ?? '')) return [{ obsHeaderSignature: [] }, { obsSignedUrl: [] }]
    return [{ modelartsToken: [] }, { modelartsAkSk: [] }]
  },
  headers: (operation, status): Record<string, HeaderObject> => {
    if (IAM_OPERATIONS.has(operation.operationId ?? '')) {
      const trace: Record<string, HeaderObject> = { 'X-IAM-Trace-Id': { description: 'IAM\'s trace id of the answer, a UUID (IAM sends no X-Request-Id)', required: status === '201', schema: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', examples: ['218d45ab-d674-4995-af3a-2d0255ba41b5'] } } }
      return status === '201' ? { ...trace, 'X-Subject-Token': { description: 'the token, for X-Auth-Token (IAM\'s: kilobytes, starting MII)', required: true, schema: { type: 'string', pattern: '^MII', examples: ['MIIGXAYJKoZIhvcNAQcCoIIGTTCCBkkCAQExDTALBglghkgBZQMEAgEwggSqBgkqhkiG9w0BBwGgggSbBIIEl3sidG9rZW4iOnsiZXhwaXJlc19hdCI6'] } } } : trace
    }
    if (OBS_OPERATIONS.has(operation.operationId ?? '')) {
      if ((status !== '200' && status !== '206') || operation.operationId === 'listObjects') return OBS_IDS
      return {
        ...OBS_IDS,
        ETag: { description: 'the object\'s MD5, quoted', required: true, schema: { type: 'string', pattern: '^"[0-9a-f]{32}"$', examples: ['"5d41402abc4b2a76b9719d911017c592"'] } },
        ...(status === '206' ? { 'Content-Range': { description: 'bytes first-last/size', required: true, schema: { type: 'string', pattern: '^bytes [0-9]+-[0-9]+/[0-9]+$', examples: ['bytes 0-99/5216'] } } } : {}),
      }
    }
    return { 'X-Request-Id': hex32('the request\'s id, which an error body repeats', '9d0c3b4f1e2a47c6b8a5d7e6f0a1b2c3') }
  },
}
