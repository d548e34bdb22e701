import type { Rule } from './rules';

/**
 * Collects every invalid input before failing, so a user fixes all of them in one round.
 * Messages read "'prop' must be ALLOWED, got VALUE".
 */
/** One invalid input: the property as the user wrote it, the value, and what is allowed. */
export interface Problem {
  /** The property's path as the user wrote it, e.g. `rateLimits.maxDispatchesPerSecond`. */
  readonly prop: string;
  /** The value received. */
  readonly value: unknown;
  /** What is allowed, e.g. `a number > 0 and <= 500`. */
  readonly allowed: string;
}

/** Every problem of one subject (a construct path or the app config), thrown as one error. */
export class ValidationError extends Error {
  constructor(
    /** What was validated, e.g. `props for 'dev/Pipeline/Queue'`. */
    readonly subject: string,
    /** Each problem found. */
    readonly problems: readonly Problem[],
  ) {
    // One line per distinct problem: a setting shared by several checks is reported once.
    const lines = [...new Set(problems.map((p) => `  - '${p.prop}' must be ${p.allowed}, got ${show(p.value)}`))];
    super(`Invalid ${subject}:\n${lines.join('\n')}`);
    this.name = 'ValidationError';
  }
}

/** A collector of problems: check everything, then throw one {@link ValidationError}. */
export class Problems {
  /**
   * @param isUnresolved values this returns true for are skipped (synth time passes cdktf's
   *   `Token.isUnresolved`; run time has no tokens).
   * @param found where problems go (shared by `renamed` views)
   * @param name turns a checker's prop name into the name the user wrote
   */
  constructor(
    private readonly isUnresolved: (value: unknown) => boolean = () => false,
    private readonly found: Problem[] = [],
    private readonly name: (prop: string) => string = (prop) => prop,
  ) {}

  /**
   * A view that records into the same list under other names: the app config runs the constructs'
   * checkers and reports each prop as the cdktf.json path or PIPELINE_* variable it came from.
   */
  renamed(name: (prop: string) => string): Problems {
    return new Problems(this.isUnresolved, this.found, (prop) => name(this.name(prop)));
  }

  /** The name a prop is reported under (rules across props name the other prop this way). */
  nameOf(prop: string): string {
    return this.name(prop);
  }

  /** Records a problem unless `value` is undefined, unresolved, or passes the shared rule. */
  rule<T>(prop: string, value: T | undefined, r: Rule<T>): this {
    return this.check(prop, value, r.ok, r.allowed);
  }

  /**
   * Records a problem unless `value` is undefined, unresolved, or passes `ok`.
   * `ok` only runs on concrete values, so it can assume the declared type.
   */
  check<T>(prop: string, value: T | undefined, ok: (value: T) => boolean, allowed: string): this {
    if (value === undefined || this.isUnresolved(value)) return this;
    if (!ok(value)) this.found.push({ prop: this.name(prop), value, allowed });
    return this;
  }

  /** Records a problem when `failed` is true (for rules across several props). */
  fail(prop: string, value: unknown, allowed: string, failed = true): this {
    if (failed) this.found.push({ prop: this.name(prop), value, allowed });
    return this;
  }

  /** True when `value` is a concrete value (not undefined, not an unresolved token). */
  known<T>(value: T | undefined): value is T {
    return value !== undefined && !this.isUnresolved(value);
  }

  /** The problems found so far. */
  get list(): readonly Problem[] {
    return this.found;
  }

  /** Throws one ValidationError listing every problem, if there are any. */
  throwIfAny(subject: string): void {
    if (this.found.length > 0) throw new ValidationError(subject, this.found);
  }
}

/** Longest value shown in a message; longer ones are cut and their length given. */
export const MAX_SHOWN_CHARS = 80;

/** A value as a message shows it: JSON, cut to a readable length (an 80 KB header stays one line). */
export function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) return String(value);
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  const cut = text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
  const shown = typeof value === 'string' ? JSON.stringify(cut) : cut;
  return text.length > MAX_SHOWN_CHARS ? `${shown} (${text.length} characters)` : shown;
}
