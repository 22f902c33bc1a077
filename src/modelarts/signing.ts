import { createHash, createHmac } from 'node:crypto'

/**
 * OBS query-string pre-signing, as the signed_*_source fields carry it:
 * https://{bucket}.obs.{region}.myhuaweicloud.com:443/{key}?AccessKeyId=..&Expires=..&x-obs-security-token=..&Signature=..
 * The signature is OBS's: base64(HMAC-SHA1(secret key, string to sign)), so a
 * client that checks it can, given the sandbox's keys below.
 */
export const SANDBOX_ACCESS_KEY_ID = 'RESULTBOXSANDBOXAK01'
export const SANDBOX_SECRET_ACCESS_KEY = 'resultbox-sandbox-secret-access-key'

export interface ObjectAddress {
  bucket: string
  key: string
}

/** s3://bucket/key or obs://bucket/key. */
export function parseObjectAddress(source: string): ObjectAddress | null {
  const match = /^(?:s3|obs):\/\/([^/]+)\/(.+)$/.exec(source)
  return match ? { bucket: match[1] as string, key: match[2] as string } : null
}

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/')

/** A temporary-credential token shaped like IAM's (it starts with the region, as theirs do). */
export function securityTokenFor(region: string, projectId: string): string {
  const digest = createHash('sha256').update(`${region}/${projectId}`).digest()
  return Buffer.concat([Buffer.from([0x81, 0x0a]), Buffer.from(region), digest, digest]).toString('base64')
}

export function stringToSign(address: ObjectAddress, expires: number, securityToken: string): string {
  return `GET\n\n\n${expires}\nx-obs-security-token:${securityToken}\n/${address.bucket}/${address.key}`
}

/** Signs `source` to expire at `expires` (unix seconds); '' for a sample with no object. */
export function signObjectUrl(source: string, region: string, expires: number, securityToken: string): string {
  const address = parseObjectAddress(source)
  if (!address) return ''
  const signature = createHmac('sha1', SANDBOX_SECRET_ACCESS_KEY)
    .update(stringToSign(address, expires, securityToken))
    .digest('base64')
  return (
    `https://${address.bucket}.obs.${region}.myhuaweicloud.com:443/${encodeKey(address.key)}` +
    `?AccessKeyId=${SANDBOX_ACCESS_KEY_ID}&Expires=${expires}` +
    `&x-obs-security-token=${encodeURIComponent(securityToken)}&Signature=${encodeURIComponent(signature)}`
  )
}
