/**
 * The example project id the app synthesizes with zero config. Nothing real lives there: synth, deploy and
 * the producer CLI share this one rule and message so the user hears the same thing everywhere.
 */

/** The placeholder project id used when no project is configured. */
export const PLACEHOLDER_PROJECT = 'my-gcp-project';

/** True for the placeholder project id: a stack or a task aimed at it cannot reach a real project. */
export function isPlaceholderProject(project: string | undefined): boolean {
  return project === PLACEHOLDER_PROJECT;
}

/**
 * The words every layer uses for the rule; `what` says what targets the placeholder (e.g. `environment "dev"`),
 * and each caller appends its own remedy (a setting to change, a flag to pass).
 */
export function placeholderProjectMessage(what: string): string {
  return `${what} uses the placeholder project "${PLACEHOLDER_PROJECT}"`;
}

/**
 * Google's public `hello` sample, the handler image when none is configured: synth and plan work before the
 * handler is built. It answers 200 to any POST, so every task dispatched to it is acknowledged and lost:
 * `npm run deploy` refuses it like the placeholder project.
 */
export const PLACEHOLDER_IMAGE = 'us-docker.pkg.dev/cloudrun/container/hello';

/** True for the placeholder image (or no image, which means it). */
export function isPlaceholderImage(image: string | undefined): boolean {
  return image === undefined || image === PLACEHOLDER_IMAGE;
}
