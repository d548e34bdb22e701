import { MonitoringDashboard } from '@cdktf/provider-google/lib/monitoring-dashboard';
import { Construct } from 'constructs';
import { checkLabels, LOCATION_PATTERN, QUEUE_ID_PATTERN } from '../limits';
import { METRICS, queueFilter, userMetricType } from './monitoring-metrics';
import { deadLetterMetricName } from './queue-alerts';
import { synthProblems, throwIfInvalid } from './validation';
import { nonEmpty } from './values';

/** One queue charted on a {@link PipelineDashboard}. */
export interface DashboardQueue {
  /** The queue id: letters, digits and hyphens, 1-100 characters. */
  readonly queueId: string;
  /** The queue's region, e.g. "us-central1". */
  readonly location: string;
  /** The queue's project. @default - the dashboard's project, when given */
  readonly project?: string;
  /** Adds a dead-letter chart from the queue's log-based metric (see `QueueAlerts.handlerServiceName`). @default false */
  readonly deadLetters?: boolean;
}

/** Properties of a {@link PipelineDashboard}. */
export interface PipelineDashboardProps {
  /** Dashboard title, e.g. the environment name. */
  readonly displayName: string;
  /** The queues to chart, one row each. At least one. */
  readonly queues: readonly DashboardQueue[];
  /** Project id. @default - the provider's project */
  readonly project?: string;
  /** Labels on the dashboard (its `labels`, inside `dashboard_json`: the resource has no labels argument). @default - none */
  readonly labels?: Record<string, string>;
}

/**
 * One Cloud Monitoring dashboard per environment: per queue, a row with its depth, attempts by response code,
 * attempt delays (p50/p99) and, when the handler reports them, dead letters.
 */
export class PipelineDashboard extends Construct {
  /** The Cloud Monitoring dashboard. */
  readonly resource: MonitoringDashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const p = synthProblems()
      .check('displayName', props.displayName, (v) => v.trim().length > 0 && v.length <= 200, 'a title of 1-200 characters')
      .fail('queues', props.queues, 'at least one queue', props.queues.length === 0);
    props.queues.forEach((q, i) => {
      p.check(`queues[${i}].queueId`, q.queueId, (v) => QUEUE_ID_PATTERN.test(v), 'letters, digits and hyphens, 1-100 characters');
      p.check(`queues[${i}].location`, q.location, (v) => LOCATION_PATTERN.test(v), 'a region such as "us-central1"');
    });
    checkLabels(p, 'labels', props.labels);
    throwIfInvalid(this, p);

    const tiles = props.queues.flatMap((q, row) => queueRow({ project: props.project, ...q }).map((widget, col) => ({ ...position(col * 12, row * 16), width: 12, height: 16, widget })));
    this.resource = new MonitoringDashboard(this, 'Resource', {
      project: props.project,
      dashboardJson: JSON.stringify({ displayName: props.displayName, mosaicLayout: { columns: 48, tiles }, labels: nonEmpty(props.labels) }),
    });
  }
}

/**
 * A tile's position without its zero coordinates. The Monitoring API leaves zero-valued fields out of the
 * dashboard it returns, and the google provider 6.50.0 forgives only keys the config lacks
 * (google/services/monitoring/resource_monitoring_dashboard.go: `removeComputedKeys` drops from the API's JSON
 * the keys absent from the config, then `reflect.DeepEqual`), so a config `xPos: 0` would plan a change on every
 * run (provider issue 16173). Omitted, the API's default (0) applies.
 */
export function position(xPos: number, yPos: number): {
  /** The tile's column, absent at 0. */
  xPos?: number;
  /** The tile's row, absent at 0. */
  yPos?: number;
} {
  return { ...(xPos !== 0 && { xPos }), ...(yPos !== 0 && { yPos }) };
}

function chart(title: string, filter: string, aggregation: Record<string, unknown>, plotType = 'LINE'): Record<string, unknown> {
  return {
    title,
    xyChart: { dataSets: [{ plotType, timeSeriesQuery: { timeSeriesFilter: { filter, aggregation } } }] },
  };
}

function queueRow(q: DashboardQueue): Record<string, unknown>[] {
  const name = `${q.location}/${q.queueId}`;
  const widgets = [
    chart(`${name}: depth (tasks)`, queueFilter(METRICS.depth, q), { alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_MEAN', crossSeriesReducer: 'REDUCE_SUM' }),
    chart(
      `${name}: attempts by response code (/s)`,
      queueFilter(METRICS.attempts, q),
      { alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_RATE', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['metric.labels.response_code'] },
      'STACKED_BAR',
    ),
    {
      title: `${name}: attempt delay p50 / p99 (ms)`,
      xyChart: {
        dataSets: (['REDUCE_PERCENTILE_50', 'REDUCE_PERCENTILE_99'] as const).map((reducer) => ({
          plotType: 'LINE',
          timeSeriesQuery: {
            timeSeriesFilter: { filter: queueFilter(METRICS.attemptDelays, q), aggregation: { alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: reducer } },
          },
        })),
      },
    },
  ];
  if (q.deadLetters) {
    widgets.push(
      chart(
        `${name}: dead letters`,
        `resource.type = "cloud_run_revision" AND metric.type = "${userMetricType(deadLetterMetricName(q))}"`,
        { alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM' },
        'STACKED_BAR',
      ),
    );
  }
  return widgets;
}
