// What `npm run synth:hcl` adds to or fixes in cdktf 0.21's HCL (see scripts/synth-hcl.js). Kept apart so the
// tests can check each piece with Terraform itself.
'use strict';

/** One `removed` block in HCL. */
function removedHcl(block) {
  return `\n\nremoved {\n  from = ${block.from}\n  lifecycle {\n    destroy = ${block.lifecycle.destroy}\n  }\n}\n`;
}

/** One `moved` block in HCL. */
function movedHcl(block) {
  return `\n\nmoved {\n  from = ${block.from}\n  to   = ${block.to}\n}\n`;
}

/** `N = "KEY"` lines cdktf writes for the terraform block's plain attributes → `KEY = VALUE` (string values). */
function fixTerraformAttributes(hcl, terraform) {
  const blocks = ['required_providers', 'backend', 'cloud'];
  return hcl.replace(/^(\s*)\d+ = "([\w-]+)"$/gm, (line, indent, key) =>
    !blocks.includes(key) && typeof terraform?.[key] === 'string' ? `${indent}${key} = ${JSON.stringify(terraform[key])}` : line,
  );
}

/** `provider = "google-beta"` → `provider = google-beta` (a reference; quoted ones are deprecated). */
function unquoteProvider(hcl) {
  return hcl.replace(/^(\s*)provider = "([\w-]+(?:\.[\w-]+)?)"$/gm, '$1provider = $2');
}

/** `depends_on = ["a.b", ...]` → `depends_on = [a.b, ...]`. */
function unquoteDependsOn(hcl) {
  return hcl.replace(/depends_on = \[([^\]]*)\]/g, (_all, list) => `depends_on = [${list.replace(/"([\w-]+\.[\w-]+)"/g, '$1')}]`);
}

module.exports = { fixTerraformAttributes, movedHcl, removedHcl, unquoteDependsOn, unquoteProvider };
