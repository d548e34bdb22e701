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
 * The warning shown when the placeholder project is targeted; `what` says what targets it
 * (e.g. `environment "dev"`).
 */
export function placeholderProjectMessage(what: string): string {
  return (
    `${what} uses the placeholder project "${PLACEHOLDER_PROJECT}": set "project" in cdktf.json ` +
    `(context.pipeline, or per environment) or PIPELINE_PROJECT to your project id`
  );
}
