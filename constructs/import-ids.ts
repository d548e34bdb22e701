/**
 * Terraform `import` ids of the resources a hand-built pipeline already has, in the forms the Google provider
 * 6.50.0 parses (tag v6.50.0 of hashicorp/terraform-provider-google, commit 956f510990a7). Each builder
 * returns the first, fully qualified form its parser accepts: no provider default fills a part in.
 */

/**
 * `google_cloud_tasks_queue`: `projects/P/locations/L/queues/Q`.
 * google/services/cloudtasks/resource_cloud_tasks_queue.go, resourceCloudTasksQueueImport:
 * `^projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/queues/(?P<name>[^/]+)$` (also `P/L/Q`, `L/Q`).
 */
export function queueImportId(project: string, location: string, queueId: string): string {
  return `projects/${project}/locations/${location}/queues/${queueId}`;
}

/**
 * `google_service_account`: `projects/P/serviceAccounts/EMAIL`.
 * google/services/resourcemanager/resource_google_service_account.go, resourceGoogleServiceAccountImport:
 * `projects/(?P<project>[^/]+)/serviceAccounts/(?P<email>[^/]+)` (also `P/EMAIL` and `EMAIL`); the id becomes
 * `projects/{{project}}/serviceAccounts/{{email}}`.
 */
export function serviceAccountImportId(project: string, email: string): string {
  return `projects/${project}/serviceAccounts/${email}`;
}

/**
 * `google_cloud_run_v2_service`: `projects/P/locations/L/services/S`.
 * google/services/cloudrunv2/resource_cloud_run_v2_service.go, resourceCloudRunV2ServiceImport:
 * `^projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/services/(?P<name>[^/]+)$` (also `P/L/S`, `L/S`).
 */
export function cloudRunServiceImportId(project: string, location: string, serviceName: string): string {
  return `projects/${project}/locations/${location}/services/${serviceName}`;
}

/**
 * Any `*_iam_member`: `RESOURCE ROLE MEMBER`, space-separated (a fourth part would be a condition title).
 * google/tpgiamresource/resource_iam_member.go, iamMemberImport: `strings.Fields(d.Id())`, then
 * `id, role, member = s[0], s[1], s[2]`; RESOURCE goes to the resource's IAM id parser:
 * - `google_cloud_tasks_queue_iam_member`: google/services/cloudtasks/iam_cloud_tasks_queue.go,
 *   CloudTasksQueueIdParseFunc: `projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/queues/(?P<name>[^/]+)`;
 * - `google_service_account_iam_member`: google/services/resourcemanager/iam_service_account.go,
 *   ServiceAccountIdParseFunc takes RESOURCE whole as `service_account_id`: `projects/P/serviceAccounts/EMAIL`;
 * - `google_cloud_run_v2_service_iam_member`: google/services/cloudrunv2/iam_cloud_run_v2_service.go,
 *   CloudRunV2ServiceIdParseFunc: `projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/services/(?P<name>[^/]+)`.
 * The import reads the resource's policy and fails ("Cannot find binding") when the member is not on it.
 */
export function iamMemberImportId(resource: string, role: string, member: string): string {
  return `${resource} ${role} ${member}`;
}
