import { TerraformElement, TerraformResource, TerraformStack } from 'cdktf';
// cdktf's own logical-id function (what `TerraformStack.allocateLogicalId` calls), so a former address is
// computed exactly as cdktf computed it when that construct id was current.
import { makeUniqueId } from 'cdktf/lib/private/unique';
import { Construct, IConstruct } from 'constructs';

/**
 * Terraform `moved` blocks for every resource under `target`, from the addresses those resources had when
 * `target` carried another construct id (`formerIds`, oldest first), so a change of construct id moves state
 * instead of destroying and re-creating. Consecutive ids chain (`formerIds[0]` → `formerIds[1]` → ... →
 * `target`): Terraform follows a chain, but refuses two blocks that move different addresses to the same one
 * ("Ambiguous move statements", checked with Terraform 1.11.4), so every former id gets one link of the chain.
 *
 * A block whose `from` is not in state does nothing; a block whose `from` and `to` are both in state is
 * skipped (the `from` object is then planned for destroy as it would be without the block). Both checked
 * offline with `terraform_data` (test/moved-blocks-terraform.test.ts).
 *
 * The blocks are computed at synth time, so resources added to `target` after this element (later grants)
 * move too. Not cdktf's `moveFromId`: one `moved` per resource, no chains.
 */
export class MovedResources extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    /** The construct whose resources moved (a direct child of its stack). */
    readonly target: IConstruct,
    /** Construct ids `target` had before, oldest first. */
    readonly formerIds: readonly string[],
  ) {
    super(scope, id, 'moved');
    const stack = TerraformStack.of(target);
    if (target.node.scope !== stack) throw new Error(`MovedResources: '${target.node.path}' must be a direct child of its stack`);
    const clash = formerIds.find((former) => former === target.node.id || stack.node.tryFindChild(former) !== undefined);
    if (clash !== undefined) throw new Error(`MovedResources: '${clash}' is still a construct of stack '${stack.node.path}': resources cannot move from an address that is in the configuration`);
  }

  /** The `moved` blocks, `{ from, to }` addresses (`TYPE.NAME`), in chain order per resource. */
  get moves(): {
    /** The old address, `TYPE.NAME`. */
    from: string;
    /** The new address, `TYPE.NAME`. */
    to: string;
  }[] {
    const chain = [...this.formerIds, this.target.node.id];
    const all = this.target.node.findAll();
    // A grant's construct id names its grantee by construct path ("runinvoker-Pipeline-Enqueuer", see grantId in
    // ./principal): a grantee inside `target` moved with it, so its path part carries the former id too.
    const inside = new Set(all.filter((c) => c !== this.target).map((c) => idText(c.node.path.slice(this.target.node.path.length + 1))));
    const rename = (id: string, top: string) => {
      const m = /^([A-Za-z0-9]+)-(.+)$/.exec(id);
      const prefix = `${idText(this.target.node.id)}-`;
      if (!m || !m[2].startsWith(prefix) || !inside.has(m[2].slice(prefix.length))) return id;
      return `${m[1]}-${idText(top)}-${m[2].slice(prefix.length)}`;
    };
    const resources = all.filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c));
    return resources.flatMap((r) => {
      const below = r.node.scopes.slice(r.node.scopes.indexOf(this.target) + 1).map((c) => c.node.id);
      const address = (top: string) => `${r.terraformResourceType}.${makeUniqueId([top, ...below.map((id) => rename(id, top))])}`;
      return chain.slice(0, -1).map((from, i) => ({ from: address(from), to: address(chain[i + 1]) }));
    });
  }

  /** The stack's `moved` blocks (none when the target never had another id). */
  override toTerraform(): Record<string, unknown> {
    const moves = this.moves;
    return moves.length > 0 ? { moved: moves } : {};
  }

  /** Nothing: `npm run synth:hcl` copies the `moved` blocks from the JSON synth (as it does `removed`). */
  override toHclTerraform(): Record<string, unknown> {
    return {};
  }
}

/** A construct path as grant ids spell it (runs of other characters as one "-"). */
function idText(path: string): string {
  return path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
