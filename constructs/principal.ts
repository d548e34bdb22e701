import { Lazy, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { createHash } from 'node:crypto';
import { Problems, RULES, ValidationError } from '../limits';
import { synthProblems } from './validation';

/** Something IAM can grant a role to. */
export interface IPrincipal {
  /** The IAM member string, e.g. `serviceAccount:x@p.iam.gserviceaccount.com` or `group:team@example.com`. */
  readonly member: string;
}

/** A service account: a principal that can also be impersonated (the identity in a task's token). */
export interface IServiceAccount extends IPrincipal {
  /** The service account email, e.g. `NAME@PROJECT.iam.gserviceaccount.com`. */
  readonly email: string;
  /** Full resource name, `projects/PROJECT/serviceAccounts/EMAIL`, used to grant roles on the account itself. */
  readonly resourceName: string;
}

/** The member kinds this library grants to; anything else (allUsers, deleted:..., a bare email) is refused. */
export const MEMBER_PATTERN = /^(user|serviceAccount|group|domain|principal|principalSet):.+$/;
/** Members meaning "anyone" (with or without a Google account): never granted by this library (compared lowercase). */
export const PUBLIC_MEMBERS: readonly string[] = ['allusers', 'allauthenticatedusers', 'principalset://goog/public:all'];
/**
 * Consumer domains: `domain:gmail.com` is every personal Google account, as good as public. Never granted.
 * (A `domain:` member is meant for a Google Workspace or Cloud Identity domain.)
 */
export const CONSUMER_DOMAINS: readonly string[] = ['gmail.com', 'googlemail.com'];
/**
 * `principal://` and `principalSet://` identifiers: a known issuer, then non-empty path segments without spaces
 * (no trailing slash, no `//`). `principalSet://goog/public:...` is public and refused separately.
 */
export const PRINCIPAL_ID_PATTERN = /^principal(Set)?:\/\/(iam\.googleapis\.com|goog|cloudresourcemanager\.googleapis\.com)(\/[^\s/]+)+$/;
/** A `domain:` member: a DNS name of at least two labels. */
export const DOMAIN_MEMBER_PATTERN = /^domain:((?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)+[A-Za-z]{2,63}$/;
/** Members whose value Terraform computes (`${...}`) are accepted only after one of these literal kinds: none can be public. */
const COMPUTED_MEMBER_PREFIX = /^(user|group|serviceAccount|principal):/;
/** The `member` attribute of a (data) google_service_account: always `serviceAccount:EMAIL`. */
const SERVICE_ACCOUNT_MEMBER_REF = /^\$\{(data\.)?google_service_account\.[\w-]+\.member\}$/;
const MEMBER_ALLOWED =
  'an IAM member such as "serviceAccount:EMAIL", "user:EMAIL" or "group:EMAIL" (principal and principalSet members need a well-formed ' +
  'iam.googleapis.com, goog or cloudresourcemanager.googleapis.com identifier, domain members a company domain (not gmail.com), ' +
  'user, group and serviceAccount members need an email address; never allUsers or allAuthenticatedUsers)';

/** Records a problem when `member` is public, not an IAM member string, or a user/group/serviceAccount without an email; unresolved tokens are skipped. */
export function checkMember(problems: Problems, prop: string, member: string): Problems {
  return problems.check(prop, member, isGrantableMember, MEMBER_ALLOWED);
}

/** True when `member` may be granted: a well-formed member of a known kind that is not public. */
export function isGrantableMember(member: string): boolean {
  // No `$`: `.*` runs to the end, and MEMBER_PATTERN already refuses a member with a line break.
  const withEmail = /^(user|group|serviceAccount):(.*)/.exec(member);
  if (!MEMBER_PATTERN.test(member) || isPublicMember(member)) return false;
  if (withEmail) return RULES.email.ok(withEmail[2]);
  if (member.startsWith('principal')) return PRINCIPAL_ID_PATTERN.test(member);
  if (member.startsWith('domain:')) return DOMAIN_MEMBER_PATTERN.test(member);
  return true;
}

/** True for allUsers, allAuthenticatedUsers, any `principalSet://goog/public:` set and consumer domains, in any case. */
export function isPublicMember(member: string): boolean {
  const m = member.trim().toLowerCase().replace(/\/+$/, '');
  return PUBLIC_MEMBERS.includes(m) || m.startsWith('principalset://goog/public:') || CONSUMER_DOMAINS.includes(m.replace(/^domain:/, '').replace(/\.$/, ''));
}

/**
 * The check of a member known only at synth (a `Lazy` or another construct's attribute), on its resolved value:
 * a literal member must be grantable; a Terraform expression must be a service account's `member` attribute or follow a
 * literal user, group, serviceAccount or principal kind (a computed principalSet, domain or whole member could be
 * public, and is refused).
 */
export function isGrantableResolvedMember(resolved: unknown): boolean {
  if (typeof resolved !== 'string') return false;
  if (!resolved.includes('${')) return isGrantableMember(resolved);
  return SERVICE_ACCOUNT_MEMBER_REF.test(resolved) || COMPUTED_MEMBER_PREFIX.test(resolved);
}

function checkEmail(kind: string, email: string): void {
  if (!Token.isUnresolved(email) && !RULES.email.ok(email)) {
    throw new ValidationError(`${kind} principal`, [{ prop: 'email', value: email, allowed: RULES.email.allowed }]);
  }
}

/** Principals that are not constructs: users, groups and existing service accounts. */
export class Principal implements IPrincipal {
  /**
   * An existing service account, by email. The project comes from `project`, or from a user-managed
   * account's email (`NAME@PROJECT.iam.gserviceaccount.com`).
   */
  static serviceAccount(email: string, project?: string): IServiceAccount {
    if (!Token.isUnresolved(email) && !RULES.serviceAccountEmail.ok(email)) {
      throw new ValidationError('service account principal', [{ prop: 'email', value: email, allowed: RULES.serviceAccountEmail.allowed }]);
    }
    const owner = project ?? projectOfEmail(email);
    if (owner === undefined) {
      throw new Error(
        `'project' is required for service account ${JSON.stringify(email)}: ` +
          'its project cannot be derived from the email (expected NAME@PROJECT.iam.gserviceaccount.com)',
      );
    }
    return {
      email,
      member: `serviceAccount:${email}`,
      resourceName: `projects/${owner}/serviceAccounts/${email}`,
    };
  }

  /** A Google account, by email (`user:EMAIL`). */
  static user(email: string): IPrincipal {
    checkEmail('user', email);
    return Principal.fromMember(`user:${email}`);
  }

  /** A Google group, by email (`group:EMAIL`). */
  static group(email: string): IPrincipal {
    checkEmail('group', email);
    return Principal.fromMember(`group:${email}`);
  }

  /** Any IAM member string, e.g. `principalSet://...` for workload identity federation. */
  static fromMember(member: string): IPrincipal {
    checkMember(synthProblems(), 'member', member).throwIfAny('principal');
    return new Principal(member);
  }

  private constructor(readonly member: string) {}
}

function projectOfEmail(email: string): string | undefined {
  if (Token.isUnresolved(email)) return undefined;
  // The email has passed RULES.serviceAccountEmail: one '@' after a non-empty name.
  return /@([a-z][-a-z0-9]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
}

/**
 * A stable, readable construct id for a grant to `principal`: the principal's construct path when it is
 * a construct (its member is a token), else the member itself, hashed when it is a token.
 */
export function grantId(role: string, principal: IPrincipal): string {
  const roleName = role.split('/').pop()!.replace(/[^A-Za-z0-9]/g, '');
  let who: string;
  if (Construct.isConstruct(principal)) {
    // The path below the stack: readable, unique, and unchanged if the stack is renamed.
    const construct = principal as IConstruct;
    const stackPath = TerraformStack.of(construct).node.path;
    who = construct.node.path.slice(stackPath.length).replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  } else if (Token.isUnresolved(principal.member)) {
    who = createHash('sha256').update(principal.member).digest('hex').slice(0, 12);
  } else {
    who = principal.member.replace(/[^A-Za-z0-9]+/g, '-');
  }
  return `${roleName}-${who}`;
}

/**
 * The grant of `role` to `principal` under `scope`, created on first use: granting twice is a no-op, not an
 * id clash. Refuses public and malformed members, whatever built the principal; a member known only at synth
 * (a token) is checked on its resolved value when the stack is written.
 */
export function grantOnce<
  T extends IConstruct & {
    /** The IAM member the grant resource binds. */
    member: string;
  },
>(scope: IConstruct, role: string, principal: IPrincipal, create: (id: string) => T): T {
  const what = `grant of ${role} on '${scope.node.path}'`;
  checkMember(synthProblems(), 'member', principal.member).throwIfAny(what);
  const id = grantId(role, principal);
  const existing = scope.node.tryFindChild(id) as T | undefined;
  if (existing) return existing;
  const grant = create(id);
  const member = principal.member;
  if (Token.isUnresolved(member)) {
    // Resolved with the stack, so every synth path checks it (validations run only when asked for).
    grant.member = Lazy.stringValue({
      produce: (context) => {
        const resolved: unknown = context.resolve(member);
        if (!isGrantableResolvedMember(resolved)) {
          throw new ValidationError(what, [{ prop: 'member', value: resolved, allowed: `${MEMBER_ALLOWED}; a member computed by Terraform must be a google_service_account's member or start with a literal user:, group:, serviceAccount: or principal: kind` }]);
        }
        return member;
      },
    });
  }
  return grant;
}
