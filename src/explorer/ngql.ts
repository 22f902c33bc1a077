/**
 * The nGQL the web console's account handling sends through POST /api-nebula/db/exec, as NebulaGraph 3
 * spells it: `ALTER USER [IF EXISTS] <user> WITH PASSWORD '<password>'` and
 * `CHANGE PASSWORD <user> FROM '<old>' TO '<new>'`. Keywords in any case, a user name bare or in
 * backquotes, a password in single or double quotes with backslash escapes, one trailing `;` allowed.
 * Nothing else is recognised: the sandbox has no graph to run it on.
 */
export type AccountStatement =
  | { kind: 'alter'; account: string; password: string; ifExists: boolean }
  | { kind: 'change'; account: string; from: string; to: string }

const NAME = String.raw`(\`[^\`]+\`|[A-Za-z_][A-Za-z0-9_]*)`
const TEXT = String.raw`('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")`
const ALTER = new RegExp(String.raw`^\s*ALTER\s+USER\s+(IF\s+EXISTS\s+)?${NAME}\s+WITH\s+PASSWORD\s+${TEXT}\s*;?\s*$`, 'is')
const CHANGE = new RegExp(String.raw`^\s*CHANGE\s+PASSWORD\s+${NAME}\s+FROM\s+${TEXT}\s+TO\s+${TEXT}\s*;?\s*$`, 'is')

const nameOf = (spelled: string) => (spelled.startsWith('`') ? spelled.slice(1, -1) : spelled)
const textOf = (quoted: string) => quoted.slice(1, -1).replace(/\\(.)/gs, '$1')

/** The account statement `gql` is, or null for any other nGQL. */
export function accountStatement(gql: string): AccountStatement | null {
  const alter = ALTER.exec(gql)
  if (alter) return { kind: 'alter', account: nameOf(alter[2] as string), password: textOf(alter[3] as string), ifExists: alter[1] !== undefined }
  const change = CHANGE.exec(gql)
  if (change) return { kind: 'change', account: nameOf(change[1] as string), from: textOf(change[2] as string), to: textOf(change[3] as string) }
  return null
}
