import { resolveConfig } from './config';
const cases: Array<[unknown, Record<string,string>]> = [
  [{ projectId: 'x' }, {}], [{ maxAttempts: '5' }, {}], [{ environments: { dev: { regoin: 'x' } } }, {}], [{ environments: { dev: 'yes' } }, {}],
  [{}, { PIPELINE_PROJECT: 'Bad Project' }], [{ region: 'mars' }, {}], [{ queueId: 'a_b' }, {}], [{}, { PIPELINE_ENVIRONMENTS: 'Prod' }],
  [{ stateBucket: 'B' }, {}], [{ handlerIngress: 'PUBLIC' }, {}], [{ environments: { dev: {}, staging: {} } }, {}], [['a'], {}],
  [{ queueId: 'x'.repeat(100) }, {}],
  [{ environments: { dev: { project: 'acme-dev1', queues: { orders: { handler: 'shared', maxAttempts: -5 }, Emails: { handler: { cpu: '3', memory: '100Gi', env: { PORT: '1' } } } }, handlers: { shared: { minInstances: 5, maxInstances: 2 }, unused: {} } }, prod: { project: 'acme-prod1', handlerImage: 'Bad Image', queues: { a: { handler: 'nope' } } } } }, { PIPELINE_ENVIRONMENTS: 'dev,prod,prdo' }],
  [{ environments: { dev: { project: 'acme-one1', queueId: 'Orders' }, prod: { project: 'acme-one1', queueId: 'orders' } } }, {}],
  [{ headers: 'x'.repeat(200) }, {}],
  [{}, { PIPELINE_DEPLOY: '1' }],
];
for (const [f, e] of cases) { try { const c = resolveConfig(f, e); console.log('OK', JSON.stringify(c).slice(0, 300)); } catch (err) { console.log((err as Error).message); } console.log('---'); }
