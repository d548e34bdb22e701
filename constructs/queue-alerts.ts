import { createHash } from 'node:crypto';
import { LoggingMetric } from '@cdktf/provider-google/lib/logging-metric';
import { MonitoringAlertPolicy, MonitoringAlertPolicyConfig } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { Construct } from 'constructs';
import { checkLabels, RULES } from '../limits';
import { deadLetterLogFilter, METRICS, OK_RESPONSE_CODE, queueFilter } from './monitoring-metrics';
import { synthProblems, throwIfInvalid } from './validation';
import { definedOnly } from './values';

/** Thresholds of one queue's alerts. Every field is optional; the defaults suit a queue that normally drains. */
export interface QueueAlertThresholds {
  /** Backlog alert: tasks in the queue above this, >= 1. @default 1000 */
  readonly backlogTasks?: number;
  /** Backlog alert: for this long, 60-86400 seconds. @default 600 */
  readonly backlogSeconds?: number;
  /** Failing-attempts alert: share of attempts not answered 2xx above this, > 0 and <= 1. @default 0.1 */
  readonly failingAttemptRatio?: number;
  /** Failing-attempts alert: for this long, 60-86400 seconds. @default 600 */
  readonly failingAttemptSeconds?: number;
}

export interface QueueAlertsProps extends QueueAlertThresholds {
  /** The queue id. */
  readonly queueId: string;
  /** The queue's region. */
  readonly location: string;
  /** Project id. @default - the provider's project */
  readonly project?: string;
  /**
   * Cloud Run service of the queue's handler: adds an alert on any dead letter (a log-match condition on the
   * handler's dead-letter lines) and a log-based dead-letter metric for the dashboard's chart.
   * @default - no dead-letter alert
   */
  readonly handlerServiceName?: string;
  /**
   * Notification channel ids (`projects/P/notificationChannels/N`) every alert notifies.
   * @default - none: incidents open in the console only
   */
  readonly notificationChannels?: string[];
  /** Labels on every policy (`user_labels`), beside `cloud-tasks-queue`. @default - none */
  readonly labels?: Record<string, string>;
}

const DEFAULTS = { backlogTasks: 1000, backlogSeconds: 600, failingAttemptRatio: 0.1, failingAttemptSeconds: 600 } as const;

/**
 * Cloud Monitoring alert policies for one queue: backlog (depth above a threshold for a while), failing
 * attempts (share of non-2xx attempts), and any dead letter (a log-match condition on the handler's lines).
 */
export class QueueAlerts extends Construct {
  /** Alert: queue depth above `backlogTasks` for `backlogSeconds`. */
  readonly backlog: MonitoringAlertPolicy;
  /** Alert: share of non-2xx attempts above `failingAttemptRatio` for `failingAttemptSeconds`. */
  readonly failingAttempts: MonitoringAlertPolicy;
  /** Log-based metric counting the handler's dead letters (the dashboard charts it); only with `handlerServiceName`. */
  readonly deadLetterMetric?: LoggingMetric;
  /** Alert: any dead letter (log-match condition, no metric needed); only with `handlerServiceName`. */
  readonly deadLetters?: MonitoringAlertPolicy;

  constructor(scope: Construct, id: string, props: QueueAlertsProps) {
    super(scope, id);
    const t = { ...DEFAULTS, ...definedOnly(props) };
    const p = synthProblems()
      .rule('queueId', props.queueId, RULES.queueId)
      .rule('location', props.location, RULES.region)
      .rule('project', props.project, RULES.projectId)
      .rule('handlerServiceName', props.handlerServiceName, RULES.serviceName)
      .rule('backlogTasks', t.backlogTasks, RULES.alertTasks)
      .rule('backlogSeconds', t.backlogSeconds, RULES.alertSeconds)
      .rule('failingAttemptRatio', t.failingAttemptRatio, RULES.alertRatio)
      .rule('failingAttemptSeconds', t.failingAttemptSeconds, RULES.alertSeconds);
    for (const [i, channel] of (props.notificationChannels ?? []).entries()) p.rule(`notificationChannels[${i}]`, channel, RULES.notificationChannel);
    checkLabels(p, 'labels', props.labels);
    throwIfInvalid(this, p);

    const q = { queueId: props.queueId, location: props.location, project: props.project };
    const common = {
      project: props.project,
      combiner: 'OR',
      notificationChannels: props.notificationChannels,
      // Label values: lowercase, at most 63 characters (queue ids may have capitals and reach 100).
      userLabels: { ...props.labels, 'cloud-tasks-queue': props.queueId.toLowerCase().slice(0, 63) },
    } satisfies Partial<MonitoringAlertPolicyConfig>;
    const name = `Cloud Tasks ${props.location}/${props.queueId}`;

    this.backlog = new MonitoringAlertPolicy(this, 'Backlog', {
      ...common,
      displayName: `${name}: backlog above ${t.backlogTasks} tasks`,
      severity: 'WARNING',
      documentation: doc(`More than ${t.backlogTasks} tasks have waited in queue ${props.queueId} for ${t.backlogSeconds / 60} min. The handler is slower than producers, failing (see the failing-attempts alert), or the queue is paused or rate-limited.`),
      conditions: [
        {
          displayName: `queue depth > ${t.backlogTasks} for ${t.backlogSeconds}s`,
          conditionThreshold: {
            filter: queueFilter(METRICS.depth, q),
            comparison: 'COMPARISON_GT',
            thresholdValue: t.backlogTasks,
            duration: `${t.backlogSeconds}s`,
            aggregations: [{ alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_MEAN', crossSeriesReducer: 'REDUCE_SUM' }],
            trigger: { count: 1 },
          },
        },
      ],
    });

    // A ratio condition: non-ok attempts over all attempts, both summed per 5 minutes.
    const perWindow = [{ alignmentPeriod: '300s', perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM' }];
    this.failingAttempts = new MonitoringAlertPolicy(this, 'FailingAttempts', {
      ...common,
      displayName: `${name}: over ${Math.round(t.failingAttemptRatio * 100)}% of attempts failing`,
      severity: 'WARNING',
      documentation: doc(`Over ${Math.round(t.failingAttemptRatio * 100)}% of dispatch attempts from queue ${props.queueId} were not answered 2xx for ${t.failingAttemptSeconds / 60} min. Check the handler's logs (outcome, status). Failures before the handler (Cloud Run 5xx/429, 401/403 at the invoker, timeouts) show here but not as dead letters.`),
      conditions: [
        {
          displayName: `non-ok attempts / attempts > ${t.failingAttemptRatio} for ${t.failingAttemptSeconds}s`,
          conditionThreshold: {
            filter: `${queueFilter(METRICS.attempts, q)} AND metric.labels.response_code != "${OK_RESPONSE_CODE}"`,
            denominatorFilter: queueFilter(METRICS.attempts, q),
            comparison: 'COMPARISON_GT',
            thresholdValue: t.failingAttemptRatio,
            duration: `${t.failingAttemptSeconds}s`,
            aggregations: perWindow,
            denominatorAggregations: perWindow,
            trigger: { count: 1 },
          },
        },
      ],
    });

    if (props.handlerServiceName) {
      const metricName = deadLetterMetricName(props);
      const filter = deadLetterLogFilter(props.handlerServiceName, props.queueId);
      // The metric feeds the dashboard's dead-letter chart (PipelineDashboard); no alert reads it.
      this.deadLetterMetric = new LoggingMetric(this, 'DeadLetterMetric', {
        project: props.project,
        name: metricName,
        description: `Dead letters of Cloud Tasks queue ${props.queueId} (handler ${props.handlerServiceName})`,
        filter,
        metricDescriptor: { metricKind: 'DELTA', valueType: 'INT64', unit: '1', displayName: `Dead letters ${props.queueId}` },
      });
      // A log-match condition on the handler's dead-letter lines, not a threshold on the log-based metric: Cloud
      // Monitoring answers 404 "Cannot find metric(s)" to an alert on a log-based metric for minutes after the
      // metric is created, and the google provider 6.50.0 retries only 409s on alert policies
      // (google/services/monitoring/resource_monitoring_alert_policy.go: ErrorRetryPredicates is
      // transport_tpg.IsMonitoringConcurrentEditError, google/transport/error_retry_predicates.go: 409 "too many
      // concurrent edits" only; provider issue 11102). A log-match condition reads the logs themselves, so the
      // first apply never waits for a metric. The same schema file: `condition_matched_log { filter }` ("If set, no
      // other conditions can be present") and `alert_strategy.notification_rate_limit` ("Required for alert
      // policies with a LogMatch condition").
      this.deadLetters = new MonitoringAlertPolicy(this, 'DeadLetters', {
        ...common,
        displayName: `${name}: task dead-lettered`,
        severity: 'ERROR',
        documentation: doc(`A task of queue ${props.queueId} failed its last attempt and was handed to the dead-letter sink. Inspect and replay it: \`npm run dead-letters -- list\`.`),
        conditions: [{ displayName: 'any dead letter', conditionMatchedLog: { filter } }],
        alertStrategy: {
          // At most one notification per 5 minutes (Cloud Monitoring's minimum for log-match policies), and an
          // incident closes 30 minutes (the minimum) after its last matching line.
          notificationRateLimit: { period: `${DEAD_LETTER_NOTIFY_SECONDS}s` },
          autoClose: `${DEAD_LETTER_AUTO_CLOSE_SECONDS}s`,
        },
      });
    }
  }
}

/** Log-match alerts: the shortest notification period and incident auto-close Cloud Monitoring accepts. */
export const DEAD_LETTER_NOTIFY_SECONDS = 300;
/** How long an open dead-letter incident stays open without a new match (Cloud Monitoring's minimum for log-match alerts). */
export const DEAD_LETTER_AUTO_CLOSE_SECONDS = 1800;

/**
 * Name of a queue's log-based dead-letter metric (unique per project: location and queue id). Metric names are
 * limited to 100 characters: a longer one ends in a hash of the location and queue id instead.
 */
export function deadLetterMetricName(q: { queueId: string; location: string }): string {
  const name = `cloud-tasks/dead-letters/${q.location}/${q.queueId}`;
  return name.length <= 100 ? name : `${name.slice(0, 83)}-${createHash('sha256').update(`${q.location}/${q.queueId}`).digest('hex').slice(0, 16)}`;
}

function doc(content: string): MonitoringAlertPolicyConfig['documentation'] {
  return { content, mimeType: 'text/markdown' };
}
