/**
 * What the control API answers that points back at the sandbox (`result_url`, `jobs_url`, `version_url`,
 * a preview's `origin_url`, …) is a path on the world that answered. A client that reached a named sandbox
 * under its prefix must be sent back under it: every string of a field named `…_url` or `…_urls` that is a
 * path gets the prefix. A copy; the answer may be a value the caller keeps.
 */
export function linksUnder(value: unknown, basePath: string): unknown {
  if (Array.isArray(value)) return value.map((item) => linksUnder(item, basePath))
  if (value === null || typeof value !== 'object') return value
  const copy: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(value)) {
    if (key.endsWith('_url') && typeof field === 'string') copy[key] = under(field, basePath)
    else if (key.endsWith('_urls') && Array.isArray(field)) copy[key] = field.map((item) => (typeof item === 'string' ? under(item, basePath) : item))
    else copy[key] = linksUnder(field, basePath)
  }
  return copy
}

const under = (link: string, basePath: string) => (link.startsWith('/') ? `${basePath}${link}` : link)
