/**
 * Rules for a Cloud Run handler's settings, shared by the `TaskHandlerService` construct (which reports
 * its prop names) and the app config (which reports the cdktf.json path or PIPELINE_* variable).
 */
import { CLOUD_RUN_MAX_TIMEOUT_SECONDS, CloudRunIngress, DISPATCH_DEADLINE } from './limits';
import { Problems } from './problems';
import { CLOUD_RUN_MAX_ENV_VARS, cpuCount, memoryMiB, minCpuForMemory, minMemoryForCpu, RULES, runtimeTrustReason, VpcEgress } from './rules';

/** A Secret Manager secret exposed as an environment variable. */
export interface SecretEnvRef {
  /** Secret id in the service's project, or `projects/PROJECT/secrets/ID`. */
  readonly secret: string;
  /** "latest" or a version number. @default "latest" */
  readonly version?: string;
}

/** Direct VPC egress: the service sends traffic into a VPC without a connector. */
export interface VpcAccessSettings {
  /** VPC network name or `projects/P/global/networks/N`. @default - taken from the subnetwork */
  readonly network?: string;
  /** Subnetwork name or `projects/P/regions/R/subnetworks/S`. @default - the subnetwork named like the network */
  readonly subnetwork?: string;
  /** ALL_TRAFFIC or PRIVATE_RANGES_ONLY. @default "PRIVATE_RANGES_ONLY" */
  readonly egress?: VpcEgress;
}

/** The Cloud Run settings both the construct and the app config accept (names as the construct's props). */
export interface CloudRunSettings {
  /** Cloud Run service name: lowercase letters, digits and hyphens, starting with a letter, at most 49 characters. */
  readonly serviceName?: string;
  /** Region, e.g. `us-central1`. */
  readonly location?: string;
  /** Project id. @default - the provider's project */
  readonly project?: string;
  /** Container image reference, e.g. `us-docker.pkg.dev/PROJECT/REPO/handler:1.0`. @default - Google's `hello` sample (`PLACEHOLDER_IMAGE`): it acknowledges every task and drops it, and `npm run deploy` refuses it */
  readonly image?: string;
  /** Path the queue targets, starting with "/" (the handler's `TASKS_PATH`). @default "/tasks" */
  readonly tasksPath?: string;
  /** Longest dispatch deadline of the queues in front, 15-1800 seconds (`TASKS_DISPATCH_DEADLINE_SECONDS`). @default 600 */
  readonly dispatchDeadlineSeconds?: number;
  /** Cloud Run request timeout, >= the dispatch deadline and <= 3600 seconds. @default - the dispatch deadline */
  readonly timeoutSeconds?: number;
  /**
   * Who may reach the service over the network. Internal-only still receives Cloud Tasks from the same
   * project when tasks target the default `run.app` URL.
   * @default "INGRESS_TRAFFIC_INTERNAL_ONLY"
   */
  readonly ingress?: CloudRunIngress;
  /** CPUs per instance: "1", "2", "4", "6", "8", or "0.08"-"1" (then concurrency must be 1). @default - Cloud Run's default ("1") */
  readonly cpu?: string;
  /** Memory per instance, "128Mi"-"32Gi", within Cloud Run's CPU/memory table. @default - Cloud Run's default ("512Mi") */
  readonly memory?: string;
  /** Fewest instances kept warm, 0-1000 (<= maxInstanceCount). @default - Cloud Run's default (0) */
  readonly minInstanceCount?: number;
  /** Most instances, 1-1000. @default - Cloud Run's default (100) */
  readonly maxInstanceCount?: number;
  /** Requests one instance handles at once, 1-1000. @default - Cloud Run's default (80; 1 below 1 CPU) */
  readonly concurrency?: number;
  /** Seconds the handler waits for a request body, 1-300 (`TASKS_BODY_TIMEOUT_SECONDS`; slow clients get 408). @default 10 (the handler's default) */
  readonly bodyTimeoutSeconds?: number;
  /** Connections one handler instance keeps open at most, 1-100000 (`TASKS_MAX_CONNECTIONS`). @default 1000 (the handler's default) */
  readonly maxConnections?: number;
  /**
   * Extra environment variables: names of letters, digits and `_`, not `TASKS_*` (set by the handler construct) nor
   * PORT, K_SERVICE, K_REVISION, K_CONFIGURATION (set by Cloud Run); values up to 32 KB; 1000 at most with secrets.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Secret Manager secrets as environment variables, by variable name. The runtime account gets
   * `roles/secretmanager.secretAccessor` on each secret (and nothing else).
   * @default - none
   */
  readonly secrets?: Record<string, SecretEnvRef>;
  /** Direct VPC egress (network and/or subnetwork, egress setting). @default - no VPC access */
  readonly vpcAccess?: VpcAccessSettings;
  /** Labels on the service: keys and values of lowercase letters, digits, `_` and `-`, at most 64. @default - none */
  readonly labels?: Record<string, string>;
}

/** Every rule for a Cloud Run handler's settings, cross-setting rules included. */
export function checkCloudRunSettings(p: Problems, s: CloudRunSettings): void {
  p.rule('serviceName', s.serviceName, RULES.serviceName)
    .rule('location', s.location, RULES.region)
    .rule('project', s.project, RULES.projectId)
    .rule('image', s.image, RULES.image)
    .rule('tasksPath', s.tasksPath, RULES.path)
    .rule('dispatchDeadlineSeconds', s.dispatchDeadlineSeconds, RULES.dispatchDeadlineSeconds)
    .check('timeoutSeconds', s.timeoutSeconds, (v) => Number.isInteger(v) && v >= 1 && v <= CLOUD_RUN_MAX_TIMEOUT_SECONDS, `whole seconds from 1 to ${CLOUD_RUN_MAX_TIMEOUT_SECONDS}`)
    .rule('ingress', s.ingress, RULES.ingress)
    .rule('cpu', s.cpu, RULES.cpu)
    .rule('memory', s.memory, RULES.memory)
    .rule('minInstanceCount', s.minInstanceCount, RULES.minInstances)
    .rule('maxInstanceCount', s.maxInstanceCount, RULES.maxInstances)
    .rule('concurrency', s.concurrency, RULES.concurrency)
    .rule('bodyTimeoutSeconds', s.bodyTimeoutSeconds, RULES.bodyTimeoutSeconds)
    .rule('maxConnections', s.maxConnections, RULES.maxConnections);

  const deadline = s.dispatchDeadlineSeconds ?? DISPATCH_DEADLINE.default;
  if (p.known(s.timeoutSeconds) && p.known(deadline)) {
    p.fail('timeoutSeconds', s.timeoutSeconds, `>= ${p.nameOf('dispatchDeadlineSeconds')} (${deadline}): Cloud Run would cut requests Cloud Tasks is still waiting for`, s.timeoutSeconds < deadline);
  }
  if (p.known(s.minInstanceCount) && p.known(s.maxInstanceCount)) {
    p.fail('minInstanceCount', s.minInstanceCount, `<= ${p.nameOf('maxInstanceCount')} (${s.maxInstanceCount})`, s.minInstanceCount > s.maxInstanceCount);
  }
  checkCpuAndMemory(p, s);

  const env = s.environment ?? {};
  const secrets = s.secrets ?? {};
  for (const [name, value] of Object.entries(env)) {
    checkEnvName(p, `environment.${name}`, name).rule(`environment.${name}`, value, RULES.envValue);
  }
  for (const [name, ref] of Object.entries(secrets)) {
    checkEnvName(p, `secrets.${name}`, name)
      .rule(`secrets.${name}.secret`, ref?.secret, RULES.secret)
      .rule(`secrets.${name}.version`, ref?.version, RULES.secretVersion);
    p.fail(`secrets.${name}`, name, `a variable not also set in ${p.nameOf('environment')} (one source per variable)`, name in env);
  }
  const count = Object.keys(env).length + Object.keys(secrets).length;
  p.fail('environment', `${count} variables`, `at most ${CLOUD_RUN_MAX_ENV_VARS} variables, secrets included (Cloud Run's limit)`, count > CLOUD_RUN_MAX_ENV_VARS);

  const vpc = s.vpcAccess;
  if (vpc) {
    p.rule('vpcAccess.network', vpc.network, RULES.network)
      .rule('vpcAccess.subnetwork', vpc.subnetwork, RULES.subnetwork)
      .rule('vpcAccess.egress', vpc.egress, RULES.egress);
    p.fail('vpcAccess', vpc, 'a network or a subnetwork (Direct VPC egress needs at least one)', vpc.network === undefined && vpc.subnetwork === undefined);
  }
  checkLabels(p, 'labels', s.labels);
}

/** A handler variable name: a variable that changes the runtime's trust is refused with its reason, others follow RULES.envName. */
function checkEnvName(p: Problems, prop: string, name: string): Problems {
  const reason = runtimeTrustReason(name);
  if (reason !== undefined) return p.fail(prop, name, `a variable other than ${name.toUpperCase()}, refused because ${reason} (bake a real need into the image)`);
  return p.rule(prop, name, RULES.envName);
}

function checkCpuAndMemory(p: Problems, s: CloudRunSettings): void {
  // Unset values are Cloud Run's defaults (1 CPU, 512 MiB), which the table applies to as well.
  const cpuText = s.cpu ?? '1';
  const memoryText = s.memory ?? '512Mi';
  if (!p.known(cpuText) || !RULES.cpu.ok(cpuText) || !p.known(memoryText) || !RULES.memory.ok(memoryText)) return;
  if (s.cpu === undefined && s.memory === undefined) return;
  const cpu = cpuCount(cpuText)!;
  const mib = memoryMiB(memoryText)!;
  const shown = (value: string | undefined, fallback: string) => value ?? `${fallback} (the default)`;
  p.fail('concurrency', s.concurrency, `1 when ${p.nameOf('cpu')} is below 1 (it is "${cpuText}"; Cloud Run's rule)`, cpu < 1 && p.known(s.concurrency) && s.concurrency !== 1);
  p.fail('memory', shown(s.memory, '512Mi'), `at least ${minMemoryForCpu(cpu)} MiB when ${p.nameOf('cpu')} is "${cpuText}" (Cloud Run's CPU and memory table)`, mib < minMemoryForCpu(cpu));
  p.fail('cpu', shown(s.cpu, '1'), `at least ${minCpuForMemory(mib)} when ${p.nameOf('memory')} is "${memoryText}" (Cloud Run's CPU and memory table)`, cpu < minCpuForMemory(mib));
}

/** Label keys and values as Google Cloud accepts them, at most 64. */
export function checkLabels(p: Problems, prop: string, labels: Record<string, string> | undefined): void {
  if (!labels) return;
  for (const [key, value] of Object.entries(labels)) {
    p.rule(`${prop}.${key}`, key, RULES.labelKey).rule(`${prop}.${key}`, value, RULES.labelValue);
  }
  p.rule(prop, labels, RULES.labels);
}
