/**
 * The offline change review: what Terraform will create, replace, update, destroy, move, import, forget and
 * grant or revoke when a synthesized app replaces an earlier one, read from the two `cdk.tf.json` sets alone
 * (no state, no provider, no credentials). cdktf-free.
 */
import { replacementRule } from './replacement-rules';
import type {
  Finding,
  IamChange,
  MoveSuggestion,
  Replacement,
  ReviewOptions,
  ReviewResult,
  StackReview,
  SynthesizedApp,
  SynthesizedStack,
  UnknownChange,
  Update,
} from './types';

/** Stacks whose name starts with this hold a project's foundation: everything in them is protected. */
export const FOUNDATION_STACK_PREFIX = 'project-';
/** Days a deleted queue's name stays blocked (the v2 proto and quotas page say 7; the REST reference says 3). */
export const QUEUE_NAME_BLOCKED_DAYS = 7;

/** Meta-arguments: they change how Terraform plans, not the object, so they never update or replace it. */
const META = new Set(['//', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection', 'count', 'for_each']);
const IAM_FIELDS = new Set(['role', 'member', 'condition']);

type Body = Record<string, unknown>;
interface Res {
  readonly type: string;
  readonly name: string;
  readonly body: Body;
}

function resourcesOf(stack: SynthesizedStack): Map<string, Res> {
  const out = new Map<string, Res>();
  for (const [type, byName] of Object.entries(stack.resource ?? {})) {
    for (const [name, body] of Object.entries(byName ?? {})) out.set(`${type}.${name}`, { type, name, body: body as Body });
  }
  return out;
}

const typeOf = (address: string) => address.slice(0, address.indexOf('.'));

/** `${...}` expressions in a value. */
const EXPR = /\$\{([^}]*)\}/g;
/** `TYPE.NAME` (and `.ATTR`) inside an expression. */
const REF = /(?<![\w.-])([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_]+)?)/g;

/** Rewrites the references of every string in `value`. */
function mapRefs(value: unknown, fn: (address: string, attr: string) => string | undefined): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    return value.replace(EXPR, (_m, inner: string) => `\${${inner.replace(REF, (all, t: string, n: string, attr: string) => fn(`${t}.${n}`, attr.slice(1)) ?? all)}}`);
  }
  if (Array.isArray(value)) return value.map((v) => mapRefs(v, fn));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapRefs(v, fn)]));
  return value;
}

/** References (`TYPE.NAME` → attributes) in `value` to resources of `known`. */
function refsOf(value: unknown, known: Map<string, Res>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  mapRefs(value, (address, attr) => {
    if (known.has(address)) {
      const attrs = out.get(address) ?? new Set<string>();
      attrs.add(attr);
      out.set(address, attrs);
    }
    return undefined;
  });
  return out;
}

/** Values at a dotted path, through nested blocks and lists. */
function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return [value];
  if (Array.isArray(value)) return value.flatMap((v) => valuesAt(v, path));
  if (value && typeof value === 'object') {
    const next = (value as Body)[path[0]];
    return next === undefined ? [] : valuesAt(next, path.slice(1));
  }
  return [];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A value with references replaced by what they name: `type(identity).attr`, so the same real object
 * compares equal under any address (a service account's `email` becomes the address it will have).
 */
function resolve(value: unknown, res: Map<string, Res>, depth = 0): unknown {
  if (typeof value === 'string') {
    // A whole `${TYPE.NAME.ATTR}` naming a literal (or a service account's email/member) becomes that text.
    value = value.replace(/\$\{([a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)\.([a-z_]+)\}/g, (all, address: string, attr: string) => literalOf(address, attr, res, depth) ?? all);
  }
  return mapRefs(value, (address, attr) => {
    const target = res.get(address);
    if (!target || depth > 4) return undefined;
    const id = identityOf(target, res, depth + 1);
    return id === undefined ? undefined : `${target.type}(${id})${attr ? `.${attr}` : ''}`;
  });
}

/** The value `ADDRESS.ATTR` will have, when the configuration alone says it. */
function literalOf(address: string, attr: string, res: Map<string, Res>, depth: number): string | undefined {
  const target = res.get(address);
  if (!target || depth > 4) return undefined;
  const set = target.body[attr];
  if (typeof set === 'string' || typeof set === 'number') {
    const v = resolve(String(set), res, depth + 1);
    return typeof v === 'string' && !v.includes('${') ? v : undefined;
  }
  if (target.type === 'google_service_account' && ['email', 'member', 'name'].includes(attr)) {
    const project = resolve(target.body.project, res, depth + 1);
    const account = resolve(target.body.account_id, res, depth + 1);
    if (typeof project !== 'string' || typeof account !== 'string' || `${project}${account}`.includes('${')) return undefined;
    const email = `${account}@${project}.iam.gserviceaccount.com`;
    return attr === 'email' ? email : attr === 'member' ? `serviceAccount:${email}` : `projects/${project}/serviceAccounts/${email}`;
  }
  return undefined;
}

/** The identity of a resource (its identity fields, resolved), or `undefined` for a type without one. */
function identityOf(r: Res, res: Map<string, Res>, depth = 0): string | undefined {
  const rule = replacementRule(r.type);
  if (!rule || rule.identity.length === 0) return undefined;
  return rule.identity.map((f) => {
    const v = resolve(r.body[f], res, depth);
    return typeof v === 'string' ? v : JSON.stringify(v ?? null);
  }).join('/');
}

function iamChange(address: string, r: Res, res: Map<string, Res>): IamChange {
  const parent = (replacementRule(r.type)?.identity ?? Object.keys(r.body).sort()).filter((k) => !META.has(k) && !IAM_FIELDS.has(k));
  return {
    address,
    resource: `${r.type.replace(/_iam_member$/, '')} ${parent.map((k) => String(resolve(r.body[k], res))).join('/')}`,
    role: String(r.body.role),
    member: String(resolve(r.body.member, res)),
  };
}
const iamKey = (c: IamChange) => `${c.resource}|${c.role}|${c.member}`;
const isIam = (type: string) => type.endsWith('_iam_member');

/** Types that hold nothing outside Terraform: destroying or replacing one loses nothing (a wait, an anchor). */
export const STATELESS_TYPES: readonly string[] = ['time_sleep', 'terraform_data'];

/**
 * Why destroying or replacing `r` blocks, if it does. prevent_destroy is read from the config, so it refuses a
 * replacement but not the destroy of a resource that left the config (Terraform then deletes it); the provider's
 * deletion_protection is read from state and fails both.
 */
function protection(stack: string, r: Res, change: 'destroyed' | 'replaced'): string | undefined {
  if (STATELESS_TYPES.includes(r.type)) return undefined;
  if (stack.startsWith(FOUNDATION_STACK_PREFIX)) return `it belongs to the foundation stack ${stack}`;
  const lifecycle = r.body.lifecycle as { prevent_destroy?: unknown } | undefined;
  if (lifecycle?.prevent_destroy === true) {
    return change === 'replaced' ? 'it has lifecycle.prevent_destroy (Terraform refuses the plan)' : 'it had lifecycle.prevent_destroy, which leaves the config with it: Terraform deletes it';
  }
  if (r.type === 'google_cloud_run_v2_service' && r.body.deletion_protection !== false) return 'it has deletion_protection (the destroy fails)';
  return undefined;
}

/** Config settings that keep a construct's old addresses, read from the app's address pattern. */
function settingFor(from: string, to: string): string | undefined {
  const single = /^[a-z0-9_]+\.Pipeline_/.test(from);
  const queue = /^[a-z0-9_]+\.Pipeline-([A-Za-z0-9-]+?)_/.exec(to)?.[1];
  if (single && queue) return `"keepSingleQueueAddresses": true on queue "${queue}" keeps the Pipeline addresses`;
  return undefined;
}

function queueNote(r: Res, recreated: boolean): string {
  const name = String(r.body.name);
  const where = `${String(r.body.project)}/${String(r.body.location)}`;
  return recreated
    ? `queue "${name}" (${where}) is deleted with its tasks and created again: the name is blocked for up to ${QUEUE_NAME_BLOCKED_DAYS} days after deletion, so the create fails`
    : `queue "${name}" (${where}) is deleted with its tasks; its name cannot be reused for up to ${QUEUE_NAME_BLOCKED_DAYS} days`;
}

interface StackWork {
  review: StackReview;
  /** Destroyed resources by address (their baseline bodies). */
  gone: Map<string, Res>;
  created: Map<string, Res>;
  beforeRes: Map<string, Res>;
  afterRes: Map<string, Res>;
}

function reviewStack(name: string, before: SynthesizedStack, after: SynthesizedStack): StackWork {
  const beforeRes = resourcesOf(before);
  const afterRes = resourcesOf(after);

  // Moves honoured: `from` existed, `to` is configured and did not exist. Chains follow to their end.
  const moveTo = new Map((after.moved ?? []).map((m) => [m.from, m.to]));
  const renamed = new Map<string, string>();
  for (const from of beforeRes.keys()) {
    let to = from;
    for (let hops = 0; moveTo.has(to) && hops < 20; hops++) to = moveTo.get(to)!;
    if (to !== from && afterRes.has(to) && !beforeRes.has(to)) renamed.set(from, to);
  }
  const removedNoDestroy = new Set((after.removed ?? []).filter((r) => r.lifecycle?.destroy === false).map((r) => r.from));
  const imports = new Map((after.import ?? []).map((i) => [i.to, i.id]));

  const created: string[] = [];
  const destroyed: string[] = [];
  const removedFromState: string[] = [];
  const imported: { address: string; id: string }[] = [];
  const pairs: { from: string; to: string; before: Body; after: Body; type: string }[] = [];
  const gone = new Map<string, Res>();
  const createdRes = new Map<string, Res>();

  for (const [address, r] of beforeRes) {
    const to = renamed.get(address) ?? address;
    const now = afterRes.get(to);
    if (now) {
      const normalized = mapRefs(r.body, (ref, attr) => (renamed.has(ref) ? `${renamed.get(ref)}${attr ? `.${attr}` : ''}` : undefined)) as Body;
      pairs.push({ from: address, to, before: normalized, after: now.body, type: r.type });
    } else if (removedNoDestroy.has(address)) {
      removedFromState.push(address);
    } else {
      destroyed.push(address);
      gone.set(address, r);
    }
  }
  const matched = new Set(pairs.map((p) => p.to));
  for (const [address, r] of afterRes) {
    if (matched.has(address)) continue;
    if (imports.has(address)) imported.push({ address, id: imports.get(address)! });
    else {
      created.push(address);
      createdRes.set(address, r);
    }
  }

  // Replacements, then what they force on resources that reference them (to a fixpoint).
  const replaced = new Map<string, Replacement>();
  const updated = new Map<string, Update>();
  const unknown: UnknownChange[] = [];
  const changedOf = (p: (typeof pairs)[number]) =>
    [...new Set([...Object.keys(p.before), ...Object.keys(p.after)])].filter((k) => !META.has(k) && !same(p.before[k], p.after[k])).sort();
  for (const p of pairs) {
    const changed = changedOf(p);
    const rule = replacementRule(p.type);
    if (!rule) {
      if (changed.length > 0) unknown.push({ address: p.to, attributes: changed });
      continue;
    }
    const forcing = rule.forceNew.filter((f) => !same(valuesAt(p.before, f.split('.')), valuesAt(p.after, f.split('.'))));
    if (forcing.length > 0) replaced.set(p.to, { address: p.to, attributes: forcing });
    else if (changed.length > 0) updated.set(p.to, { address: p.to, attributes: changed });
  }
  /** Does a reference to `address`.`attr` change value? Config-set attributes are known; computed ones are not. */
  const refChanges = (address: string, attr: string): boolean => {
    if (createdRes.has(address)) return true;
    if (!replaced.has(address)) return false;
    const p = pairs.find((x) => x.to === address)!;
    const top = attr.split('.')[0];
    return !(top in p.after) || !same(p.before[top], p.after[top]);
  };
  for (let changedSome = true; changedSome; ) {
    changedSome = false;
    for (const p of pairs) {
      const rule = replacementRule(p.type);
      if (!rule || replaced.has(p.to)) continue;
      const because = new Set<string>();
      const forcing: string[] = [];
      for (const f of rule.forceNew) {
        const refs = refsOf(valuesAt(p.after, f.split('.')), afterRes);
        const hit = [...refs].filter(([a, attrs]) => [...attrs].some((attr) => refChanges(a, attr))).map(([a]) => a);
        if (hit.length > 0) {
          forcing.push(f);
          hit.forEach((a) => because.add(a));
        }
      }
      if (forcing.length > 0) {
        replaced.set(p.to, { address: p.to, attributes: forcing, because: [...because].sort() });
        updated.delete(p.to);
        changedSome = true;
        continue;
      }
      const known = updated.get(p.to)?.attributes ?? [];
      const unknownAfterApply = Object.entries(p.after)
        .filter(([k, v]) => !META.has(k) && !known.includes(k) && [...refsOf(v, afterRes)].some(([a, attrs]) => [...attrs].some((attr) => refChanges(a, attr))))
        .map(([k]) => k);
      if (unknownAfterApply.length > 0) updated.set(p.to, { address: p.to, attributes: [...known, ...unknownAfterApply].sort() });
    }
  }

  // IAM: members whose resource goes away and whose (resource, role, member) is not configured any more.
  const beforeIam = [...beforeRes].filter(([, r]) => isIam(r.type)).map(([a, r]) => ({ a, c: iamChange(a, r, beforeRes) }));
  const afterIam = [...afterRes].filter(([, r]) => isIam(r.type)).map(([a, r]) => ({ a, c: iamChange(a, r, afterRes) }));
  const beforeKeys = new Set(beforeIam.map((x) => iamKey(x.c)));
  const afterKeys = new Set(afterIam.map((x) => iamKey(x.c)));
  const replacedFrom = new Set([...replaced.keys()].map((to) => pairs.find((p) => p.to === to)!.from));
  const revoked = beforeIam.filter((x) => (destroyed.includes(x.a) || replacedFrom.has(x.a)) && !afterKeys.has(iamKey(x.c))).map((x) => x.c);
  const granted = afterIam.filter((x) => (created.includes(x.a) || replaced.has(x.a)) && !beforeKeys.has(iamKey(x.c))).map((x) => x.c);

  // Suggestions: a destroy and a create of the same object.
  const suggestions: MoveSuggestion[] = [];
  const notes: string[] = [];
  const createdIds = new Map<string, string>();
  for (const [a, r] of createdRes) {
    const id = identityOf(r, afterRes);
    if (id !== undefined) createdIds.set(`${r.type}|${id}`, a);
  }
  for (const a of destroyed) {
    const r = beforeRes.get(a)!;
    const id = identityOf(r, beforeRes);
    const to = id === undefined ? undefined : createdIds.get(`${r.type}|${id}`);
    if (to) {
      const setting = settingFor(a, to);
      suggestions.push({ from: a, to, block: `moved {\n  from = ${a}\n  to   = ${to}\n}`, ...(setting ? { setting } : {}) });
    }
    if (r.type === 'google_cloud_tasks_queue') notes.push(queueNote(r, Boolean(to)));
  }
  for (const rep of replaced.values()) {
    const from = pairs.find((p) => p.to === rep.address)!.from;
    const r = beforeRes.get(from)!;
    // Re-created under the same name only when every identity field is unchanged (a reference forced the replacement).
    if (r.type === 'google_cloud_tasks_queue') notes.push(queueNote(r, identityOf(r, beforeRes) === identityOf(afterRes.get(rep.address)!, afterRes)));
  }
  // A renamed `queues` key without an explicit queueId: the old queue id keeps the queue.
  for (const a of destroyed) {
    const r = beforeRes.get(a)!;
    if (r.type !== 'google_cloud_tasks_queue' || suggestions.some((s) => s.from === a)) continue;
    const next = [...createdRes].find(([, c]) => c.type === r.type && c.body.project === r.body.project && c.body.location === r.body.location);
    if (next && /\.Pipeline(-[A-Za-z0-9-]+)?_Queue_/.test(a)) notes.push(`to keep queue "${String(r.body.name)}", set "queueId": "${String(r.body.name)}" on the queue that replaces it (then add the moved blocks this review suggests)`);
  }

  return {
    review: {
      stack: name,
      created: created.sort(),
      destroyed: destroyed.sort(),
      replaced: [...replaced.values()].sort((x, y) => x.address.localeCompare(y.address)),
      updated: [...updated.values()].sort((x, y) => x.address.localeCompare(y.address)),
      unknown,
      moved: [...renamed].map(([from, to]) => ({ from, to })),
      imported,
      removedFromState: removedFromState.sort(),
      granted,
      revoked,
      suggestions,
      notes,
    },
    gone,
    created: createdRes,
    beforeRes,
    afterRes,
  };
}

/** Does `acknowledge` name this address (`TYPE.NAME` or `STACK:TYPE.NAME`)? */
function acknowledged(ack: readonly string[], stack: string, address: string): boolean {
  return ack.includes(address) || ack.includes(`${stack}:${address}`);
}

/**
 * Reviews what Terraform will do when the synthesized app `after` replaces `before` (both maps of stack name
 * → parsed `cdk.tf.json`). Offline and without state: it reads the two configurations only.
 */
export function reviewChanges(before: SynthesizedApp, after: SynthesizedApp, options: ReviewOptions = {}): ReviewResult {
  const ack = options.acknowledge ?? [];
  const names = [...new Set([...Object.keys(after)])].sort();
  const works = names.map((n) => reviewStack(n, before[n] ?? {}, after[n]));
  const leftDeployed = Object.keys(before).filter((n) => !(n in after)).sort();

  // The same object destroyed in one stack and created in another: state moves between stacks.
  for (const w of works) {
    for (const [a, r] of w.gone) {
      const id = identityOf(r, w.beforeRes);
      if (id === undefined) continue;
      for (const other of works) {
        if (other === w) continue;
        const hit = [...other.created].find(([, c]) => c.type === r.type && identityOf(c, other.afterRes) === id);
        if (hit) (w.review.notes as string[]).push(`${a} is created again in stack ${other.review.stack} as ${hit[0]}: keep it with a removed block (lifecycle { destroy = false }) here and an import block there`);
      }
    }
  }

  const findings: Finding[] = [];
  const add = (stack: string, address: string, kind: Finding['kind'], message: string) =>
    findings.push({ stack, address, kind, message, acknowledged: acknowledged(ack, stack, address) });
  for (const w of works) {
    const s = w.review.stack;
    for (const a of w.review.destroyed) {
      const why = protection(s, w.beforeRes.get(a)!, 'destroyed');
      if (why) add(s, a, 'protected-destroyed', `destroyed, but ${why}`);
    }
    for (const rep of w.review.replaced) {
      const from = w.review.moved.find((m) => m.to === rep.address)?.from ?? rep.address;
      const why = protection(s, w.beforeRes.get(from)!, 'replaced');
      if (why) add(s, rep.address, 'protected-replaced', `replaced (${rep.attributes.join(', ')}), but ${why}`);
    }
    for (const c of w.review.revoked) add(s, c.address, 'grant-revoked', `revokes ${c.role} from ${c.member} on ${c.resource}`);
    for (const u of w.review.unknown) add(s, u.address, 'replacement-unknown', `changes (${u.attributes.join(', ')}); no replacement rule for ${typeOf(u.address)}, so it may be replaced`);
  }
  return { stacks: works.map((w) => w.review), leftDeployed, findings, blocking: findings.some((f) => !f.acknowledged) };
}
