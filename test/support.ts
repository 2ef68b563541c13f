// Shared helpers for the test suite: example paths, synthesis into temp dirs, and the external tools.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { blueprintCatalog } from "../alerts/blueprints";
import { LoadedModel, loadModelFile } from "../model/load";
import { synthesizeModel } from "../stacks/app";

export const ROOT = path.resolve(__dirname, "..");
export const EXAMPLES = {
  sportsCoach: path.join(ROOT, "examples", "sports-coach.yaml"),
  cet4: path.join(ROOT, "examples", "cet4-training.yaml"),
};

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `monitoring-stack-${prefix}-`));
}

export function loadExample(file = EXAMPLES.sportsCoach): LoadedModel {
  return loadModelFile(file, blueprintCatalog);
}

export interface SynthOutput {
  outdir: string;
  /** Stack name → parsed cdk.tf.json */
  stacks: Record<string, any>;
}

export function synthToTemp(modelFile = EXAMPLES.sportsCoach, prefix = "synth"): SynthOutput {
  const outdir = tempDir(prefix);
  synthesizeModel(modelFile, outdir);
  const stacks: Record<string, any> = {};
  for (const name of readdirSync(path.join(outdir, "stacks")).sort()) {
    stacks[name] = JSON.parse(readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
  }
  return { outdir, stacks };
}

/** Every file below `dir` (relative path → text), in sorted order. */
export function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

/**
 * Resolves an external CLI (promtool, amtool, terraform). Missing tools fail loudly rather than
 * skip: `.ci/run` installs them, and a silently skipped check would prove nothing.
 */
export function requireTool(name: string, installHint: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const bin = found.stdout.trim();
  if (found.status !== 0 || !bin) throw new Error(`${name} is not on the PATH: ${installHint}`);
  return bin;
}

export function run(bin: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  try {
    return execFileSync(bin, args, { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 << 20, ...opts });
  } catch (e: any) {
    throw new Error(`${path.basename(bin)} ${args.join(" ")} failed (exit ${e.status}):\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}
