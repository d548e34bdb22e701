/**
 * Cloud Tasks metric and resource names the alerts and the dashboard use, in one place.
 *
 * Source: Google Cloud metrics list, "cloudtasks" section
 * (https://cloud.google.com/monitoring/api/metrics_gcp_c#gcp-cloudtasks), and the monitored resource list
 * (https://cloud.google.com/monitoring/api/resources#tag_cloud_tasks_queue):
 * - `cloudtasks.googleapis.com/queue/depth`: GAUGE, INT64, tasks in the queue.
 * - `cloudtasks.googleapis.com/queue/task_attempt_count`: DELTA, INT64, attempts, label `response_code`
 *   (the attempt's canonical code in lower case: "ok" for a 2xx answer).
 * - `cloudtasks.googleapis.com/queue/task_attempt_delays`: DELTA, DISTRIBUTION, ms between an attempt's
 *   schedule time and its dispatch.
 * - Monitored resource `cloud_tasks_queue`, labels `project_id`, `queue_id`, `target_type`, `location`.
 */
export const CLOUD_TASKS_RESOURCE = 'cloud_tasks_queue';
export const METRICS = {
  depth: 'cloudtasks.googleapis.com/queue/depth',
  attempts: 'cloudtasks.googleapis.com/queue/task_attempt_count',
  attemptDelays: 'cloudtasks.googleapis.com/queue/task_attempt_delays',
} as const;
/** `response_code` of a successful attempt. */
export const OK_RESPONSE_CODE = 'ok';

/**
 * The queue's time series: `cloud_tasks_queue` resources with this queue id and location, and project when given
 * (a metrics scope can span projects that reuse a queue id).
 */
export function queueFilter(metricType: string, q: { queueId: string; location: string; project?: string }): string {
  const project = q.project === undefined ? '' : ` AND resource.labels.project_id = "${q.project}"`;
  return `resource.type = "${CLOUD_TASKS_RESOURCE}"${project} AND resource.labels.queue_id = "${q.queueId}" AND resource.labels.location = "${q.location}" AND metric.type = "${metricType}"`;
}

/**
 * The log-based metric that counts dead letters: the handler writes one task line with
 * `outcome = "dead-lettered"` per dead letter, whichever sink stored it (log or Pub/Sub), so one metric covers
 * both; a Pub/Sub topic metric would miss the log sink. `"dead-letter-failed"` (the sink failed; the line carries the
 * task) counts too: that is the case to look at first.
 */
export function deadLetterLogFilter(serviceName: string, queueId: string): string {
  return `resource.type = "cloud_run_revision" AND resource.labels.service_name = "${serviceName}" AND (jsonPayload.outcome = "dead-lettered" OR jsonPayload.outcome = "dead-letter-failed") AND jsonPayload.queue = "${queueId}"`;
}

export function userMetricType(name: string): string {
  return `logging.googleapis.com/user/${name}`;
}
