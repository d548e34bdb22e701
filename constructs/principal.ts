import { TerraformStack, Token } from 'cdktf';
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

const MEMBER_PATTERN = /^(user|serviceAccount|group|domain|principal|principalSet):.+$/;
/** Members meaning "anyone" (with or without a Google account): never granted by this library. */
const PUBLIC_MEMBERS = ['allusers', 'allauthenticatedusers', 'principalset://goog/public:all'];
const MEMBER_ALLOWED =
  'an IAM member such as "serviceAccount:EMAIL", "user:EMAIL" or "group:EMAIL" (user, group and serviceAccount members need an email address; never allUsers or allAuthenticatedUsers)';

/** Records a problem when `member` is public, not an IAM member string, or a user/group/serviceAccount without an email; unresolved tokens are skipped. */
export function checkMember(problems: Problems, prop: string, member: string): Problems {
  return problems.check(prop, member, isGrantableMember, MEMBER_ALLOWED);
}

function isGrantableMember(member: string): boolean {
  // No `$`: `.*` runs to the end, and MEMBER_PATTERN already refuses a member with a line break.
  const withEmail = /^(user|group|serviceAccount):(.*)/.exec(member);
  return MEMBER_PATTERN.test(member) && !PUBLIC_MEMBERS.includes(member.trim().toLowerCase()) && (!withEmail || RULES.email.ok(withEmail[2]));
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
 * id clash. Refuses public and malformed members, whatever built the principal.
 */
export function grantOnce<T extends IConstruct>(scope: IConstruct, role: string, principal: IPrincipal, create: (id: string) => T): T {
  checkMember(synthProblems(), 'member', principal.member).throwIfAny(`grant of ${role} on '${scope.node.path}'`);
  const id = grantId(role, principal);
  return (scope.node.tryFindChild(id) as T | undefined) ?? create(id);
}
