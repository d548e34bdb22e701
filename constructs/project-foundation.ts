import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { anyToHclTerraform, anyToTerraform, Aspects, dependable, hashMapper, hashMapperHcl, IAspect, TerraformResource, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { createHash } from 'node:crypto';
import { FOUNDATION_WAIT_SECONDS, ROLES, RULES } from '../limits';
import { RemovedResource } from './removed-resource';
import { ProjectServiceIdentity } from './service-identity';
import { synthProblems, throwIfInvalid } from './validation';

/** APIs every pipeline needs: Cloud Tasks (whose enablement creates the service agent), Cloud Run and IAM. */
export const REQUIRED_APIS = ['cloudtasks.googleapis.com', 'run.googleapis.com', 'iam.googleapis.com'] as const;

/**
 * APIs a pipeline feature enables and a later config may stop needing: Monitoring and Logging (alerts, the
 * dashboard), Pub/Sub (the "pubsub" dead-letter sink). While none needs one, the foundation keeps a `removed`
 * block (`destroy = false`) at its address instead of its `google_project_service`.
 */
export const FEATURE_APIS = ['monitoring.googleapis.com', 'logging.googleapis.com', 'pubsub.googleapis.com'] as const;

/** Seconds to wait after enabling APIs, as the provider guide advises ("Newly activated service errors"). */
export { FOUNDATION_WAIT_SECONDS } from '../limits';

const API_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.googleapis\.com$/;

/** Props of a {@link ProjectFoundation}. */
export interface ProjectFoundationProps {
  /** Project id. @default - the provider's project */
  readonly project?: string;
  /**
   * APIs to enable besides `REQUIRED_APIS`, e.g. `["monitoring.googleapis.com"]`. More can be added later
   * with `enableApi()`. Names end in `.googleapis.com`.
   * @default - only REQUIRED_APIS
   */
  readonly apis?: readonly string[];
  /**
   * Seconds to wait after the APIs are enabled before anything that needs them is created, and before the
   * Cloud Tasks service agent gets its role (the agent appears when the API is enabled). Whole seconds, 0-600.
   * @default 60
   */
  readonly waitSeconds?: number;
  /**
   * Refuse `terraform destroy` of the APIs and the service agent's grant (`prevent_destroy`). Destroying the
   * grant revokes `roles/cloudtasks.serviceAgent` for every queue in the project; set false only when the
   * whole project goes away.
   * @default true
   */
  readonly protectFromDestroy?: boolean;
  /**
   * Create the Cloud Tasks service agent before granting it its role (`google_project_service_identity`, from
   * the google-beta provider, declared without a bindings package), so the grant never races the agent's
   * creation. `false` leaves the agent to Google (created "as you enable and use" a service): a first apply may
   * then fail on the grant with "Service account service-NUMBER@gcp-sa-cloudtasks.iam.gserviceaccount.com does
   * not exist", and a re-run succeeds; it spares the foundation stack the google-beta plugin download.
   * @default true
   */
  readonly createServiceAgent?: boolean;
  /**
   * Adopt APIs and a service agent grant that already exist (Terraform `import` blocks): for the first apply
   * after moving them out of an environment stack. Must stay false on a project where they were never
   * managed by Terraform (an import of something that does not exist fails). Harmless once adopted.
   * @default false
   */
  readonly adoptExisting?: boolean;
}

/**
 * What a GCP project needs once, whatever runs in it: the APIs, a wait for them to propagate, and the Cloud
 * Tasks service agent's `roles/cloudtasks.serviceAgent` grant, which comes after the wait.
 *
 * Workloads reference a foundation and never own it: give it its own stack (`ProjectFoundationStack`) so that
 * destroying an environment never touches it, and pass it to each pipeline (`foundation`). Everything under
 * a scope passed to `requiredBy` depends on the wait (and the grant), across stacks too.
 */
export class ProjectFoundation extends Construct {
  /**
   * The stack's foundation for a project, created on first use (one per project per stack). The construct id
   * is `CloudTasksServiceAgent[-PROJECT]`, kept from earlier versions so deployed addresses do not move.
   */
  static of(scope: IConstruct, props: ProjectFoundationProps | string = {}): ProjectFoundation {
    const p = typeof props === 'string' ? { project: props } : props;
    const stack = TerraformStack.of(scope);
    const id = foundationId(p.project);
    const existing = stack.node.tryFindChild(id) as ProjectFoundation | undefined;
    if (!existing) return new ProjectFoundation(stack, id, p);
    const options = Object.keys(p).filter((k) => k !== 'project' && p[k as keyof ProjectFoundationProps] !== undefined);
    if (options.length > 0) {
      throw new Error(`ProjectFoundation '${existing.node.path}' already exists: pass ${options.join(', ')} where it is first created (or call enableApi on it)`);
    }
    return existing;
  }

  /** `google_project` data source: where the project number comes from. */
  readonly project: DataGoogleProject;
  /** `google_project_service` per enabled API, keyed by service name. */
  readonly apis: Record<string, ProjectService> = {};
  /** `time_sleep` after enabling the APIs: what every dependent resource waits for. */
  readonly wait: Sleep;
  /** Service agent email, `service-NUMBER@gcp-sa-cloudtasks.iam.gserviceaccount.com`. */
  readonly email: string;
  /** IAM member string of the service agent. */
  readonly member: string;
  /** `roles/cloudtasks.serviceAgent` on the project for the agent (after the wait and the agent's creation). */
  readonly binding: ProjectIamMember;
  /** `google_project_service_identity` that creates the agent (after the wait); unless `createServiceAgent` is false. */
  readonly serviceAgentIdentity?: ProjectServiceIdentity;
  /** The project id as given (undefined: the provider's project). */
  readonly projectId?: string;
  private readonly props: ProjectFoundationProps;
  private readonly ready = new Map<TerraformStack, string[]>();

  constructor(scope: Construct, id: string, props: ProjectFoundationProps = {}) {
    super(scope, id);
    this.props = props;
    this.projectId = props.project;
    const waitSeconds = props.waitSeconds ?? FOUNDATION_WAIT_SECONDS.default;
    const problems = synthProblems()
      .rule('project', props.project, RULES.projectId)
      .rule('waitSeconds', waitSeconds, RULES.foundationWaitSeconds);
    for (const api of props.apis ?? []) problems.check('apis', api, (v) => API_PATTERN.test(v), 'service names such as "monitoring.googleapis.com"');
    throwIfInvalid(this, problems);

    ensureTimeProvider(TerraformStack.of(this));
    this.project = new DataGoogleProject(this, 'Project', { projectId: props.project });
    this.wait = new Sleep(this, 'Wait', { createDuration: `${waitSeconds}s` });
    for (const api of [...REQUIRED_APIS, ...(props.apis ?? [])]) this.enableApi(api);
    // Turning a feature off must not plan to destroy its API in this protected stack: prevent_destroy leaves the
    // config with the resource, so Terraform would plan a destroy (one that only forgets, as disable_on_destroy is
    // false, but reads as a destroy to a reviewer). The block forgets it and says so, and does nothing when the
    // API was never in state; enableApi replaces it with the resource when a feature needs the API again.
    for (const api of FEATURE_APIS) if (!this.apis[api]) new RemovedResource(this, apiConstructId(api), 'google_project_service');

    this.email = `service-${this.project.number}@gcp-sa-cloudtasks.iam.gserviceaccount.com`;
    this.member = `serviceAccount:${this.email}`;
    // Google creates the agent "as you enable and use" a service, so it may not exist when the wait ends, and a
    // grant to a missing account fails ("does not exist") without a retry: create it first (generateServiceIdentity
    // is idempotent; the resource is never destroyed). The grant keeps its member string built from the project
    // number, so an existing grant is not replaced (the identity's `member` is unknown until it is created, and
    // may stay empty: the API does not always return it).
    if (props.createServiceAgent ?? true) {
      this.serviceAgentIdentity = new ProjectServiceIdentity(this, 'ServiceAgent', { project: this.project.projectId, service: 'cloudtasks.googleapis.com', dependsOn: [this.wait] });
    }
    this.binding = new ProjectIamMember(this, 'ServiceAgentRole', {
      project: this.project.projectId,
      role: ROLES.serviceAgent,
      member: this.member,
      dependsOn: [this.wait, ...(this.serviceAgentIdentity ? [this.serviceAgentIdentity] : [])],
      lifecycle: { preventDestroy: this.protected },
    });
    if (props.adoptExisting) {
      this.binding.importFrom(`${this.importProject} ${ROLES.serviceAgent} ${this.member}`);
    }
  }

  /**
   * Enables `service` (e.g. `"pubsub.googleapis.com"`) in the project, before the wait: everything that
   * depends on the foundation can use it. Idempotent; never disabled on destroy.
   */
  enableApi(service: string): ProjectService {
    const existing = this.apis[service];
    if (existing) return existing;
    throwIfInvalid(this, synthProblems().check('enableApi', service, (v) => API_PATTERN.test(v), 'a service name such as "monitoring.googleapis.com"'));
    if (this.node.tryFindChild(apiConstructId(service)) instanceof RemovedResource) this.node.tryRemoveChild(apiConstructId(service));
    const api = new ProjectService(this, apiConstructId(service), {
      project: this.project.projectId,
      service,
      // Disabling an API on destroy would break every other workload in the project that uses it.
      disableOnDestroy: false,
      lifecycle: { preventDestroy: this.protected },
    });
    // Only what earlier versions deployed can be adopted: importing an API that was never enabled fails.
    if (this.props.adoptExisting && (REQUIRED_APIS as readonly string[]).includes(service)) api.importFrom(`${this.importProject}/${service}`);
    this.apis[service] = api;
    // The wait restarts when the set of APIs changes, so a newly added API gets its propagation time too.
    this.wait.triggers = Object.fromEntries(Object.entries(this.apis).map(([name, r]) => [name, r.id]));
    return api;
  }

  /**
   * Makes every resource under `scope` (now or added later) depend on the wait and the service agent's
   * grant. `scope` may be in another stack: it then depends on this stack (a cross-stack reference), and
   * the dependency runs through one `terraform_data` in its stack.
   */
  requiredBy(scope: IConstruct): void {
    const ready = this.readyIn(TerraformStack.of(scope));
    Aspects.of(scope).add(new DependOn(this, ready));
  }

  /** What resources in `stack` depend on: the wait and the grant themselves, or the stack's anchor to them. */
  private readyIn(stack: TerraformStack): string[] {
    let ready = this.ready.get(stack);
    if (ready) return ready;
    if (stack === TerraformStack.of(this)) {
      ready = [dependable(this.wait), dependable(this.binding)];
    } else {
      // terraform_data is built into Terraform (no provider): its input is a cross-stack reference to the
      // wait and the grant, so it exists only once both do, and it is replaced when either changes.
      const anchor = new ReadyAnchor(stack, `${this.node.id}-Ready`, { wait: this.wait.id, serviceAgentRole: this.binding.id });
      ready = [dependable(anchor)];
    }
    this.ready.set(stack, ready);
    return ready;
  }

  private get importProject(): string {
    return this.props.project ?? this.project.projectId;
  }

  private get protected(): boolean {
    return this.props.protectFromDestroy ?? true;
  }
}

/**
 * @deprecated Use `ProjectFoundation` (the same construct: APIs, the wait, the service agent's grant).
 */
export const CloudTasksServiceAgent = ProjectFoundation;
/** @deprecated Use `ProjectFoundation`. */
export type CloudTasksServiceAgent = ProjectFoundation;

/** The `terraform_data` anchors foundations place in other stacks: they carry the dependency, not follow it. */
const ANCHORS = new WeakSet<IConstruct>();

/**
 * `terraform_data` with an `input`. Not cdktf's `DataResource`: that one validates the Terraform version by
 * running `terraform version` at every synth (~80 ms, and a failure where no terraform binary is installed).
 * Terraform >= 1.4 has it; `removed` blocks already need >= 1.7.
 */
class ReadyAnchor extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    private readonly input: Record<string, string>,
  ) {
    super(scope, id, { terraformResourceType: 'terraform_data', terraformGeneratorMetadata: { providerName: 'terraform' } });
    ANCHORS.add(this);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { input: hashMapper(anyToTerraform)(this.input) };
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return { input: hashMapperHcl(anyToHclTerraform)(this.input) };
  }
}

/** Adds the foundation's readiness to `depends_on` of every resource it visits, except the foundation's own. */
class DependOn implements IAspect {
  constructor(
    private readonly foundation: ProjectFoundation,
    private readonly ready: string[],
  ) {}

  visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node) || ANCHORS.has(node)) return;
    if (node.node.scopes.includes(this.foundation)) return;
    const deps = node.dependsOn ?? [];
    node.dependsOn = [...deps, ...this.ready.filter((d) => !deps.includes(d))];
  }
}

/** The time provider the wait needs, declared once per stack. */
function ensureTimeProvider(stack: TerraformStack): void {
  if (!stack.node.findAll().some((c) => c instanceof TimeProvider)) new TimeProvider(stack, 'time');
}

/**
 * Construct id of an API's `google_project_service`: the name without `.googleapis.com`, dots as hyphens
 * (`cloudtasks`, `run`, `iam`: the ids earlier versions used, so addresses are stable).
 */
export function apiConstructId(service: string): string {
  return service.replace(/\.googleapis\.com$/, '').replace(/\./g, '-');
}

/** The foundation's construct id in its stack (its Terraform addresses derive from it). */
export function foundationId(project?: string): string {
  return project === undefined ? 'CloudTasksServiceAgent' : `CloudTasksServiceAgent-${idPart(project)}`;
}

function idPart(project: string): string {
  return Token.isUnresolved(project)
    ? createHash('sha256').update(project).digest('hex').slice(0, 12)
    : project.replace(/[^A-Za-z0-9-]/g, '-');
}
