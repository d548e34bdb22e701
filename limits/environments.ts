/**
 * Environments as the commands see them: each environment is a stack of its name, beside one foundation stack per
 * project. Shared by the app config, the producer CLIs and the dev server, so they agree on names and defaults.
 */

/** Stack names of project foundations start with this; environment names may not. */
export const FOUNDATION_STACK_PREFIX = 'project-';

/**
 * The environment a command uses when none is named (`--env` of `npm run enqueue` and `npm run dead-letters`,
 * `--stack` of `npm run dev`): the first environment by name, never a project foundation stack. Undefined when
 * there is none.
 */
export function defaultEnvironment(names: Iterable<string>): string | undefined {
  return [...names].filter((n) => !n.startsWith(FOUNDATION_STACK_PREFIX)).sort()[0];
}
