import { TerraformElement } from 'cdktf';
import { Construct } from 'constructs';

/**
 * A Terraform `removed` block with `lifecycle { destroy = false }`: Terraform forgets the resource that
 * was at this construct's address (its state entry) without destroying the real thing. Place it where the
 * resource's construct used to be, so its address is the one the old resource had. A block for an address
 * that is not in state does nothing.
 *
 * cdktf 0.21 has no `removed` support, so this element writes the JSON block itself. (Its HCL form is added
 * by `npm run synth:hcl`, which reads it from the JSON synth.)
 */
export class RemovedResource extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    /** Resource type, e.g. `google_project_iam_member`. */
    readonly resourceType: string,
  ) {
    super(scope, id, 'removed');
  }

  /** The address Terraform forgets, `TYPE.NAME`. */
  get address(): string {
    return `${this.resourceType}.${this.friendlyUniqueId}`;
  }

  override toTerraform(): Record<string, unknown> {
    return { removed: [{ from: this.address, lifecycle: { destroy: false } }] };
  }

  override toHclTerraform(): Record<string, unknown> {
    return {};
  }
}
