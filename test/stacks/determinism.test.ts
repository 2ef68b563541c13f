// Reviewers read plan diffs: the same model must synthesize byte for byte, cosmetic edits and
// reordering must not move resources, and no secret may reach the output.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { EXAMPLES, filesUnder, synthToTemp, tempDir } from "../support";

/** Every resource address (type.name) of every stack, and each resource's body. */
function resources(stacks: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [stack, json] of Object.entries(stacks))
    for (const [type, byName] of Object.entries<Record<string, unknown>>(json.resource ?? {}))
      for (const [name, body] of Object.entries(byName)) out[`${stack}/${type}.${name}`] = body;
  return out;
}

function writeVariant(file: string, change: (model: any) => void): string {
  const model = yaml.load(readFileSync(file, "utf8")) as any;
  change(model);
  const out = path.join(tempDir("variant"), path.basename(file));
  writeFileSync(out, yaml.dump(model));
  return out;
}

const reversed = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).reverse());

describe.each(Object.entries(EXAMPLES))("%s example", (_name, file) => {
  const first = synthToTemp(file, "det-a");

  test("synthesizing twice gives byte-identical output", () => {
    const second = synthToTemp(file, "det-b");
    const a = filesUnder(first.outdir);
    const b = filesUnder(second.outdir);
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const f of Object.keys(a)) expect([f, b[f]]).toEqual([f, a[f]]);
  });

  test("reordering services, receivers, alerts and alarms changes nothing at all", () => {
    const variant = writeVariant(file, (m) => {
      for (const key of ["services", "receivers", "alerts", "alarms", "dashboards"]) if (m[key]) m[key] = reversed(m[key]);
    });
    expect(resources(synthToTemp(variant, "det-order").stacks)).toEqual(resources(first.stacks));
  });

  test("renaming a dashboard title or a summary changes no resource address", () => {
    const variant = writeVariant(file, (m) => {
      for (const d of Object.values<any>(m.dashboards ?? {})) d.title = `${d.title} (renamed)`;
      for (const a of Object.values<any>(m.alerts ?? {})) a.summary = `${a.summary} (reworded)`;
    });
    expect(Object.keys(resources(synthToTemp(variant, "det-title").stacks))).toEqual(Object.keys(resources(first.stacks)));
  });

  test("no secret value appears in any synthesized file", () => {
    const secretShaped = [
      /hooks\.slack\.com\/services\//,
      /oapi\.dingtalk\.com\/robot\/send\?access_token=/,
      /access_token=[0-9a-f]{16,}/,
      /events\.pagerduty\.com\/integration\/[0-9a-f]{32}/,
      /\bSEC[0-9a-f]{40,}/,
      /"routing_key"\s*:/,
      /"webhook_url"\s*:/,
      /"signing_secret"\s*:/,
    ];
    for (const [f, text] of Object.entries(filesUnder(first.outdir))) for (const re of secretShaped) expect([f, re.test(text)]).toEqual([f, false]);
  });
});
