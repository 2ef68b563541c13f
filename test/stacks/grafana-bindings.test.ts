// The committed grafana bindings (.gen/providers/grafana) are exactly what cdktf's generator makes
// from the provider's schema: nobody edited them by hand, and `npm run gen:grafana` reproduces them.
// The schema lives outside the repository (../shared/provider-schemas); without it the comparison
// is skipped with a message saying so, and the other checks still run.
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { GEN_DIR, GRAFANA_RESOURCES, generateGrafanaBindings, restrictSchema, schemaVersion } from "../../scripts/gen-grafana-bindings";
import { ROOT, filesUnder, tempDir } from "../support";

const SCHEMA = path.resolve(ROOT, "..", "shared", "provider-schemas", "grafana-4.45.1.json");
const COMMITTED = path.join(GEN_DIR, "providers", "grafana");

test("the bindings hold the provider and exactly the resources the Grafana stack uses", () => {
  const folders = readdirSync(COMMITTED).filter((f) => statSync(path.join(COMMITTED, f)).isDirectory());
  const expected = [...GRAFANA_RESOURCES.map((r) => r.replace(/^grafana_/, "").replace(/_/g, "-")), "provider"];
  expect(folders.sort()).toEqual(expected.sort());
  // Pinned like `cdktf get` pins: the synthesized required_providers name this exact version.
  expect(readFileSync(path.join(COMMITTED, "provider", "index.ts"), "utf8")).toContain("providerVersion: '4.45.1'");
});

test("the provider version comes from the schema file's name unless given", () => {
  expect(schemaVersion("/x/grafana-4.45.1.json")).toBe("4.45.1");
  expect(schemaVersion("/x/schema.json", "4.46.0")).toBe("4.46.0");
  expect(() => schemaVersion("/x/schema.json")).toThrow(/pass the version/);
  expect(() => restrictSchema({ provider_schemas: {} }, "1.0.0")).toThrow(/no registry.terraform.io\/grafana\/grafana/);
});

const describeWithSchema = existsSync(SCHEMA) ? describe : describe.skip;
if (!existsSync(SCHEMA))
  console.warn(`SKIPPED: committed grafana bindings vs generator output — ${SCHEMA} is absent (it is not part of the repository).`);

describeWithSchema(`committed bindings equal the generator's output from ${path.relative(ROOT, SCHEMA)}`, () => {
  let generated: Record<string, string>;
  let out: string;
  beforeAll(async () => {
    out = tempDir("grafana-bindings");
    await generateGrafanaBindings(SCHEMA, out);
    generated = filesUnder(path.join(out, "providers", "grafana"));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test("same files, byte for byte", () => {
    const committed = filesUnder(COMMITTED);
    expect(Object.keys(committed)).toEqual(Object.keys(generated));
    for (const f of Object.keys(generated)) expect([f, committed[f] === generated[f]]).toEqual([f, true]);
  });
});
