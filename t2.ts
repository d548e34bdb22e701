import { resolveConfig } from './config';
import { buildApp } from './main';
import { mkdtempSync, readFileSync } from 'node:fs';
const out = mkdtempSync('/tmp/s-');
const cfg = resolveConfig({ project: 'acme-orders-prod', labels: { team: 'orders' }, handlers: { orders: { image: 'europe-docker.pkg.dev/acme/h/orders:1', cpu: '2', memory: '1Gi', minInstances: 1, maxInstances: 20, concurrency: 40, env: { LOG_LEVEL: 'debug' }, secrets: { API_KEY: 'orders-api-key', DB: { secret: 'projects/other-proj/secrets/db', version: '3' } }, network: 'default', subnetwork: 'run-subnet', egress: 'ALL_TRAFFIC', labels: { tier: 'backend' } } },
  queues: { 'orders-fast': { handler: 'orders', maxDispatchesPerSecond: 100 }, 'orders-slow': { handler: 'orders', dispatchDeadlineSeconds: 1800, labels: { lane: 'slow' } }, emails: { labels: { lane: 'mail' }, handler: { serviceName: 'mailer' } } } }, {});
buildApp(cfg, out).synth();
const tf = JSON.parse(readFileSync(`${out}/stacks/dev/cdk.tf.json`, 'utf8'));
console.log(JSON.stringify(tf.resource.google_cloud_run_v2_service, null, 1).slice(0, 6000));
console.log(Object.keys(tf.resource), Object.keys(tf.output));
console.log(JSON.stringify(tf.resource.google_secret_manager_secret_iam_member, null, 1));
console.log(JSON.stringify(tf.resource.google_cloud_run_v2_service_iam_member, null, 1));
