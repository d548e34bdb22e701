// A pipeline built by hand from the Cloud Tasks guide, and the config that adopts it: shared by the app,
// Terraform and local-server tests of adoption.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../config';
import { buildApp } from '../main';

export type Json = Record<string, any>;

export const HAND_BUILT = {
  project: 'acme-orders-prod',
  region: 'europe-west1',
  queue: 'projects/acme-orders-prod/locations/europe-west1/queues/orders',
  enqueuer: 'tasks-caller@acme-orders-prod.iam.gserviceaccount.com',
  service: 'projects/acme-orders-prod/locations/europe-west1/services/orders-worker',
  runtime: 'orders-runtime@acme-orders-prod.iam.gserviceaccount.com',
};

/** The config before adoption: the same queue and service names, nothing said about what exists. */
export const PLAIN = {
  project: HAND_BUILT.project,
  region: HAND_BUILT.region,
  queues: { orders: { handler: { serviceName: 'orders-worker' } } },
};

/** The runbook's config: the hand-built names, adoption on. */
export const ADOPTING = {
  project: HAND_BUILT.project,
  region: HAND_BUILT.region,
  queues: {
    orders: {
      adoptExisting: true,
      existingQueue: HAND_BUILT.queue,
      existingEnqueuerEmail: HAND_BUILT.enqueuer,
      handler: { serviceName: 'orders-worker', existingService: HAND_BUILT.service, existingRuntimeEmail: HAND_BUILT.runtime },
    },
  },
};

/** Synthesizes `file` into a temp folder; returns every stack's JSON text, then removes the folder. */
export function synthTexts(file: unknown, hcl = false): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), 'adopt-'));
  const before = process.env.SYNTH_HCL_OUTPUT;
  try {
    process.env.SYNTH_HCL_OUTPUT = hcl ? 'true' : 'false';
    buildApp(resolveConfig(file, {}), outdir).synth();
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    const texts: Record<string, string> = { 'manifest.json': readFileSync(join(outdir, 'manifest.json'), 'utf8').replaceAll(outdir, 'OUT') };
    for (const name of Object.keys(manifest.stacks)) texts[name] = readFileSync(join(outdir, 'stacks', name, hcl ? 'cdk.tf' : 'cdk.tf.json'), 'utf8');
    return texts;
  } finally {
    if (before === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = before;
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Parsed stacks of `file` (manifest left out). */
export function synthStacks(file: unknown): Record<string, Json> {
  const { 'manifest.json': _m, ...texts } = synthTexts(file);
  return Object.fromEntries(Object.entries(texts).map(([k, v]) => [k, JSON.parse(v)]));
}
