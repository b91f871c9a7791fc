import { appError } from '../errors/app-error.js'

/** What a member may be on one appeal, from most to least. Admins are owners of every appeal. */
export const appealRoles = ['owner', 'organiser', 'moderator', 'viewer'] as const
export type AppealRole = typeof appealRoles[number]

const rank: Record<AppealRole, number> = { owner: 4, organiser: 3, moderator: 2, viewer: 1 }

/** The lower of two roles (a token narrower than its owner, say). */
export const lowerRole = (a: AppealRole, b: AppealRole | null): AppealRole => b === null || rank[a] <= rank[b] ? a : b

/**
 * Every action on an appeal, with the roles allowed to do it: THE one place that says who may do
 * what. A route (API or dashboard) names its action when it finds its appeal
 * (`appeals.access(who, slug, 'signatures.export')`); the appeals service checks it there, for a
 * session and a token alike. `contactData` marks what shows a signer's email or private fields: those
 * need a second factor when REQUIRE_TWO_FACTOR is set.
 */
export const appealActions = {
  'appeal.read': { roles: ['owner', 'organiser', 'moderator', 'viewer'] },
  'appeal.edit': { roles: ['owner', 'organiser'] },
  'team.read': { roles: ['owner', 'organiser'] },
  'team.manage': { roles: ['owner'] },
  'audit.read': { roles: ['owner'] },
  'events.edit': { roles: ['owner', 'organiser'] },
  'signatures.moderate': { roles: ['owner', 'organiser', 'moderator'] },
  'signatures.readPrivate': { roles: ['owner', 'organiser'], contactData: true },
  'signatures.erase': { roles: ['owner', 'organiser'], contactData: true },
  'signatures.export': { roles: ['owner', 'organiser'], contactData: true },
  'signatures.import': { roles: ['owner', 'organiser'], contactData: true }
} as const satisfies Record<string, { roles: readonly AppealRole[], contactData?: true }>

export type AppealAction = keyof typeof appealActions

/** Actions on the whole instance rather than one appeal: admins only (and never through a narrowed token). */
export const instanceActions = ['organisers.manage', 'audit.readAll'] as const
export type InstanceAction = typeof instanceActions[number]

export const isAllowed = (role: AppealRole, action: AppealAction): boolean => (appealActions[action].roles as readonly AppealRole[]).includes(role)

export const needsContactData = (action: AppealAction): boolean => 'contactData' in appealActions[action]

/** Whether this role sees signers' emails and private fields (the moderator's and viewer's answers leave them out). */
export const seesContactData = (role: AppealRole): boolean => isAllowed(role, 'signatures.readPrivate')

/**
 * Whether someone in this role sees signers' emails and private fields: their role allows it and, where
 * REQUIRE_TWO_FACTOR is set, they sign in with a second factor. Otherwise lists show them what a
 * moderator sees.
 */
export function mayReadContactData (who: Requester, role: AppealRole, options: { requireTwoFactor: boolean }): boolean {
  return seesContactData(role) && (!options.requireTwoFactor || who.twoFactor)
}

/** Who asks, as the permission check needs it. */
export interface Requester {
  role: 'admin' | 'organiser'
  /** The narrowest role the credential allows (a token's cap), or null. */
  cap: AppealRole | null
  /** Whether the account signs in with a second factor. */
  twoFactor: boolean
}

/**
 * The check itself, once the member's role on the appeal is known (null: not a member, which answers
 * exactly like a missing appeal). A member whose role does not allow the action gets 403.
 */
export function assertAllowed (who: Requester, memberRole: AppealRole | null, action: AppealAction, options: { requireTwoFactor: boolean }): AppealRole {
  const base = who.role === 'admin' ? 'owner' : memberRole
  if (base === null) throw appError('APPEAL_NOT_FOUND')
  const role = lowerRole(base, who.cap)
  if (!isAllowed(role, action)) throw appError('FORBIDDEN')
  if (options.requireTwoFactor && needsContactData(action) && !who.twoFactor) throw appError('TWO_FACTOR_REQUIRED')
  return role
}

/** The check for instance-wide actions. */
export function assertInstanceAllowed (who: Requester, _action: InstanceAction): void {
  if (who.role !== 'admin' || (who.cap !== null && who.cap !== 'owner')) throw appError('FORBIDDEN')
}
