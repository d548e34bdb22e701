// One snapshot per construct: a safety net for unintended changes (ids included: renaming one
// replaces the resource). Update with `npm test -- -u` after reviewing the diff.
import {
  ProjectFoundation,
  HttpTargetPipeline,
  Principal,
  ServiceAccount,
  TaskHandlerService,
  TaskQueue,
} from '../constructs';
import { synth } from './helpers';

const sa = Principal.serviceAccount('enq@test-project.iam.gserviceaccount.com');

test.each([
  ['TaskQueue', (stack: any) =>
    new TaskQueue(stack, 'Queue', {
      queueId: 'orders',
      location: 'us-central1',
      httpTarget: { uriOverride: { host: 'h.example.com', path: '/tasks' }, headers: { 'X-Team': 'a' }, oidcToken: { serviceAccount: sa, audience: 'aud' } },
      rateLimits: { maxDispatchesPerSecond: 10 },
      retry: { maxAttempts: 5, minBackoff: '1s', maxBackoff: '30s' },
    }).grantEnqueue(Principal.group('producers@example.com'))],
  ['ProjectFoundation', (stack: any) => ProjectFoundation.of(stack, 'test-project')],
  ['ServiceAccount', (stack: any) => new ServiceAccount(stack, 'Sa', { accountId: 'orders-enq', description: 'd' })],
  ['TaskHandlerService', (stack: any) =>
    new TaskHandlerService(stack, 'Handler', { serviceName: 'h', location: 'us-central1', audience: 'aud', tokenServiceAccountEmail: sa.email }).grantInvoke(sa)],
  ['HttpTargetPipeline', (stack: any) => new HttpTargetPipeline(stack, 'Orders', { queueId: 'orders', location: 'us-central1' })],
])('%s snapshot', (_name, build) => {
  expect(JSON.parse(synth(build).text)).toMatchSnapshot();
});
