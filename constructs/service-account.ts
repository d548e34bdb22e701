import { ServiceAccount as GoogleServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct } from 'constructs';
import { RULES } from '../limits';
import { serviceAccountImportId } from './import-ids';
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
  /**
   * The account exists (made by hand): adopt it with a Terraform `import` block instead of creating it.
   * `accountId` and `project` must be the existing account's (both force replacement); `project` is required.
   * @default false
   */
  readonly adoptExisting?: boolean;
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
      .rule('accountId', props.accountId, RULES.accountId)
      .rule('project', props.project, RULES.projectId)
      .fail('project', undefined, 'set when adoptExisting is true (the import id names the project)', props.adoptExisting === true && props.project === undefined);
    throwIfInvalid(this, problems);

    this.resource = new GoogleServiceAccount(this, 'Resource', {
      accountId: props.accountId,
      project: props.project,
      displayName: props.displayName ?? props.accountId,
      description: props.description,
    });
    if (props.adoptExisting) {
      this.resource.importFrom(serviceAccountImportId(props.project!, `${props.accountId}@${props.project}.iam.gserviceaccount.com`));
    }
    this.email = this.resource.email;
    this.member = this.resource.member;
    this.resourceName = this.resource.name;
  }
}

/** Derives a valid account id from a name and a suffix (shortened with a stable hash when needed). */
export { deriveAccountId } from '../limits';
