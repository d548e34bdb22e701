import { ServiceAccount as GoogleServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct } from 'constructs';
import { ACCOUNT_ID_PATTERN, PROJECT_ID_PATTERN } from '../limits';
import { IServiceAccount } from './principal';
import { synthProblems, throwIfInvalid } from './validation';

/** Props of a dedicated {@link ServiceAccount}. */
export interface ServiceAccountProps {
  /** Account id: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter. */
  readonly accountId: string;
  /** Project id. @default - the provider's project */
  readonly project?: string;
  /** Shown in the console. @default - the account id */
  readonly displayName?: string;
  /** What the account is for. @default - none */
  readonly description?: string;
}

/**
 * A dedicated, user-managed service account (`google_service_account`). It holds no roles by itself:
 * roles come from grants on the resources it uses (`queue.grantEnqueue(sa)`, `handler.grantInvoke(sa)`).
 */
export class ServiceAccount extends Construct implements IServiceAccount {
  /** The underlying provider resource, for escape hatches. */
  readonly resource: GoogleServiceAccount;
  /** The account email (known after apply). */
  readonly email: string;
  readonly member: string;
  readonly resourceName: string;

  constructor(scope: Construct, id: string, props: ServiceAccountProps) {
    super(scope, id);
    const problems = synthProblems()
      .check('accountId', props.accountId, (v) => ACCOUNT_ID_PATTERN.test(v), '6-30 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen')
      .check('project', props.project, (v) => PROJECT_ID_PATTERN.test(v), 'a project id: 6-30 lowercase letters, digits and hyphens, starting with a letter');
    throwIfInvalid(this, problems);

    this.resource = new GoogleServiceAccount(this, 'Resource', {
      accountId: props.accountId,
      project: props.project,
      displayName: props.displayName ?? props.accountId,
      description: props.description,
    });
    this.email = this.resource.email;
    this.member = this.resource.member;
    this.resourceName = this.resource.name;
  }
}

/**
 * Derives a valid account id (6-30 chars) from a name and a suffix: lowercased, invalid characters turned
 * into hyphens, the name shortened so the suffix always fits.
 */
export function deriveAccountId(name: string, suffix: string): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-');
  let base = clean(name).replace(/^[^a-z]+/, '');
  const tail = clean(suffix).replace(/^-+/, '');
  base = base.slice(0, Math.max(0, 30 - tail.length - 1)).replace(/-+$/, '');
  let id = base ? `${base}-${tail}` : tail;
  if (!/^[a-z]/.test(id)) id = `sa-${id}`;
  id = id.replace(/-+$/, '');
  while (id.length < 6) id += '-sa';
  return id.slice(0, 30).replace(/-+$/, '');
}
