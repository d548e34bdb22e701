import type { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import type { CloudTasksQueueIamMember } from '@cdktf/provider-google/lib/cloud-tasks-queue-iam-member';
import type { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { checkExistingAccount, checkGrantAdoption, deriveServiceName, ROLES } from '../limits';
import type { HttpTargetPipelineProps } from './http-target-pipeline';
import { cloudRunServiceImportId, iamMemberImportId, queueImportId, serviceAccountImportId } from './import-ids';
import type { IServiceAccount } from './principal';
import { synthProblems, throwIfInvalid } from './validation';

/** The guide's three grants to the enqueuer, as the pipeline made them (the invoker one on its own handler only). */
export interface PipelineGrants {
  /** `roles/cloudtasks.enqueuer` on the queue. */
  readonly enqueuer: CloudTasksQueueIamMember;
  /** `roles/iam.serviceAccountUser` on the enqueuer itself (when it signs the dispatches). */
  readonly actAs?: ServiceAccountIamMember;
  /** `roles/run.invoker` on the pipeline's own handler. */
  invoker?: CloudRunV2ServiceIamMember;
}

/**
 * A pipeline adopting what was built by hand: a project for the import ids, the existing enqueuer's email
 * (unless an enqueuer is given), and a known enqueuer email for importing grants. The queue and the handler
 * check their own existing names.
 */
export function checkPipelineAdoption(scope: Construct, props: HttpTargetPipelineProps): void {
  const adopt = props.adoptExisting === true;
  const p = synthProblems();
  p.fail('project', undefined, 'set when adoptExisting is true (the import ids name the project)', adopt && props.project === undefined);
  if (props.enqueuer === undefined) {
    checkExistingAccount(p, 'existingEnqueuerEmail', { adopt, existing: props.existingEnqueuerEmail, project: props.project, role: 'enqueuer' });
  }
  const email = props.enqueuer?.email ?? props.existingEnqueuerEmail;
  checkGrantAdoption(p, { adopt, grants: props.adoptExistingGrants === true, emailKnown: email !== undefined && !Token.isUnresolved(email) });
  throwIfInvalid(scope, p);
}

/**
 * Import blocks for the grants the guide made on the queue, the enqueuer and the handler themselves.
 * Called only after `checkPipelineAdoption` passed with `adoptExistingGrants` (so project and email are known).
 */
export function importPipelineGrants(props: HttpTargetPipelineProps, enqueuer: IServiceAccount, grants: PipelineGrants): void {
  const project = props.project!;
  const email = props.enqueuer?.email ?? props.existingEnqueuerEmail!;
  const member = `serviceAccount:${email}`;
  grants.enqueuer.importFrom(iamMemberImportId(queueImportId(project, props.location, props.queueId), ROLES.enqueuer, member));
  // The token account is the enqueuer: an account given by email names its own project.
  const account = Token.isUnresolved(enqueuer.resourceName) ? serviceAccountImportId(project, email) : enqueuer.resourceName;
  grants.actAs?.importFrom(iamMemberImportId(account, ROLES.serviceAccountUser, member));
  const serviceName = props.handler?.serviceName ?? deriveServiceName(props.queueId);
  grants.invoker?.importFrom(iamMemberImportId(cloudRunServiceImportId(project, props.location, serviceName), ROLES.runInvoker, member));
}
