import type { HeaderObject, SecurityRequirement } from '../contract/types.js'
import type { VendorContract } from '../vendor-module.js'

const IAM_OPERATIONS = new Set(['keystoneCreateUserTokenByPassword'])
const OBS_OPERATIONS = new Set(['getObject'])

const hex32 = (description: string, example: string): HeaderObject => ({ description, required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}$', examples: [example] } })

/** OBS's ids on every answer of its own. */
const OBS_IDS: Record<string, HeaderObject> = {
  'x-obs-request-id': { description: 'OBS\'s id of the request (32 upper-case hex)', required: true, schema: { type: 'string', pattern: '^[0-9A-F]{32}$', examples: ['0000017EE824A5666407C4CE27B8F394'] } },
  'x-obs-id-2': { description: 'OBS\'s troubleshooting id', required: true, schema: { type: 'string', examples: ['32AAAQAAEAABAAAQAAEAABAAAQAAEAABCSDbCuE8BOFsKqCQzcXi6Lfo0s7sMyR1'] } },
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
      description: 'OBS\'s pre-signed URL (AccessKeyId, Expires on the sandbox clock, x-obs-security-token, Signature), as signed_origin_source and signed_new_source carry it.',
    },
  },
  security: (operationId): SecurityRequirement[] => {
    if (IAM_OPERATIONS.has(operationId ?? '')) return []
    if (OBS_OPERATIONS.has(operationId ?? '')) return [{ obsSignedUrl: [] }]
    return [{ modelartsToken: [] }, { modelartsAkSk: [] }]
  },
  headers: (operation, status): Record<string, HeaderObject> => {
    if (IAM_OPERATIONS.has(operation.operationId ?? '')) {
      return status === '201' ? { 'X-Subject-Token': { description: 'the token, for X-Auth-Token (IAM\'s: kilobytes, starting MII)', required: true, schema: { type: 'string', pattern: '^MII', examples: ['MIIGXAYJKoZIhvcNAQcCoIIGTTCCBkkCAQExDTALBglghkgBZQMEAgEwggSqBgkqhkiG9w0BBwGgggSbBIIEl3sidG9rZW4iOnsiZXhwaXJlc19hdCI6'] } } } : {}
    }
    if (OBS_OPERATIONS.has(operation.operationId ?? '')) {
      if (status !== '200' && status !== '206') return OBS_IDS
      return {
        ...OBS_IDS,
        ETag: { description: 'the object\'s MD5, quoted', required: true, schema: { type: 'string', pattern: '^"[0-9a-f]{32}"$', examples: ['"5d41402abc4b2a76b9719d911017c592"'] } },
        ...(status === '206' ? { 'Content-Range': { description: 'bytes first-last/size', required: true, schema: { type: 'string', pattern: '^bytes [0-9]+-[0-9]+/[0-9]+$', examples: ['bytes 0-99/5216'] } } } : {}),
      }
    }
    return { 'X-Request-Id': hex32('the request\'s id, which an error body repeats', '9d0c3b4f1e2a47c6b8a5d7e6f0a1b2c3') }
  },
}
