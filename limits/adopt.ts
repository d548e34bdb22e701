/**
 * Adopting a pipeline built by hand: the names of the existing resources, as the user found them, checked
 * against what the stack declares. Shared by the constructs and the app config (which reports each problem
 * where the user wrote it), so both refuse the same thing with the same words.
 *
 * Every field compared here forces replacement in provider 6.50.0 (queue and service `name`, `location`,
 * `project`; a service account's `account_id` and `project`): a difference would plan the adopted resource's
 * destruction, so synth refuses it instead, naming the field, the existing value and the declared one.
 */
import { ACCOUNT_ID_PATTERN } from './limits';
import type { Problems } from './problems';

/** Where to find each existing name (shown when one is missing). */
export const ADOPT_HINTS = {
  /** Finds a queue's full name. */
  queue: "gcloud tasks queues describe QUEUE --location=REGION --format='value(name)'",
  /** Lists the project's service accounts. */
  account: "gcloud iam service-accounts list --project=PROJECT --format='value(email)'",
  /** Lists the Cloud Run services and their regions. */
  service: 'gcloud run services list --project=PROJECT (SERVICE and REGION columns)',
  /** Finds the account a Cloud Run service runs as. */
  runtime: "gcloud run services describe SERVICE --region=REGION --format='value(spec.template.spec.serviceAccountName)'",
} as const;

/** `projects/P/locations/L/queues/Q` or `.../services/S`, split. */
export interface ResourcePath {
  /** The project id. */
  readonly project: string;
  /** The region. */
  readonly location: string;
  /** The queue id or service name. */
  readonly name: string;
}

const PATH_PATTERNS = {
  queues: /^projects\/([^/]+)\/locations\/([^/]+)\/queues\/([^/]+)$/,
  services: /^projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)$/,
};

/** The parts of a queue's or a Cloud Run service's full name; undefined when `path` is not one. */
export function parseResourcePath(collection: 'queues' | 'services', path: string): ResourcePath | undefined {
  const m = PATH_PATTERNS[collection].exec(path);
  return m ? { project: m[1], location: m[2], name: m[3] } : undefined;
}

/** A user-managed account's id and project, from `ID@PROJECT.iam.gserviceaccount.com`; undefined otherwise. */
export function userManagedAccount(email: string): {
  /** The account id, the part before `@`. */
  accountId: string;
  /** The project the account belongs to. */
  project: string;
} | undefined {
  const m = /^([^@]+)@([a-z][-a-z0-9]+)\.iam\.gserviceaccount\.com$/.exec(email);
  return m && ACCOUNT_ID_PATTERN.test(m[1]) ? { accountId: m[1], project: m[2] } : undefined;
}

/** Compute Engine's default account, `NUMBER-compute@developer.gserviceaccount.com` (Google's, never adopted). */
export function isDefaultComputeAccount(email: string): boolean {
  return /^\d+-compute@developer\.gserviceaccount\.com$/.test(email);
}

/** What a queue or a service declares, and the existing full name to hold it to. */
export interface ExistingPathCheck {
  /** Whether import blocks are wanted (the existing name is then required). */
  readonly adopt: boolean;
  /** The existing full name as the user gave it. */
  readonly existing: string | undefined;
  /** The declared project, location and name (undefined or a token: not compared). */
  readonly declared: {
    /** The declared project id. */
    readonly project?: string;
    /** The declared region. */
    readonly location: string;
    /** The declared queue id or service name. */
    readonly name: string;
  };
}

/**
 * Checks an existing queue (`existingQueue`) or service (`existingService`) name: required when adopting,
 * well formed, and naming the declared project, location and id (each forces replacement). Problems are
 * recorded under `existingQueue`/`existingService` and the declared props (`project`, `location`,
 * `queueId`/`serviceName`), which a renamed view maps to where the user wrote them.
 */
export function checkExistingPath(p: Problems, kind: 'queue' | 'service', c: ExistingPathCheck): void {
  const prop = kind === 'queue' ? 'existingQueue' : 'existingService';
  const collection = kind === 'queue' ? 'queues' : 'services';
  const shape = `projects/PROJECT/locations/REGION/${collection}/${kind === 'queue' ? 'QUEUE' : 'SERVICE'}`;
  if (c.existing === undefined) {
    p.fail(prop, undefined, `the existing ${kind}'s full name, ${shape}, when adoptExisting is true (find it with: ${ADOPT_HINTS[kind]})`, c.adopt);
    return;
  }
  if (!p.known(c.existing)) return;
  const found = parseResourcePath(collection, c.existing);
  if (!found) {
    p.fail(prop, c.existing, `the existing ${kind}'s full name, ${shape}`);
    return;
  }
  const nameProp = kind === 'queue' ? 'queueId' : 'serviceName';
  const fields: [string, keyof ResourcePath, string][] = [
    ['project', 'project', 'project'],
    ['location', 'location', 'location'],
    [nameProp, 'name', kind === 'queue' ? 'queue id' : 'service name'],
  ];
  for (const [declaredProp, part, what] of fields) {
    const declared = c.declared[part];
    if (!p.known(declared) || declared === found[part]) continue;
    p.fail(
      declaredProp,
      declared,
      `${JSON.stringify(found[part])}, the ${what} of the existing ${kind} (${p.nameOf(prop)}): the ${what} forces replacement, which would destroy the ${kind}${kind === 'queue' ? ' and its tasks' : ''}`,
    );
  }
}

/** An existing service account to hold a declared one to. */
export interface ExistingAccountCheck {
  /** Whether import blocks are wanted (the email is then required). */
  readonly adopt: boolean;
  /** The existing account's email as the user gave it. */
  readonly existing: string | undefined;
  /** The declared project (undefined or a token: not compared). */
  readonly project?: string;
  /** What the account is, e.g. "enqueuer" or "runtime". */
  readonly role: 'enqueuer' | 'runtime';
}

/**
 * Checks an existing account's email (`prop`): required when adopting, user-managed (`ID@PROJECT.iam...`),
 * in the declared project (a service account's project forces replacement). A runtime account may be
 * Compute Engine's default one: it is left alone and the handler gets a dedicated account.
 */
export function checkExistingAccount(p: Problems, prop: string, c: ExistingAccountCheck): void {
  const hint = c.role === 'enqueuer' ? ADOPT_HINTS.account : ADOPT_HINTS.runtime;
  if (c.existing === undefined) {
    p.fail(prop, undefined, `the email of the existing ${c.role} service account when adoptExisting is true (find it with: ${hint})`, c.adopt);
    return;
  }
  if (!p.known(c.existing)) return;
  if (c.role === 'runtime' && isDefaultComputeAccount(c.existing)) return;
  const found = userManagedAccount(c.existing);
  if (!found) {
    const also = c.role === 'runtime' ? ", or Compute Engine's default NUMBER-compute@developer.gserviceaccount.com (not adopted: the handler gets its own account)" : '';
    p.fail(prop, c.existing, `a user-managed service account's email, ID@PROJECT.iam.gserviceaccount.com${also}`);
    return;
  }
  p.fail(
    'project',
    c.project,
    `${JSON.stringify(found.project)}, the project of the existing ${c.role} account (${p.nameOf(prop)}): a service account's project forces replacement`,
    p.known(c.project) && c.project !== found.project,
  );
}

/** The account id to declare for an existing account: its own (never the derived one), or undefined. */
export function existingAccountId(email: string | undefined): string | undefined {
  return email === undefined ? undefined : userManagedAccount(email)?.accountId;
}

/**
 * Importing the guide's grants needs adoption on and a known enqueuer email (the import ids name the member).
 * `prop` is where the switch was written.
 */
export function checkGrantAdoption(p: Problems, c: { readonly adopt: boolean; readonly grants: boolean; readonly emailKnown: boolean }): void {
  p.fail(
    'adoptExistingGrants',
    true,
    'false unless adoptExisting is true and the enqueuer has a known email (existingEnqueuerEmail, or an enqueuer given by email): the import ids name the member',
    c.grants && (!c.adopt || !c.emailKnown),
  );
}
