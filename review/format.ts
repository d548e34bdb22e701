/** The review as text for people: one line per change, grouped by stack; quiet when nothing changes. */
import type { ReviewResult, StackReview } from './types';

function counts(s: StackReview): string {
  const parts = [
    [s.created.length, 'create'],
    [s.updated.length, 'update in place'],
    [s.replaced.length, 'replace'],
    [s.destroyed.length, 'destroy'],
    [s.moved.length, 'move'],
    [s.imported.length, 'import'],
    [s.removedFromState.length, 'forget (left in place)'],
    [s.unknown.length, 'change (replacement unknown)'],
  ] as const;
  return parts.filter(([n]) => n > 0).map(([n, what]) => `${n} to ${what}`).join(', ');
}

const isEmpty = (s: StackReview) =>
  [s.created, s.updated, s.replaced, s.destroyed, s.moved, s.imported, s.removedFromState, s.unknown, s.granted, s.revoked].every((l) => l.length === 0);

/** Renders a review: per stack the changes, grants and suggestions, then what blocks and how to acknowledge it. */
export function formatReview(result: ReviewResult): string {
  const out: string[] = [];
  for (const s of result.stacks) {
    if (isEmpty(s)) continue;
    out.push(`Stack ${s.stack}: ${counts(s) || 'IAM changes only'}`);
    for (const a of s.created) out.push(`  + ${a}`);
    for (const u of s.updated) out.push(`  ~ ${u.address}  (${u.attributes.join(', ')})`);
    for (const r of s.replaced) {
      const because = r.because?.length ? `; because ${r.because.join(', ')} changes` : '';
      out.push(`  -/+ ${r.address}  (forces replacement: ${r.attributes.join(', ')}${because})`);
    }
    for (const a of s.destroyed) out.push(`  - ${a}`);
    for (const u of s.unknown) out.push(`  ? ${u.address}  (changed, replacement unknown: ${u.attributes.join(', ')})`);
    for (const m of s.moved) out.push(`  > ${m.from} -> ${m.to}  (moved)`);
    for (const i of s.imported) out.push(`  <= ${i.address}  (imported: ${i.id})`);
    for (const a of s.removedFromState) out.push(`  x ${a}  (removed from state, left in place)`);
    for (const g of s.granted) out.push(`  IAM + ${g.role} to ${g.member} on ${g.resource}`);
    for (const g of s.revoked) out.push(`  IAM - ${g.role} from ${g.member} on ${g.resource}`);
    for (const n of s.notes) out.push(`  note: ${n}`);
    if (s.suggestions.length > 0) {
      const settings = [...new Set(s.suggestions.flatMap((m) => (m.setting ? [m.setting] : [])))];
      out.push(`  suggestion: ${s.suggestions.length} destroyed resource(s) are the same objects as created ones; keep them with these moved blocks${settings.length ? ` (or set ${settings.join('; ')})` : ''}:`);
      for (const m of s.suggestions) out.push(...m.block.split('\n').map((l) => `    ${l}`));
    }
  }
  for (const n of result.leftDeployed) out.push(`Stack ${n}: no longer synthesized; left deployed until \`cdktf destroy ${n}\``);
  if (out.length === 0) out.push('No changes.');
  const open = result.findings.filter((f) => !f.acknowledged);
  const acked = result.findings.filter((f) => f.acknowledged);
  if (acked.length > 0) out.push('', 'Acknowledged:', ...acked.map((f) => `  ${f.stack}:${f.address}: ${f.message}`));
  if (open.length > 0) {
    out.push('', `Blocking (${open.length}); acknowledge an intended one with --ack STACK:ADDRESS:`, ...open.map((f) => `  ${f.stack}:${f.address}: ${f.message}`));
  }
  return out.join('\n');
}
