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
    super(
      `Invalid ${subject}:\n` +
        problems.map((p) => `  - '${p.prop}' must be ${p.allowed}, got ${show(p.value)}`).join('\n'),
    );
    this.name = 'ValidationError';
  }
}

/** A collector of problems: check everything, then throw one {@link ValidationError}. */
export class Problems {
  private readonly found: Problem[] = [];

  /**
   * @param isUnresolved values this returns true for are skipped (synth time passes cdktf's
   *   `Token.isUnresolved`; run time has no tokens).
   */
  constructor(private readonly isUnresolved: (value: unknown) => boolean = () => false) {}

  /**
   * Records a problem unless `value` is undefined, unresolved, or passes `ok`.
   * `ok` only runs on concrete values, so it can assume the declared type.
   */
  check<T>(prop: string, value: T | undefined, ok: (value: T) => boolean, allowed: string): this {
    if (value === undefined || this.isUnresolved(value)) return this;
    if (!ok(value)) this.found.push({ prop, value, allowed });
    return this;
  }

  /** Records a problem when `failed` is true (for rules across several props). */
  fail(prop: string, value: unknown, allowed: string, failed = true): this {
    if (failed) this.found.push({ prop, value, allowed });
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

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
