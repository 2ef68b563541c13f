// Regenerates the typed grafana/grafana bindings in .gen/providers/grafana with cdktf's own
// generator (the code path of `cdktf get`), from a `terraform providers schema -json` dump:
//   npm run gen:grafana -- ../shared/provider-schemas/grafana-4.45.1.json [version]
// Only the provider block and the resources the Grafana stack uses are generated: the full
// provider would add ~110 resources and 50 data sources nobody imports.
import { generateProviderBindingsFromSchema } from "@cdktf/provider-generator";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";

export const GRAFANA_PROVIDER = "registry.terraform.io/grafana/grafana";
export const GRAFANA_RESOURCES = [
  "grafana_folder",
  "grafana_data_source",
  "grafana_dashboard",
  "grafana_contact_point",
  "grafana_notification_policy",
  "grafana_mute_timing",
  "grafana_message_template",
  "grafana_rule_group",
] as const;
export const GEN_DIR = path.resolve(__dirname, "..", ...(path.basename(path.dirname(__dirname)) === "dist" ? [".."] : []), ".gen");

/** The provider's version: given, or read from a file named like grafana-4.45.1.json. */
export function schemaVersion(schemaFile: string, given?: string): string {
  const version = given ?? /-(\d+\.\d+\.\d+)\.json$/.exec(schemaFile)?.[1];
  if (!version) throw new Error(`cannot tell the provider version from ${schemaFile}: name it grafana-<version>.json or pass the version as the second argument`);
  return version;
}

/**
 * The schema cut down to what we generate. `provider_versions` is what `cdktf get` adds from the
 * lock file; with it the provider class pins required_providers to this exact version.
 */
export function restrictSchema(schema: any, version: string): any {
  const provider = schema.provider_schemas?.[GRAFANA_PROVIDER];
  if (!provider) throw new Error(`no ${GRAFANA_PROVIDER} in the schema (found: ${Object.keys(schema.provider_schemas ?? {}).join(", ") || "nothing"})`);
  const missing = GRAFANA_RESOURCES.filter((r) => !provider.resource_schemas?.[r]);
  if (missing.length) throw new Error(`the schema lacks ${missing.join(", ")}`);
  return {
    format_version: schema.format_version,
    provider_schemas: {
      [GRAFANA_PROVIDER]: {
        provider: provider.provider,
        resource_schemas: Object.fromEntries(GRAFANA_RESOURCES.map((r) => [r, provider.resource_schemas[r]])),
      },
    },
    provider_versions: { [GRAFANA_PROVIDER]: version },
  };
}

/** Generates into `outDir/providers/grafana` (cdktf's layout). */
export async function generateGrafanaBindings(schemaFile: string, outDir: string, version?: string): Promise<void> {
  const schema = JSON.parse(readFileSync(schemaFile, "utf8"));
  await generateProviderBindingsFromSchema(outDir, restrictSchema(schema, schemaVersion(schemaFile, version)));
}

/** Generates next to the committed bindings, then swaps them in, so a failure leaves them intact. */
async function main(): Promise<void> {
  const [schemaFile, version] = process.argv.slice(2);
  if (!schemaFile) throw new Error("usage: npm run gen:grafana -- <grafana provider schema .json> [version]");
  mkdirSync(path.join(GEN_DIR, "tmp"), { recursive: true });
  const staging = mkdtempSync(path.join(GEN_DIR, "tmp", "grafana-"));
  try {
    await generateGrafanaBindings(schemaFile, staging, version);
    const target = path.join(GEN_DIR, "providers", "grafana");
    rmSync(target, { recursive: true, force: true });
    cpSync(path.join(staging, "providers", "grafana"), target, { recursive: true });
    process.stdout.write(`wrote ${path.relative(process.cwd(), target)} from ${schemaFile}\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (require.main === module)
  main().catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
