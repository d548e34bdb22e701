import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { apiConstructId, FEATURE_APIS, foundationId, ProjectFoundation, ProjectFoundationProps, REQUIRED_APIS } from './project-foundation';
import { RemovedResource } from './removed-resource';

/** Props of a {@link ProjectFoundationStack}: the foundation's props, with the project required. */
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
  /** The project's foundation: pass it to each environment's pipeline (`foundation`). */
  readonly foundation: ProjectFoundation;

  constructor(scope: Construct, id: string, props: ProjectFoundationStackProps) {
    super(scope, id);
    requireTerraform(this);
    new GoogleProvider(this, 'google', { project: props.project });
    this.foundation = ProjectFoundation.of(this, props);
  }
}

/**
 * Every API an environment stack of an earlier release enabled in its in-stack foundation: the required three,
 * Monitoring and Logging (alerts, the dashboard) and Pub/Sub (the "pubsub" dead-letter sink), all under the
 * construct ids `apiConstructId` still gives them. Read from the last in-stack release (git d873427, a synth of
 * `deadLetterSink: "pubsub"` with alerts on), so the `removed` blocks cover every address it created.
 */
export const LEGACY_IN_STACK_APIS = [...REQUIRED_APIS, ...FEATURE_APIS] as const;

/**
 * For a stack that used to own its project's foundation (the layout before `ProjectFoundationStack`):
 * `removed { lifecycle { destroy = false } }` blocks at the old addresses, so the next apply forgets the APIs
 * and the service agent's grant instead of destroying them (which would revoke the agent's role). Deploy the
 * foundation stack with `adoptExisting: true` first, so the grant is never unmanaged and never revoked.
 * Harmless on a stack that never had them (a `removed` block for an address not in state does nothing).
 * Covers `LEGACY_IN_STACK_APIS`; `apis` lists any other API the old stack enabled.
 */
export function releaseProjectFoundation(stack: TerraformStack, project?: string, apis: readonly string[] = []): RemovedResource[] {
  const id = foundationId(project);
  if (stack.node.tryFindChild(id)) {
    throw new Error(`stack '${stack.node.path}' still has its project foundation '${id}': release it only after moving it to its own stack`);
  }
  // Same construct path as the old foundation, so each removed block names the address it had.
  const old = new Construct(stack, id);
  return [
    ...[...new Set([...LEGACY_IN_STACK_APIS, ...apis])].map((api) => new RemovedResource(old, apiConstructId(api), 'google_project_service')),
    new RemovedResource(old, 'ServiceAgentRole', 'google_project_iam_member'),
  ];
}

/**
 * The oldest Terraform that reads every block these stacks write: `removed` (1.7), `import` with expressions
 * (1.6), `moved` (1.1), `terraform_data` (1.4).
 */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.7';

/** `terraform { required_version = ">= 1.7" }`: an older Terraform stops at init with a clear message. */
export function requireTerraform(stack: TerraformStack): void {
  stack.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);
}
