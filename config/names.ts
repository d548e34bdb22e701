import { Problems } from '../limits';
import type { ResolvedEnvironment } from './environment';

/**
 * Rejects two resources, in any environments, that would get the same GCP name: the second is reported
 * where its name was decided, naming the first and where that one was decided.
 */
export function checkDistinctNames(p: Problems, environments: readonly ResolvedEnvironment[]): void {
  const seen = new Map<string, { what: string; origin: string; env: string }>();
  // One line per pair of places: a clashing queue id also clashes in the names derived from it.
  const reported = new Set<string>();
  for (const env of environments) {
    for (const r of env.resources) {
      const first = seen.get(r.gcpName);
      if (!first) {
        seen.set(r.gcpName, { ...r, env: env.name });
        continue;
      }
      const pair = `${first.origin}\n${r.origin}`;
      if (first.what === r.what || reported.has(pair)) continue;
      reported.add(pair);
      // Two environments in one project: one setting renames all of an environment's resources.
      const hint = first.env === env.name ? '' : `; or give environment "${env.name}" a namePrefix (context.pipeline.environments.${env.name}.namePrefix, e.g. "${env.name}-"): it starts every GCP name of that environment`;
      p.fail(r.origin, r.value, `a name that gives ${r.what} its own ${r.kind}: ${first.what} (${first.origin}) already gets ${r.gcpName}${hint}`);
    }
  }
}
