import { Token } from 'cdktf';
import { HttpTargetPipeline, PipelineDashboard, QueueAlerts, QueueAlertsProps } from '../constructs';
import { only, resources, synth } from './helpers';

const base: QueueAlertsProps = { queueId: 'orders', location: 'us-central1', project: 'test-project', handlerServiceName: 'orders-handler' };
const alerts = (props: Partial<QueueAlertsProps> = {}) => synth((stack) => new QueueAlerts(stack, 'Alerts', { ...base, ...props }));
const policy = (s: ReturnType<typeof synth>, match: RegExp) =>
  Object.values(resources(s, 'google_monitoring_alert_policy')).find((p: any) => match.test(p.display_name)) as any;
const QUEUE = 'resource.type = "cloud_tasks_queue" AND resource.labels.project_id = "test-project" AND resource.labels.queue_id = "orders" AND resource.labels.location = "us-central1"';
const DEAD_LETTER_LINES =
  'resource.type = "cloud_run_revision" AND resource.labels.service_name = "orders-handler" AND (jsonPayload.outcome = "dead-lettered" OR jsonPayload.outcome = "dead-letter-failed") AND jsonPayload.queue = "orders"';
const ANY_PROJECT = 'resource.type = "cloud_tasks_queue" AND resource.labels.queue_id = "orders" AND resource.labels.location = "us-central1"';

describe('QueueAlerts', () => {
  test('three policies for one queue: backlog, failing attempts, dead letters', () => {
    expect(Object.values(resources(alerts(), 'google_monitoring_alert_policy')).map((p: any) => p.display_name).sort()).toEqual([
      'Cloud Tasks us-central1/orders: backlog above 1000 tasks',
      'Cloud Tasks us-central1/orders: over 10% of attempts failing',
      'Cloud Tasks us-central1/orders: task dead-lettered',
    ].sort());
  });

  test('backlog: queue depth of this queue above 1000 for 10 minutes (defaults)', () => {
    const c = policy(alerts(), /backlog/).conditions[0].condition_threshold;
    expect(c.filter).toBe(`${QUEUE} AND metric.type = "cloudtasks.googleapis.com/queue/depth"`);
    expect(c).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: 1000, duration: '600s' });
    expect(c.aggregations).toEqual([{ alignment_period: '60s', per_series_aligner: 'ALIGN_MEAN', cross_series_reducer: 'REDUCE_SUM' }]);
  });

  test('failing attempts: non-ok response codes over all attempts of this queue, a ratio above 0.1 for 10 minutes', () => {
    const c = policy(alerts(), /failing/).conditions[0].condition_threshold;
    expect(c.filter).toBe(`${QUEUE} AND metric.type = "cloudtasks.googleapis.com/queue/task_attempt_count" AND metric.labels.response_code != "ok"`);
    expect(c.denominator_filter).toBe(`${QUEUE} AND metric.type = "cloudtasks.googleapis.com/queue/task_attempt_count"`);
    expect(c).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: 0.1, duration: '600s' });
    const window = [{ alignment_period: '300s', per_series_aligner: 'ALIGN_DELTA', cross_series_reducer: 'REDUCE_SUM' }];
    expect(c.aggregations).toEqual(window);
    expect(c.denominator_aggregations).toEqual(window);
  });

  test('dead letters: a log-based metric on the handler\'s "dead-lettered" lines for this queue (for the dashboard)', () => {
    const metric = only(alerts(), 'google_logging_metric');
    expect(metric.name).toBe('cloud-tasks/dead-letters/us-central1/orders');
    expect(metric.filter).toBe(DEAD_LETTER_LINES);
    expect(metric.metric_descriptor).toMatchObject({ metric_kind: 'DELTA', value_type: 'INT64' });
  });

  test('dead letters: the alert is a log-match condition on the same lines, so it never waits for the metric (provider issue 11102)', () => {
    const p = policy(alerts(), /dead-lettered/);
    expect(p.conditions).toEqual([{ display_name: 'any dead letter', condition_matched_log: { filter: DEAD_LETTER_LINES } }]);
    expect(p.severity).toBe('ERROR');
  });

  test('dead letters: the alert depends on nothing of its own (the metric may not be queryable yet)', () => {
    expect(policy(alerts(), /dead-lettered/).depends_on).toBeUndefined();
  });

  test('dead letters: a log-match policy carries the notification rate limit it requires, and closes its incident after 30 minutes', () => {
    expect(policy(alerts(), /dead-lettered/).alert_strategy).toEqual({ notification_rate_limit: { period: '300s' }, auto_close: '1800s' });
  });

  test('threshold policies carry no alert strategy (the rate limit is for log-match policies only)', () => {
    expect(policy(alerts(), /backlog/).alert_strategy).toBeUndefined();
    expect(policy(alerts(), /failing/).alert_strategy).toBeUndefined();
  });

  test('without a project the filters do not pin one (the provider\'s project holds the policy)', () => {
    const c = policy(alerts({ project: undefined }), /backlog/).conditions[0].condition_threshold;
    expect(c.filter).toBe(`${ANY_PROJECT} AND metric.type = "cloudtasks.googleapis.com/queue/depth"`);
  });

  test('without a handler service there is no dead-letter metric or alert', () => {
    const s = alerts({ handlerServiceName: undefined });
    expect(resources(s, 'google_logging_metric')).toEqual({});
    expect(Object.keys(resources(s, 'google_monitoring_alert_policy'))).toHaveLength(2);
  });

  test('a 100-character queue id: the user label is lowercased and cut to 63, the metric name kept within 100', () => {
    const long = `Q${'x'.repeat(99)}`;
    const s = alerts({ queueId: long });
    for (const p of Object.values(resources(s, 'google_monitoring_alert_policy'))) {
      expect((p as any).user_labels).toEqual({ 'cloud-tasks-queue': long.toLowerCase().slice(0, 63) });
    }
    const name = only(s, 'google_logging_metric').name;
    expect(name).toMatch(/^cloud-tasks\/dead-letters\/us-central1\/Qx+-[0-9a-f]{16}$/);
    expect(name).toHaveLength(100);
  });

  test('thresholds and notification channels come from props', () => {
    const channels = ['projects/test-project/notificationChannels/123', 'projects/test-project/notificationChannels/456'];
    const s = alerts({ backlogTasks: 50, backlogSeconds: 300, failingAttemptRatio: 0.25, failingAttemptSeconds: 900, notificationChannels: channels });
    expect(policy(s, /backlog/).conditions[0].condition_threshold).toMatchObject({ threshold_value: 50, duration: '300s' });
    expect(policy(s, /failing/).conditions[0].condition_threshold).toMatchObject({ threshold_value: 0.25, duration: '900s' });
    for (const p of Object.values(resources(s, 'google_monitoring_alert_policy'))) expect((p as any).notification_channels).toEqual(channels);
  });

  test.each([
    ['backlog tasks', { backlogTasks: 0 }, /'backlogTasks' must be a whole number of tasks, at least 1, got 0/],
    ['backlog duration', { backlogSeconds: 30 }, /'backlogSeconds' must be whole seconds from 60 to 86400, got 30/],
    ['failing ratio', { failingAttemptRatio: 1.5 }, /'failingAttemptRatio' must be a share > 0 and <= 1.*got 1.5/],
    ['failing duration', { failingAttemptSeconds: 90000 }, /'failingAttemptSeconds' must be whole seconds from 60 to 86400, got 90000/],
    ['notification channel', { notificationChannels: ['email:me@example.com'] }, /'notificationChannels\[0\]' must be a channel id "projects\/PROJECT\/notificationChannels\/ID", got "email:me@example.com"/],
    ['queue id', { queueId: 'bad_queue' }, /'queueId' must be letters, digits and hyphens.*got "bad_queue"/],
  ])('rejects an invalid %s', (_n, props, message) => {
    expect(() => alerts(props as Partial<QueueAlertsProps>)).toThrow(message);
  });

  test('all problems are reported at once, with the construct path', () => {
    expect(() => alerts({ backlogTasks: 0, failingAttemptRatio: 0 })).toThrow(/Invalid props for 'test\/Alerts':\n.*backlogTasks[\s\S]*failingAttemptRatio/);
  });

  test('unresolved tokens are not checked', () => {
    expect(() => alerts({ backlogTasks: Token.asNumber({ Ref: 'x' }) })).not.toThrow();
  });
});

describe('HttpTargetPipeline alerts', () => {
  const pipeline = (props: object = {}) =>
    synth((stack) => new HttpTargetPipeline(stack, 'Orders', { queueId: 'orders', location: 'us-central1', project: 'test-project', ...props }));

  test('on by default, tied to the handler service, after the Monitoring and Logging APIs', () => {
    const s = pipeline();
    expect(Object.keys(resources(s, 'google_monitoring_alert_policy'))).toHaveLength(3);
    expect(only(s, 'google_logging_metric').filter).toContain('resource.labels.service_name = "orders-handler"');
    const apis = Object.fromEntries(Object.entries(resources(s, 'google_project_service')).map(([id, a]: any) => [a.service, `google_project_service.${id}`]));
    // Both APIs join the foundation, whose wait restarts for them; the alerts wait for the wait.
    const waitId = Object.keys(resources(s, 'time_sleep'))[0];
    const triggers = Object.values(resources(s, 'time_sleep')[waitId].triggers);
    for (const api of ['monitoring.googleapis.com', 'logging.googleapis.com']) expect(triggers).toContain(`\${${apis[api]}.id}`);
    expect(policy(s, /backlog/).depends_on).toContain(`time_sleep.${waitId}`);
    expect(only(s, 'google_logging_metric').depends_on).toContain(`time_sleep.${waitId}`);
    expect(Object.values(resources(s, 'google_project_service')).every((a: any) => a.disable_on_destroy === false)).toBe(true);
  });

  test('alerts: false creates none (and enables no Monitoring API)', () => {
    const s = pipeline({ alerts: false });
    expect(resources(s, 'google_monitoring_alert_policy')).toEqual({});
    expect(resources(s, 'google_logging_metric')).toEqual({});
    expect(Object.values(resources(s, 'google_project_service')).map((a: any) => a.service)).not.toContain('monitoring.googleapis.com');
  });

  test('alert thresholds pass through', () => {
    expect(policy(pipeline({ alerts: { backlogTasks: 5 } }), /backlog/).conditions[0].condition_threshold.threshold_value).toBe(5);
  });
});

describe('PipelineDashboard', () => {
  const dashboard = (queues: any[]) => {
    const s = synth((stack) => new PipelineDashboard(stack, 'Dash', { displayName: 'Cloud Tasks: prod', queues }));
    return JSON.parse(only(s, 'google_monitoring_dashboard').dashboard_json);
  };
  const filters = (d: any) => d.mosaicLayout.tiles.flatMap((t: any) => t.widget.xyChart.dataSets.map((ds: any) => ds.timeSeriesQuery.timeSeriesFilter));

  test('per queue: depth, attempts by response code, attempt delays p50/p99 and dead letters', () => {
    const d = dashboard([{ queueId: 'orders', location: 'us-central1', deadLetters: true }]);
    expect(d.displayName).toBe('Cloud Tasks: prod');
    expect(d.mosaicLayout.tiles.map((t: any) => t.widget.title)).toEqual([
      'us-central1/orders: depth (tasks)',
      'us-central1/orders: attempts by response code (/s)',
      'us-central1/orders: attempt delay p50 / p99 (ms)',
      'us-central1/orders: dead letters',
    ]);
    const f = filters(d);
    expect(f[0].filter).toBe(`${ANY_PROJECT} AND metric.type = "cloudtasks.googleapis.com/queue/depth"`);
    expect(f[1].filter).toBe(`${ANY_PROJECT} AND metric.type = "cloudtasks.googleapis.com/queue/task_attempt_count"`);
    expect(f[1].aggregation.groupByFields).toEqual(['metric.labels.response_code']);
    expect(f[2].filter).toBe(`${ANY_PROJECT} AND metric.type = "cloudtasks.googleapis.com/queue/task_attempt_delays"`);
    expect([f[2].aggregation.crossSeriesReducer, f[3].aggregation.crossSeriesReducer]).toEqual(['REDUCE_PERCENTILE_50', 'REDUCE_PERCENTILE_99']);
    expect(f[4].filter).toBe('resource.type = "cloud_run_revision" AND metric.type = "logging.googleapis.com/user/cloud-tasks/dead-letters/us-central1/orders"');
  });

  test('a dashboard project pins every queue filter to it', () => {
    const s = synth((stack) => new PipelineDashboard(stack, 'Dash', { displayName: 'd', project: 'test-project', queues: [{ queueId: 'orders', location: 'us-central1' }] }));
    expect(filters(JSON.parse(only(s, 'google_monitoring_dashboard').dashboard_json))[0].filter).toBe(`${QUEUE} AND metric.type = "cloudtasks.googleapis.com/queue/depth"`);
  });

  test('one row per queue, tiles never overlap', () => {
    const d = dashboard([
      { queueId: 'orders', location: 'us-central1' },
      { queueId: 'emails', location: 'europe-west1', deadLetters: true },
    ]);
    const cells = d.mosaicLayout.tiles.map((t: any) => `${t.xPos ?? 0},${t.yPos ?? 0}`); // an absent coordinate is 0
    expect(new Set(cells).size).toBe(cells.length);
    expect(d.mosaicLayout.tiles).toHaveLength(7);
    expect(d.mosaicLayout.tiles.every((t: any) => (t.xPos ?? 0) + t.width <= d.mosaicLayout.columns)).toBe(true);
  });

  test('no tile has a zero xPos or yPos: the first tile has neither, the others only their non-zero ones', () => {
    const tiles = dashboard([
      { queueId: 'orders', location: 'us-central1' },
      { queueId: 'emails', location: 'europe-west1' },
    ]).mosaicLayout.tiles;
    expect(tiles.map((t: any) => [t.xPos, t.yPos])).toEqual([
      [undefined, undefined], [12, undefined], [24, undefined],
      [undefined, 16], [12, 16], [24, 16],
    ]);
    expect(Object.keys(tiles[0])).toEqual(['width', 'height', 'widget']);
  });

  test('plans clean against an API that omits zero values (the provider 6.50.0 diff suppression, ported)', () => {
    // google/services/monitoring/resource_monitoring_dashboard.go: removeComputedKeys drops from the API's JSON
    // (old) every key the config (new) lacks, then monitoringDashboardDiffSuppress compares with DeepEqual.
    const removeComputedKeys = (old: any, now: any): any => {
      for (const k of Object.keys(old)) {
        if (now[k] === undefined || now[k] === null) delete old[k];
        else if (Array.isArray(old[k])) old[k].forEach((v: any, i: number) => { if (v && typeof v === 'object' && now[k].length > i) old[k][i] = removeComputedKeys(v, now[k][i]); });
        else if (old[k] && typeof old[k] === 'object') old[k] = removeComputedKeys(old[k], now[k]);
      }
      return old;
    };
    // The API's answer: what was sent, without zero-valued fields, plus fields it computes.
    const omitZeroes = (v: any): any =>
      Array.isArray(v) ? v.map(omitZeroes) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== 0).map(([k, x]) => [k, omitZeroes(x)])) : v;
    const config = dashboard([{ queueId: 'orders', location: 'us-central1', deadLetters: true }, { queueId: 'emails', location: 'us-central1' }]);
    const api = { ...omitZeroes(config), name: 'projects/1/dashboards/abc', etag: 'e1' };
    expect(removeComputedKeys(api, config)).toEqual(config);
  });

  test('labels are checked like every label (key pattern)', () => {
    expect(() => synth((stack) => new PipelineDashboard(stack, 'Dash', { displayName: 'd', labels: { Team: 'x' }, queues: [{ queueId: 'orders', location: 'us-central1' }] }))).toThrow(/'labels\.Team' must be a label key/);
    expect(() => alerts({ labels: { team: 'X' } })).toThrow(/'labels\.team' must be a label value/);
  });

  test('rejects an empty queue list and a bad queue id', () => {
    expect(() => dashboard([])).toThrow(/'queues' must be at least one queue/);
    expect(() => dashboard([{ queueId: 'a_b', location: 'us-central1' }])).toThrow(/'queues\[0\].queueId' must be letters, digits and hyphens.*got "a_b"/);
  });
});
