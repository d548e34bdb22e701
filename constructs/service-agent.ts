import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { createHash } from 'node:crypto';
import { ROLES, RULES } from '../limits';
import { synthProblems } from './validation';

/** APIs the pipeline needs enabled: Cloud Tasks (creates the service agent), Cloud Run and IAM. */
export const REQUIRED_APIS = ['cloudtasks.googleapis.com', 'run.googleapis.com', 'iam.googleapis.com'] as const;

/**
 * The project's Cloud Tasks service agent, `service-NUMBER@gcp-sa-cloudtasks.iam.gserviceaccount.com`,
 * bound to `roles/cloudtasks.serviceAgent` once the Cloud Tasks API (which creates it) is enabled.
 *
 * One per project per stack: use `CloudTasksServiceAgent.of(scope, project)`, which every queue in the
 * stack shares, rather than `new`.
 */
export class CloudTasksServiceAgent extends Construct {
  /** The stack's service agent for `project` (the provider's project when omitted), created on first use. */
  static of(scope: IConstruct, project?: string): CloudTasksServiceAgent {
    const stack = TerraformStack.of(scope);
    const problems = synthProblems().rule('project', project, RULES.projectId);
    problems.throwIfAny(`project of the Cloud Tasks service agent in '${stack.node.path}'`);
    const id = project === undefined ? 'CloudTasksServiceAgent' : `CloudTasksServiceAgent-${idPart(project)}`;
    return (stack.node.tryFindChild(id) as CloudTasksServiceAgent | undefined) ?? new CloudTasksServiceAgent(stack, id, project);
  }

  /** `google_project` data source: where the project number comes from. */
  readonly project: DataGoogleProject;
  /** `google_project_service` per required API, keyed by service name. */
  readonly apis: Record<string, ProjectService>;
  /** Service agent email. */
  readonly email: string;
  /** IAM member string of the service agent. */
  readonly member: string;
  readonly binding: ProjectIamMember;

  private constructor(scope: Construct, id: string, project: string | undefined) {
    super(scope, id);
    this.project = new DataGoogleProject(this, 'Project', { projectId: project });
    this.apis = Object.fromEntries(
      REQUIRED_APIS.map((service) => [
        service,
        new ProjectService(this, service.split('.')[0], {
          project: this.project.projectId,
          service,
          // Disabling an API on destroy would break every other workload in the project that uses it.
          disableOnDestroy: false,
        }),
      ]),
    );
    this.email = `service-${this.project.number}@gcp-sa-cloudtasks.iam.gserviceaccount.com`;
    this.member = `serviceAccount:${this.email}`;
    this.binding = new ProjectIamMember(this, 'ServiceAgentRole', {
      project: this.project.projectId,
      role: ROLES.serviceAgent,
      member: this.member,
      // The agent only exists once the Cloud Tasks API is enabled.
      dependsOn: [this.apis['cloudtasks.googleapis.com']],
    });
  }
}

function idPart(project: string): string {
  return Token.isUnresolved(project)
    ? createHash('sha256').update(project).digest('hex').slice(0, 12)
    : project.replace(/[^A-Za-z0-9-]/g, '-');
}
