// Running the real `terraform` CLI against synthesized stacks, fully offline: the hashicorp/aws
// provider comes from a local filesystem mirror, S3 backends are swapped for a local one and the
// provider gets fake credentials, so `init`, `validate`, `plan` and `show` never touch the network.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { requireTool, tempDir } from "./support";

export const MIRROR_ENV = "TF_PROVIDER_MIRROR";
export const AWS_PROVIDER = "registry.terraform.io/hashicorp/aws";

/** Test-only override file: Terraform merges `*_override.tf.json` over the stack's own config. */
export const OFFLINE_OVERRIDE_FILE = "zz_offline_override.tf.json";
const OFFLINE_OVERRIDE_PARKED = "zz_offline_override.json.parked";

export interface Terraform {
  bin: string;
  /** Temp dir holding the CLI config and one working directory per stack. */
  root: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The terraform binary plus an environment that installs hashicorp/aws only from the mirror named
 * by $TF_PROVIDER_MIRROR. Fails (never skips) when the tool or the mirror is missing.
 */
export function offlineTerraform(awsProviderVersion: string): Terraform {
  const bin = requireTool("terraform", "install Terraform ≥ 1.10 (.ci/run puts it on the PATH)");
  const mirror = process.env[MIRROR_ENV];
  if (!mirror)
    throw new Error(
      `${MIRROR_ENV} is not set. Point it at the local provider mirror, the directory that contains ` +
        `"registry.terraform.io/" (with hashicorp/aws ${awsProviderVersion} inside), e.g.\n` +
        `  export ${MIRROR_ENV}="$(find / -path /proc -prune -o -type f -path '*/${AWS_PROVIDER}/*' -name 'terraform-provider-aws*' -print -quit 2>/dev/null | sed 's#/registry\\.terraform\\.io/.*##')"\n` +
        `(.ci/run discovers and exports it). To create a mirror on a machine with network access: ` +
        `terraform providers mirror <dir> in a synthesized stack directory.`,
    );
  const providerDir = path.join(path.resolve(mirror), ...AWS_PROVIDER.split("/"));
  const entries = existsSync(providerDir) ? readdirSync(providerDir) : [];
  // Unpacked layout: <version>/<os_arch>/…; packed layout: terraform-provider-aws_<version>_<os_arch>.zip
  if (!entries.some((e) => e === awsProviderVersion || e.startsWith(`terraform-provider-aws_${awsProviderVersion}_`)))
    throw new Error(
      `${MIRROR_ENV}=${mirror} holds no ${AWS_PROVIDER} ${awsProviderVersion} (looked in ${providerDir}, found: ${entries.join(", ") || "nothing"}). ` +
        `${MIRROR_ENV} must be the directory that contains "registry.terraform.io/".`,
    );

  const root = tempDir("terraform");
  const cliConfig = path.join(root, "offline.tfrc");
  writeFileSync(
    cliConfig,
    `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(path.resolve(mirror))}
    include = ["${AWS_PROVIDER}"]
  }
  direct {
    exclude = ["${AWS_PROVIDER}"]
  }
}
`,
  );
  // Nothing from the caller's Terraform or AWS setup leaks in (TF_CLI_CONFIG_FILE may point at a
  // missing file, TF_CLI_ARGS/TF_DATA_DIR/TF_WORKSPACE would change behaviour, real AWS credentials
  // or profiles must never be used by a test). No TF_PLUGIN_CACHE_DIR: init links an unpacked mirror
  // in place, whereas a cache would first copy the ~700 MB provider binary.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TF_|AWS_)/.test(k)));
  const noFile = path.join(root, "absent");
  Object.assign(env, {
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake-secret-access-key",
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: noFile,
    AWS_SHARED_CREDENTIALS_FILE: noFile,
    AWS_EC2_METADATA_DISABLED: "true",
  });
  return { bin, root, env };
}

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs terraform asynchronously (stacks proceed in parallel); resolves even on a non-zero exit. */
export function terraformRaw(tf: Terraform, cwd: string, args: string[]): Promise<TerraformResult> {
  return new Promise((resolve, reject) => {
    execFile(tf.bin, [...args, "-no-color"], { cwd, env: tf.env, encoding: "utf8", maxBuffer: 256 << 20 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(new Error(`terraform ${args.join(" ")} in ${cwd}: ${error.message}`));
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** Runs terraform and returns stdout; a non-zero exit rejects with readable (line-shortened) output. */
export async function terraform(tf: Terraform, cwd: string, args: string[]): Promise<string> {
  const r = await terraformRaw(tf, cwd, args);
  if (r.code !== 0) throw new Error(`terraform ${args.join(" ")} failed (exit ${r.code}) in ${cwd}:\n${shorten(r.stdout + r.stderr)}`);
  return r.stdout;
}

/** Terraform echoes the offending source line, which for rule files is one huge JSON string. */
export function shorten(text: string, maxLine = 400, maxTotal = 20000): string {
  const out = text
    .split("\n")
    .map((l) => (l.length > maxLine ? `${l.slice(0, maxLine)} …[${l.length - maxLine} more chars]` : l))
    .join("\n");
  return out.length > maxTotal ? `${out.slice(0, maxTotal)}\n…[truncated]` : out;
}

/**
 * A working copy of one synthesized stack with the offline override next to it: a local backend
 * (an override's backend block replaces the stack's S3/local one) and provider settings that keep
 * the AWS provider from calling STS/IMDS. `allowed_account_ids` is nulled because with
 * skip_requesting_account_id the provider knows no account and would reject every plan;
 * the stack's own value is asserted on the synthesized JSON instead.
 */
export function offlineStackDir(tf: Terraform, outdir: string, stack: string, workName = stack): string {
  const dir = path.join(tf.root, workName);
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), path.join(dir, "cdk.tf.json"));
  const override = {
    terraform: { backend: { local: { path: path.join(dir, "terraform.tfstate") } } },
    provider: {
      aws: [
        {
          allowed_account_ids: null,
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
          skip_region_validation: true,
        },
      ],
    },
  };
  writeFileSync(path.join(dir, OFFLINE_OVERRIDE_FILE), JSON.stringify(override, null, 2));
  return dir;
}

/** Runs `fn` with the offline override moved aside, so it sees exactly the synthesized config. */
export async function withoutOfflineOverride<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  renameSync(path.join(dir, OFFLINE_OVERRIDE_FILE), path.join(dir, OFFLINE_OVERRIDE_PARKED));
  try {
    return await fn();
  } finally {
    renameSync(path.join(dir, OFFLINE_OVERRIDE_PARKED), path.join(dir, OFFLINE_OVERRIDE_FILE));
  }
}

/** Resources per type in a synthesized cdk.tf.json (cdktf writes no count/for_each here). */
export function synthesizedResourceCounts(stackJson: any): Record<string, number> {
  return sortedRecord(Object.entries(stackJson.resource ?? {}).map(([type, byName]) => [type, Object.keys(byName as object).length]));
}

export function synthesizedAddresses(stackJson: any): string[] {
  return Object.entries(stackJson.resource ?? {})
    .flatMap(([type, byName]) => Object.keys(byName as object).map((name) => `${type}.${name}`))
    .sort();
}

export function countByType(items: Array<{ type: string }>): Record<string, number> {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.type, (counts.get(i.type) ?? 0) + 1);
  return sortedRecord([...counts]);
}

function sortedRecord(entries: Array<[string, number]>): Record<string, number> {
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** A state holding only the given resource, enough for `plan -destroy -refresh=false`. */
export function singleResourceState(type: string, name: string, attributes: Record<string, unknown>): string {
  return JSON.stringify({
    version: 4,
    terraform_version: "1.10.0",
    serial: 1,
    lineage: "00000000-0000-4000-8000-000000000000",
    outputs: {},
    resources: [
      {
        mode: "managed",
        type,
        name,
        provider: `provider["${AWS_PROVIDER}"]`,
        instances: [{ schema_version: 0, attributes }],
      },
    ],
  });
}
