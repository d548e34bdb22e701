/**
 * Which attribute changes make Terraform replace (destroy, then create) a resource, for every resource type
 * this project's constructs emit. cdktf-free: read by the offline change review (`npm run review`).
 *
 * Every row comes from the provider source the app is built against: `hashicorp/google` **6.50.0** (wrapped by
 * `@cdktf/provider-google` 16.12.1; fields marked `ForceNew: true` in the schema), `hashicorp/time` **0.13.1**
 * (`RequiresReplace` plan modifiers), and Terraform's built-in `terraform_data`. A type missing here is reported
 * as "changed, replacement unknown", never as safe.
 */

/** What forces replacement of one resource type, and which of those fields name the real object. */
export interface ReplacementRule {
  /** Attribute paths (dotted, through nested blocks and lists) whose change forces replacement. */
  readonly forceNew: readonly string[];
  /**
   * The fields that identify the real object (its name in the cloud). Two addresses with equal identity are
   * the same object: a destroy plus a create of them can be a `moved` block instead.
   */
  readonly identity: readonly string[];
  /** Where the rule comes from: provider version and source file (line numbers at tag v6.50.0 / v0.13.1). */
  readonly source: string;
}

const GOOGLE = 'hashicorp/terraform-provider-google v6.50.0';
/** Fields of the `*_iam_member` schema itself (tpgiamresource/resource_iam_member.go: all ForceNew). */
const IAM_MEMBER = ['role', 'member', 'condition'];
const iamMember = (parent: readonly string[], file: string): ReplacementRule => ({
  forceNew: [...parent, ...IAM_MEMBER],
  identity: [...parent, 'role', 'member', 'condition'],
  source: `${GOOGLE} ${file} (parent ${parent.join(', ')}: ForceNew) + google/tpgiamresource/resource_iam_member.go:66-95 (role, member, condition: ForceNew)`,
});

/** Replacement rules by Terraform resource type. */
export const REPLACEMENT_RULES: Readonly<Record<string, ReplacementRule>> = {
  google_cloud_tasks_queue: {
    forceNew: ['name', 'location', 'project'],
    identity: ['project', 'location', 'name'],
    source: `${GOOGLE} google/services/cloudtasks/resource_cloud_tasks_queue.go:71,77,452 (location, name, project: ForceNew)`,
  },
  google_service_account: {
    forceNew: ['account_id', 'project'],
    identity: ['project', 'account_id'],
    source: `${GOOGLE} google/services/resourcemanager/resource_google_service_account.go:72,97 (account_id, project: ForceNew)`,
  },
  google_cloud_run_v2_service: {
    forceNew: ['name', 'location', 'project'],
    identity: ['project', 'location', 'name'],
    source: `${GOOGLE} google/services/cloudrunv2/resource_cloud_run_v2_service.go:64,70,1243 (location, name, project: ForceNew)`,
  },
  google_pubsub_topic: {
    forceNew: ['name', 'project'],
    identity: ['project', 'name'],
    source: `${GOOGLE} google/services/pubsub/resource_pubsub_topic.go:64,506 (name, project: ForceNew)`,
  },
  google_pubsub_subscription: {
    forceNew: ['name', 'topic', 'enable_message_ordering', 'filter', 'project'],
    identity: ['project', 'name'],
    source: `${GOOGLE} google/services/pubsub/resource_pubsub_subscription.go:100,106,335,370,616 (name, topic, enable_message_ordering, filter, project: ForceNew)`,
  },
  google_monitoring_alert_policy: {
    forceNew: ['project'],
    identity: ['project', 'display_name'],
    source: `${GOOGLE} google/services/monitoring/resource_monitoring_alert_policy.go:1222 (project: ForceNew; the server assigns the name)`,
  },
  google_monitoring_dashboard: {
    forceNew: ['project'],
    identity: ['project', 'dashboard_json'],
    source: `${GOOGLE} google/services/monitoring/resource_monitoring_dashboard.go:112 (project: ForceNew)`,
  },
  google_logging_metric: {
    forceNew: ['project', 'metric_descriptor.labels.key', 'metric_descriptor.labels.value_type'],
    identity: ['project', 'name'],
    source: `${GOOGLE} google/services/logging/resource_logging_metric.go:254 (project), 267, 278 (metric_descriptor.labels key, value_type: ForceNew; name is updated in place)`,
  },
  google_project_service: {
    forceNew: ['service', 'project'],
    identity: ['project', 'service'],
    source: `${GOOGLE} google/services/resourcemanager/resource_google_project_service.go:116,123 (service, project: ForceNew)`,
  },
  google_project_service_identity: {
    forceNew: ['service', 'project'],
    identity: ['project', 'service'],
    source: 'hashicorp/terraform-provider-google-beta v6.50.0 google-beta/services/resourcemanager/resource_project_service_identity.go:49-58 (service, project: ForceNew; read and delete are no-ops)',
  },
  google_project_iam_member: iamMember(['project'], 'google/services/resourcemanager/iam_project.go:31-34'),
  google_cloud_tasks_queue_iam_member: iamMember(['project', 'location', 'name'], 'google/services/cloudtasks/iam_cloud_tasks_queue.go:35-50'),
  google_cloud_run_v2_service_iam_member: iamMember(['project', 'location', 'name'], 'google/services/cloudrunv2/iam_cloud_run_v2_service.go:35-50'),
  google_service_account_iam_member: iamMember(['service_account_id'], 'google/services/resourcemanager/iam_service_account.go:34-37'),
  google_pubsub_topic_iam_member: iamMember(['project', 'topic'], 'google/services/pubsub/iam_pubsub_topic.go:35-44'),
  google_pubsub_subscription_iam_member: iamMember(['project', 'subscription'], 'google/services/pubsub/iam_pubsub_subscription.go:32-42'),
  google_secret_manager_secret_iam_member: iamMember(['project', 'secret_id'], 'google/services/secretmanager/iam_secret_manager_secret.go:35-44'),
  time_sleep: {
    forceNew: ['triggers'],
    identity: [],
    source: 'hashicorp/terraform-provider-time v0.13.1 internal/provider/resource_time_sleep.go:95-101 (triggers: RequiresReplace; create_duration and destroy_duration update in place)',
  },
  terraform_data: {
    forceNew: ['triggers_replace'],
    identity: [],
    source: 'Terraform built-in terraform_data (hashicorp/terraform internal/builtin/providers/terraform/resource_data.go: triggers_replace forces replacement, input updates in place)',
  },
};

/** The rule for a resource type, or `undefined` when it is not known (then a change is "replacement unknown"). */
export function replacementRule(type: string): ReplacementRule | undefined {
  return Object.prototype.hasOwnProperty.call(REPLACEMENT_RULES, type) ? REPLACEMENT_RULES[type] : undefined;
}
