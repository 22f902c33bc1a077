/** Where a named sandbox is reached on the server's own port: `/sandboxes/{name}` followed by a vendor's path. */
export const SANDBOXES_PREFIX = '/sandboxes'

/** A sandbox's name: what a path segment, a DNS label and a worker id all allow. */
export const SANDBOX_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$'

const SLASH = 47
const QUESTION = 63

/**
 * Splits `/sandboxes/{name}…` into the name and the path the sandbox sees (at least '/', query kept);
 * null for a URL that is not under the prefix. Asked of every request the server's port receives.
 */
export function sandboxTarget(url: string): { name: string; rest: string } | null {
  // '/sandboxes/' is 11 characters; the name ends at the next '/' or '?', or with the URL.
  if (url.charCodeAt(10) !== SLASH || !url.startsWith(SANDBOXES_PREFIX)) return null
  let end = 11
  while (end < url.length) {
    const code = url.charCodeAt(end)
    if (code === SLASH || code === QUESTION) break
    end += 1
  }
  const rest = url.slice(end)
  return { name: url.slice(11, end), rest: rest === '' ? '/' : rest.charCodeAt(0) === QUESTION ? `/${rest}` : rest }
}

/** The path a request's vendor is chosen by: a named sandbox's prefix taken off. */
export function vendorPathOf(url: string): string {
  return sandboxTarget(url)?.rest ?? url
}
