import { PipelineDashboard, PipelineDashboardProps } from '../constructs';
import { only, synth } from './helpers';

const orders = { queueId: 'orders', location: 'us-central1' };
const emails = { queueId: 'emails', location: 'europe-west1', deadLetters: true };
const build = (props: Partial<PipelineDashboardProps> = {}) =>
  synth((stack) => new PipelineDashboard(stack, 'Dash', { displayName: 'Cloud Tasks: prod', queues: [orders], ...props }));
const dashboardJson = (props: Partial<PipelineDashboardProps> = {}) => JSON.parse(only(build(props), 'google_monitoring_dashboard').dashboard_json);
const tileOf = (d: any, title: RegExp) => d.mosaicLayout.tiles.find((t: any) => title.test(t.widget.title));
const dataSets = (d: any, title: RegExp) => tileOf(d, title).widget.xyChart.dataSets;

describe('PipelineDashboard tile grid', () => {
  test('GIVEN two queues WHEN synthesized THEN each queue is one row of 12x16 tiles, left to right, the second row below the first (an absent coordinate is 0)', () => {
    const d = dashboardJson({ queues: [orders, emails] });
    expect(d.mosaicLayout.columns).toBe(48);
    expect(d.mosaicLayout.tiles.map((t: any) => [t.widget.title, t.xPos ?? 0, t.yPos ?? 0, t.width, t.height])).toEqual([
      ['us-central1/orders: depth (tasks)', 0, 0, 12, 16],
      ['us-central1/orders: attempts by response code (/s)', 12, 0, 12, 16],
      ['us-central1/orders: attempt delay p50 / p99 (ms)', 24, 0, 12, 16],
      ['europe-west1/emails: depth (tasks)', 0, 16, 12, 16],
      ['europe-west1/emails: attempts by response code (/s)', 12, 16, 12, 16],
      ['europe-west1/emails: attempt delay p50 / p99 (ms)', 24, 16, 12, 16],
      ['europe-west1/emails: dead letters', 36, 16, 12, 16],
    ]);
  });
});

describe('PipelineDashboard chart aggregations', () => {
  // Built inside each test, not once for the describe block: Stryker credits a mutant only to the tests that
  // ran it, so a describe-level fixture would let every chart mutant survive.
  const d = () => dashboardJson({ queues: [emails] });

  test('GIVEN a queue WHEN synthesized THEN depth is a line of the per-minute mean, summed over series', () => {
    const [ds] = dataSets(d(), /depth/);
    expect(ds.plotType).toBe('LINE');
    expect(ds.timeSeriesQuery.timeSeriesFilter.aggregation).toEqual({ alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_MEAN', crossSeriesReducer: 'REDUCE_SUM' });
  });

  test('GIVEN a queue WHEN synthesized THEN attempts are stacked bars of the per-minute rate summed by response code', () => {
    const [ds] = dataSets(d(), /attempts by response code/);
    expect(ds.plotType).toBe('STACKED_BAR');
    expect(ds.timeSeriesQuery.timeSeriesFilter.aggregation).toEqual({
      alignmentPeriod: '60s',
      perSeriesAligner: 'ALIGN_RATE',
      crossSeriesReducer: 'REDUCE_SUM',
      groupByFields: ['metric.labels.response_code'],
    });
  });

  test('GIVEN a queue WHEN synthesized THEN attempt delays are two lines, the p50 and p99 of per-minute deltas', () => {
    const sets = dataSets(d(), /attempt delay/);
    expect(sets.map((ds: any) => ds.plotType)).toEqual(['LINE', 'LINE']);
    expect(sets.map((ds: any) => ds.timeSeriesQuery.timeSeriesFilter.aggregation)).toEqual([
      { alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_PERCENTILE_50' },
      { alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_PERCENTILE_99' },
    ]);
  });

  test('GIVEN a queue with dead letters WHEN synthesized THEN dead letters are stacked bars of per-minute deltas, summed', () => {
    const [ds] = dataSets(d(), /dead letters/);
    expect(ds.plotType).toBe('STACKED_BAR');
    expect(ds.timeSeriesQuery.timeSeriesFilter.aggregation).toEqual({ alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM' });
  });
});

describe('PipelineDashboard validation', () => {
  test('GIVEN a 200-character title WHEN synthesized THEN the dashboard carries it', () => {
    const title = 't'.repeat(200);
    expect(dashboardJson({ displayName: title }).displayName).toBe(title);
  });

  test('GIVEN a 1-character title WHEN synthesized THEN the dashboard carries it', () => {
    expect(dashboardJson({ displayName: 'd' }).displayName).toBe('d');
  });

  test('GIVEN a 201-character title WHEN synthesized THEN the error names displayName, the allowed length and the value', () => {
    expect(() => build({ displayName: 't'.repeat(201) })).toThrow(
      /Invalid props for 'test\/Dash':\n {2}- 'displayName' must be a title of 1-200 characters, got "t{80}…" \(201 characters\)/,
    );
  });

  test('GIVEN a blank title WHEN synthesized THEN the error names displayName, the allowed text and the value', () => {
    expect(() => build({ displayName: '   ' })).toThrow(`  - 'displayName' must be a title of 1-200 characters, got "   "`);
  });

  test('GIVEN an empty title WHEN synthesized THEN it is refused', () => {
    expect(() => build({ displayName: '' })).toThrow(`  - 'displayName' must be a title of 1-200 characters, got ""`);
  });

  test('GIVEN a queue location that is not a region WHEN synthesized THEN the error names that queue\'s location', () => {
    expect(() => build({ queues: [{ queueId: 'orders', location: 'US Central' }] })).toThrow(
      `  - 'queues[0].location' must be a region such as "us-central1", got "US Central"`,
    );
  });

  test('GIVEN a bad location on the second queue WHEN synthesized THEN the error names queues[1].location', () => {
    expect(() => build({ queues: [orders, { queueId: 'emails', location: 'nowhere' }] })).toThrow(`  - 'queues[1].location' must be a region such as "us-central1", got "nowhere"`);
  });
});
