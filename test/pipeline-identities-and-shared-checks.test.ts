import { Fn, Token } from 'cdktf';
import { HttpTargetPipeline, HttpTargetPipelineProps, ProjectFoundation, TaskHandlerService } from '../constructs';
import { only, resources, synth } from './helpers';

const base: HttpTargetPipelineProps = { queueId: 'orders', location: 'us-central1', project: 'test-project' };
const pipeline = (props: Partial<HttpTargetPipelineProps> = {}) => synth((stack) => new HttpTargetPipeline(stack, 'Orders', { ...base, ...props }));
const sharedProps = { serviceName: 'orders', location: 'us-central1', project: 'test-project', audience: 'https://orders.example/aud', dispatchDeadlineSeconds: 900 };
const descriptions = (s: ReturnType<typeof synth>) => Object.fromEntries(Object.values(resources(s, 'google_service_account')).map((a: any) => [a.account_id, a.description]));

describe('HttpTargetPipeline service accounts', () => {
  test('GIVEN a dedicated dispatch identity WHEN synthesized THEN each account\'s description says what it does for this queue', () => {
    expect(descriptions(pipeline({ dedicatedDispatchIdentity: true }))).toMatchObject({
      'orders-enq': 'Enqueues tasks on Cloud Tasks queue orders',
      'orders-dsp': 'Signs the dispatch tokens of Cloud Tasks queue orders; nothing else runs as it',
    });
  });

  test('GIVEN a handler service name WHEN synthesized THEN the pipeline\'s own service has that name', () => {
    expect(only(pipeline({ handler: { serviceName: 'billing-worker' } }), 'google_cloud_run_v2_service').name).toBe('billing-worker');
  });

  test('GIVEN a foundation for the provider\'s project and a pipeline project WHEN synthesized THEN the foundation is accepted', () => {
    const s = synth((stack) => new HttpTargetPipeline(stack, 'Orders', { ...base, foundation: ProjectFoundation.of(stack) }));
    expect(Object.keys(resources(s, 'google_cloud_tasks_queue'))).toHaveLength(1);
  });
});

describe('HttpTargetPipeline with a shared handler: unresolved values are not compared', () => {
  const withShared = (props: Partial<HttpTargetPipelineProps>, shared: Partial<typeof sharedProps> = {}) =>
    synth((stack) => new HttpTargetPipeline(stack, 'Q', { ...base, ...props, sharedHandler: new TaskHandlerService(stack, 'Orders', { ...sharedProps, ...shared }) }));

  test('GIVEN no audience WHEN synthesized THEN the queue uses the shared handler\'s audience', () => {
    expect(only(withShared({}), 'google_cloud_tasks_queue').http_target.oidc_token.audience).toBe('https://orders.example/aud');
  });

  test('GIVEN an audience only known at apply time WHEN synthesized THEN it is not refused', () => {
    expect(() => withShared({ audience: Fn.join('', ['https://orders.example/', 'aud']) })).not.toThrow();
  });

  test('GIVEN a shared handler whose dispatch deadline is only known at apply time WHEN a queue sets a deadline THEN it is not refused', () => {
    expect(() => withShared({ dispatchDeadlineSeconds: 600 }, { dispatchDeadlineSeconds: Token.asNumber(Fn.tonumber('900')) })).not.toThrow();
  });

  test('GIVEN a queue deadline only known at apply time WHEN synthesized THEN it is not refused', () => {
    expect(() => withShared({ dispatchDeadlineSeconds: Token.asNumber(Fn.tonumber('1200')) })).not.toThrow();
  });
});
