import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { apiConstructId, foundationId, ProjectFoundation, ProjectFoundationProps, REQUIRED_APIS } from './project-foundation';
import { RemovedResource } from './removed-resource';

export interface ProjectFoundationStackProps extends ProjectFoundationProps {
  /** Project id: the foundation's project and the stack's provider project. */
  readonly project: string;
}

/**
 * A stack holding only a project's foundation (APIs, the wait, the service agent's grant). Environment
 * stacks take its `foundation` and so depend on this stack; destroying one of them never touches it.
 * Add a backend with `new GcsBackend(stack, ...)` as for any stack.
 */
export class ProjectFoundationStack extends TerraformStack {
  readonly foundation: ProjectFoundation;

  constructor(scope: Construct, id: string, props: ProjectFoundationStackProps) {
    super(scope, id);
    new GoogleProvider(this, 'google', { project: props.project });
    this.foundation = ProjectFoundation.of(this, props);
  }
}

/**
 * For a stack that used to own its project's foundation (the layout before `ProjectFoundationStack`):
 * `removed { lifecycle { destroy = false } }` blocks at the old addresses, so the next apply forgets the APIs
 * and the service agent's grant instead of destroying them (which would revoke the agent's role). Deploy the
 * foundation stack with `adoptExisting: true` first, so the grant is never unmanaged and never revoked.
 * Harmless on a stack that never had them. `apis` lists extra APIs the old stack enabled.
 */
export function releaseProjectFoundation(stack: TerraformStack, project?: string, apis: readonly string[] = []): RemovedResource[] {
  const id = foundationId(project);
  if (stack.node.tryFindChild(id)) {
    throw new Error(`stack '${stack.node.path}' still has its project foundation '${id}': release it only after moving it to its own stack`);
  }
  // Same construct path as the old foundation, so each removed block names the address it had.
  const old = new Construct(stack, id);
  return [
    ...[...REQUIRED_APIS, ...apis].map((api) => new RemovedResource(old, apiConstructId(api), 'google_project_service')),
    new RemovedResource(old, 'ServiceAgentRole', 'google_project_iam_member'),
  ];
}
