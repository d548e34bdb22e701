/** The shapes the change review reads and returns (a leaf file: no imports). */

/** A `moved` block: Terraform moves the state of `from` to `to`. */
export interface MovedBlock {
  /** The old address, `TYPE.NAME`. */
  readonly from: string;
  /** The new address, `TYPE.NAME`. */
  readonly to: string;
}

/** A `removed` block: Terraform stops managing `from`; with `lifecycle.destroy = false` it leaves the object in place. */
export interface RemovedBlock {
  /** The address, `TYPE.NAME`. */
  readonly from: string;
  /** `destroy: false` forgets without destroying. */
  readonly lifecycle?: {
    /** Whether Terraform destroys the object. */
    readonly destroy?: boolean;
  };
}

/** An `import` block: Terraform adopts the existing object `id` at address `to`. */
export interface ImportBlock {
  /** The address, `TYPE.NAME`. */
  readonly to: string;
  /** The provider's import id. */
  readonly id: string;
  /** The provider, when not the default one. */
  readonly provider?: string;
}

/** A resource adopted by an `import` block. */
export interface ImportedResource {
  /** `TYPE.NAME`. */
  readonly address: string;
  /** The import id. */
  readonly id: string;
}

/** One synthesized stack as cdktf writes it (`cdktf.out/stacks/NAME/cdk.tf.json`), only the parts the review reads. */
export interface SynthesizedStack {
  /** Resources by type, then by name. */
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  /** `moved` blocks: `{ from: "TYPE.NAME", to: "TYPE.NAME" }`. */
  readonly moved?: readonly MovedBlock[];
  /** `removed` blocks: `{ from: "TYPE.NAME", lifecycle: { destroy: false } }` forgets without destroying. */
  readonly removed?: readonly RemovedBlock[];
  /** `import` blocks: `{ to: "TYPE.NAME", id: "..." }`. */
  readonly import?: readonly ImportBlock[];
  /** Anything else cdktf writes (provider, terraform, output, data, ...) is ignored. */
  readonly [key: string]: unknown;
}

/** Synthesized stacks by stack name. */
export type SynthesizedApp = Readonly<Record<string, SynthesizedStack>>;

/** Options of {@link reviewChanges}. */
export interface ReviewOptions {
  /**
   * Addresses whose destroy, replacement or revoked grant is intended: `TYPE.NAME` (in any stack) or
   * `STACK:TYPE.NAME`. Their findings are reported as acknowledged and do not block.
   * @default - nothing acknowledged
   */
  readonly acknowledge?: readonly string[];
}

/** A resource replaced (destroyed, then created) and the attributes that force it. */
export interface Replacement {
  /** `TYPE.NAME`. */
  readonly address: string;
  /** Attribute paths whose change forces replacement, or `"(replacement unknown)"` for a type without a rule. */
  readonly attributes: readonly string[];
  /** Forced because a referenced resource is replaced or created (its value is known only after apply). */
  readonly because?: readonly string[];
}

/** A resource updated in place. */
export interface Update {
  /** `TYPE.NAME`. */
  readonly address: string;
  /** Top-level attributes that change. */
  readonly attributes: readonly string[];
}

/** A resource whose type has no replacement rule and whose attributes changed: it may be replaced. */
export interface UnknownChange {
  /** `TYPE.NAME`. */
  readonly address: string;
  /** Top-level attributes that change. */
  readonly attributes: readonly string[];
}

/** An IAM member (from a `*_iam_member` resource) granted or revoked. */
export interface IamChange {
  /** `TYPE.NAME` of the `*_iam_member` resource. */
  readonly address: string;
  /** What the role is on: the member resource's parent fields, references resolved to what they name. */
  readonly resource: string;
  /** The role, e.g. `roles/cloudtasks.enqueuer`. */
  readonly role: string;
  /** The member, e.g. `serviceAccount:...`, references resolved. */
  readonly member: string;
}

/** Same object under a new address: a `moved` block keeps it. */
export interface MoveSuggestion {
  /** Address destroyed today. */
  readonly from: string;
  /** Address created instead. */
  readonly to: string;
  /** The HCL `moved` block to add. */
  readonly block: string;
  /** A config setting that keeps the old address instead, when one exists. */
  readonly setting?: string;
}

/** What happens to one stack. */
export interface StackReview {
  /** Stack name. */
  readonly stack: string;
  /** Addresses created. */
  readonly created: readonly string[];
  /** Addresses destroyed. */
  readonly destroyed: readonly string[];
  /** Resources replaced. */
  readonly replaced: readonly Replacement[];
  /** Resources updated in place. */
  readonly updated: readonly Update[];
  /** Changes of types without a replacement rule. */
  readonly unknown: readonly UnknownChange[];
  /** `moved` blocks honoured. */
  readonly moved: readonly MovedBlock[];
  /** Addresses adopted by `import` blocks (not created). */
  readonly imported: readonly ImportedResource[];
  /** Addresses that `removed` blocks drop from state, leaving the real object in place. */
  readonly removedFromState: readonly string[];
  /** IAM members granted. */
  readonly granted: readonly IamChange[];
  /** IAM members revoked. */
  readonly revoked: readonly IamChange[];
  /** Destroy + create pairs that are the same object. */
  readonly suggestions: readonly MoveSuggestion[];
  /** Notes (e.g. a queue name blocked after deletion). */
  readonly notes: readonly string[];
}

/** Why a finding blocks. */
export type FindingKind = 'protected-destroyed' | 'protected-replaced' | 'grant-revoked' | 'replacement-unknown';

/** A change that blocks unless acknowledged. */
export interface Finding {
  /** Stack name. */
  readonly stack: string;
  /** `TYPE.NAME`. */
  readonly address: string;
  /** Why it blocks. */
  readonly kind: FindingKind;
  /** One line for people, about the address (which it does not repeat). */
  readonly message: string;
  /** Listed in `acknowledge`. */
  readonly acknowledged: boolean;
}

/** The review of a whole app. */
export interface ReviewResult {
  /** Stacks in both or only in the new synth, by name order. */
  readonly stacks: readonly StackReview[];
  /** Stacks no longer synthesized: left deployed until `cdktf destroy NAME`. */
  readonly leftDeployed: readonly string[];
  /** Every finding, acknowledged or not. */
  readonly findings: readonly Finding[];
  /** True when an unacknowledged finding exists. */
  readonly blocking: boolean;
}
