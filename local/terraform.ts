/**
 * Reads the queues (and Cloud Run services) that `npm run synth` wrote to cdktf.out. Values that exist only
 * in the cloud (a service URL, an account email) are Terraform references; each is resolved by an explicit
 * rule or mapping, and any left unresolved is an error that names it: nothing is guessed silently.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HTTP_METHODS, HttpMethod, URI_OVERRIDE_ENFORCE_MODES, UriOverrideEnforceMode } from '../limits';
import { parseDuration, QUEUE_DEFAULTS, QueueConfig, QueueTarget } from './model';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface StackFile {
  readonly name: string;
  readonly json: Json;
}

export interface LocalService {
  /** Terraform address, e.g. `google_cloud_run_v2_service.Pipeline_Handler_ECA328F9`. */
  readonly address: string;
  readonly name: string;
  readonly env: Record<string, string>;
}

/** Terraform reference (`type.name.attribute`) → local value. */
export type References = Record<string, string>;

/** Every stack in a cdktf.out folder, from its manifest. */
export function readStacks(outdir: string): StackFile[] {
  let manifest: { stacks: Record<string, { synthesizedStackPath: string }> };
  try {
    manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  } catch {
    throw new Error(`no synthesized stacks in ${outdir}: run \`npm run synth\` first`);
  }
  return Object.entries(manifest.stacks).map(([name, s]) => {
    const file = join(outdir, s.synthesizedStackPath);
    try {
      return { name, json: JSON.parse(readFileSync(file, 'utf8')) };
    } catch (e) {
      throw new Error(`cannot read stack "${name}" from ${file} (${(e as Error).message}); synthesize JSON with \`npm run synth\` (not --hcl)`);
    }
  });
}

/** Cloud Run services of a stack, with their env as written (references unresolved). */
export function servicesOf(stack: StackFile): { address: string; name: string; rawEnv: Record<string, string> }[] {
  return Object.entries<Json>(stack.json.resource?.google_cloud_run_v2_service ?? {}).map(([id, r]) => ({
    address: `google_cloud_run_v2_service.${id}`,
    name: r.name,
    rawEnv: Object.fromEntries((r.template?.containers?.[0]?.env ?? []).map((e: Json) => [e.name, e.value])),
  }));
}

/**
 * Built-in rules for references whose value is determined by the stack itself:
 * `google_service_account.X.email` is `ACCOUNT_ID@PROJECT.iam.gserviceaccount.com` (how Google names
 * user-managed accounts) and `.member` is `serviceAccount:` + that email.
 */
export function derivedReferences(stack: StackFile): References {
  const project = providerProject(stack);
  const refs: References = {};
  for (const [id, r] of Object.entries<Json>(stack.json.resource?.google_service_account ?? {})) {
    const email = `${r.account_id}@${r.project ?? project}.iam.gserviceaccount.com`;
    refs[`google_service_account.${id}.email`] = email;
    refs[`google_service_account.${id}.member`] = `serviceAccount:${email}`;
  }
  return refs;
}

function providerProject(stack: StackFile): string | undefined {
  const google = stack.json.provider?.google;
  return (Array.isArray(google) ? google[0] : google)?.project;
}

/** Resolves `${...}` interpolations: references, `trimprefix`, `trimsuffix`, `replace`. */
export class Resolver {
  readonly unresolved = new Set<string>();
  constructor(private readonly refs: References) {}

  value(text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    return text.replace(/\$\{([^}]*)\}/g, (_m, expr: string) => this.expr(expr.trim()) ?? '');
  }

  private expr(expr: string): string | undefined {
    const call = /^(\w+)\((.*)\)$/.exec(expr);
    if (!call) return this.ref(expr);
    const args = splitArgs(call[2]).map((a) => (/^".*"$/.test(a) ? JSON.parse(a) : this.ref(a)));
    if (args.some((a) => a === undefined)) return undefined;
    const [a, b, c] = args as string[];
    switch (call[1]) {
      case 'trimprefix':
        return a.startsWith(b) ? a.slice(b.length) : a;
      case 'trimsuffix':
        return a.endsWith(b) ? a.slice(0, -b.length) : a;
      case 'replace':
        return a.split(b).join(c);
      default:
        this.unresolved.add(`${call[1]}(...) (unsupported function)`);
        return undefined;
    }
  }

  private ref(ref: string): string | undefined {
    if (ref in this.refs) return this.refs[ref];
    this.unresolved.add(ref);
    return undefined;
  }
}

function splitArgs(text: string): string[] {
  return text.match(/"(?:[^"\\]|\\.)*"|[^,\s][^,]*/g)?.map((s) => s.trim()) ?? [];
}

/** The queues of a stack, resolved. Throws one error naming every reference that has no local value. */
export function queuesOf(stack: StackFile, refs: References): QueueConfig[] {
  const resolver = new Resolver({ ...derivedReferences(stack), ...refs });
  const project = providerProject(stack);
  const queues = Object.values<Json>(stack.json.resource?.google_cloud_tasks_queue ?? {}).map((r) => {
    const rate = r.rate_limits ?? {};
    const retry = r.retry_config ?? {};
    const d = QUEUE_DEFAULTS;
    return {
      path: `projects/${resolver.value(r.project) ?? project}/locations/${resolver.value(r.location)}/queues/${resolver.value(r.name)}`,
      httpTarget: r.http_target ? target(r.http_target, resolver) : undefined,
      ...(r.stackdriver_logging_config && { logging: { samplingRatio: Number(r.stackdriver_logging_config.sampling_ratio ?? 0) } }),
      rate: {
        maxDispatchesPerSecond: rate.max_dispatches_per_second ?? d.rate.maxDispatchesPerSecond,
        maxConcurrentDispatches: rate.max_concurrent_dispatches ?? d.rate.maxConcurrentDispatches,
      },
      retry: {
        maxAttempts: retry.max_attempts ?? d.retry.maxAttempts,
        maxRetryDuration: parseDuration(retry.max_retry_duration) ?? d.retry.maxRetryDuration,
        minBackoff: parseDuration(retry.min_backoff) ?? d.retry.minBackoff,
        maxBackoff: parseDuration(retry.max_backoff) ?? d.retry.maxBackoff,
        maxDoublings: retry.max_doublings ?? d.retry.maxDoublings,
      },
    } satisfies QueueConfig;
  });
  if (resolver.unresolved.size > 0) {
    throw new Error(
      `stack "${stack.name}": no local value for ${[...resolver.unresolved].map((r) => `"${r}"`).join(', ')}. ` +
        'Map each with --resolve REFERENCE=VALUE (e.g. a service uri to the local handler URL).',
    );
  }
  return queues;
}

function target(t: Json, r: Resolver): QueueTarget {
  const uri = t.uri_override;
  let override: QueueTarget['uriOverride'];
  if (uri) {
    let scheme = uri.scheme as 'HTTP' | 'HTTPS' | undefined;
    let host = r.value(uri.host);
    let port = uri.port === undefined ? undefined : Number(r.value(uri.port));
    // A reference mapped to a whole local origin ("http://127.0.0.1:8081") sets scheme, host and port.
    if (host && /^https?:\/\//.test(host)) {
      const origin = new URL(host);
      scheme = origin.protocol === 'http:' ? 'HTTP' : 'HTTPS';
      host = origin.hostname;
      port = origin.port ? Number(origin.port) : port;
    }
    override = {
      scheme,
      host,
      port,
      path: r.value(uri.path_override?.path),
      query: r.value(uri.query_override?.query_params),
      enforceMode: (URI_OVERRIDE_ENFORCE_MODES.includes(uri.uri_override_enforce_mode) ? uri.uri_override_enforce_mode : 'ALWAYS') as UriOverrideEnforceMode,
    };
  }
  const method = t.http_method as HttpMethod | undefined;
  return {
    httpMethod: method && HTTP_METHODS.includes(method) ? method : undefined,
    uriOverride: override,
    headers: Object.fromEntries((t.header_overrides ?? []).map((h: Json) => [h.header.key, r.value(h.header.value)!])),
    oidcToken: t.oidc_token && { serviceAccountEmail: r.value(t.oidc_token.service_account_email)!, audience: r.value(t.oidc_token.audience) },
    oauthToken: t.oauth_token && {
      serviceAccountEmail: r.value(t.oauth_token.service_account_email)!,
      scope: r.value(t.oauth_token.scope) ?? 'https://www.googleapis.com/auth/cloud-platform',
    },
  };
}
