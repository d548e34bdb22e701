import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ITerraformDependable, stringToHclTerraform, stringToTerraform, TerraformProvider, TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

/**
 * The google-beta provider version: the one `@cdktf/provider-google` wraps (its `GoogleProvider` metadata,
 * 6.50.0 for 16.12.1), so both providers come from the same release.
 */
export const GOOGLE_BETA_VERSION = '6.50.0';

/**
 * The `google-beta` provider, declared without a bindings package (`@cdktf/provider-google-beta` is another
 * ~300 MB of npm): only the `project` attribute, which is all the foundation's one beta resource needs.
 * One per stack: {@link GoogleBetaProvider.of}. Terraform downloads the google-beta plugin for the stacks that
 * declare it (the foundation stacks), not for environment stacks.
 */
export class GoogleBetaProvider extends TerraformProvider {
  /** The stack's google-beta provider, declared on first use (with the stack's google provider's project). */
  static of(scope: Construct): GoogleBetaProvider {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild('google-beta');
    if (existing) return existing as GoogleBetaProvider;
    return new GoogleBetaProvider(stack, 'google-beta');
  }

  constructor(scope: Construct, id: string) {
    super(scope, id, {
      terraformResourceType: 'google-beta',
      terraformGeneratorMetadata: { providerName: 'google-beta', providerVersion: GOOGLE_BETA_VERSION },
      terraformProviderSource: 'hashicorp/google-beta',
    });
  }

  /** The project of the stack's google provider, so both default to one project. */
  private get project(): string | undefined {
    const google = TerraformStack.of(this).node.children.find((c): c is GoogleProvider => c instanceof GoogleProvider);
    return google?.project;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { project: stringToTerraform(this.project) };
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return { project: { value: stringToHclTerraform(this.project), isBlock: false, type: 'simple', storageClassType: 'string' } };
  }
}

/** Props of a {@link ProjectServiceIdentity}. */
export interface ProjectServiceIdentityProps {
  /** Project id. */
  readonly project: string;
  /** The service whose agent to create, e.g. `cloudtasks.googleapis.com`. */
  readonly service: string;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * `google_project_service_identity` (google-beta only): calls Service Usage `services.generateServiceIdentity`,
 * which creates the service's agent if it does not exist yet, and waits for the operation. Create-only: updates
 * and destroys are no-ops, so destroying it never removes the agent.
 *
 * Source: terraform-provider-google-beta v6.50.0,
 * google-beta/services/resourcemanager/resource_project_service_identity.go (Create: POST
 * `projects/{{project}}/services/{{service}}:generateServiceIdentity`, then `ServiceUsageOperationWaitTimeWithResponse`;
 * "There is no read endpoint", "There is no delete endpoint"; `email`/`member` set only when the operation
 * returns them). The GA provider's file of that name is empty at v6.50.0.
 */
export class ProjectServiceIdentity extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: ProjectServiceIdentityProps,
  ) {
    super(scope, id, {
      terraformResourceType: 'google_project_service_identity',
      terraformGeneratorMetadata: { providerName: 'google-beta', providerVersion: GOOGLE_BETA_VERSION },
      provider: GoogleBetaProvider.of(scope),
      dependsOn: props.dependsOn,
    });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { project: stringToTerraform(this.props.project), service: stringToTerraform(this.props.service) };
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    const attr = (value: string) => ({ value: stringToHclTerraform(value), isBlock: false, type: 'simple', storageClassType: 'string' });
    return { project: attr(this.props.project), service: attr(this.props.service) };
  }
}
