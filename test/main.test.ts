// The command line: a bad model exits non-zero with readable errors and writes nothing.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ROOT, tempDir } from "./support";

function runMain(model: string, outdir: string) {
  return spawnSync(process.execPath, [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(ROOT, "main.ts")], {
    encoding: "utf8",
    env: { ...process.env, MONITORING_MODEL: model, CDKTF_OUTDIR: outdir },
  });
}

test("a bad model: exit code 1, every error on stderr, no stack trace, no output written", () => {
  const dir = tempDir("main");
  const model = path.join(dir, "bad.yaml");
  writeFileSync(model, "project: Bad Name\nenvironments: {}\nreceivers: {}\nrouting: { receiver: nobody }\nservices: { api: { kind: http-api } }\n");
  const outdir = path.join(dir, "out");
  const result = runMain(model, outdir);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`${model}:1: project: `);
  expect(result.stderr).toContain(`${model}:4: routing.heartbeat: missing required key`);
  expect(result.stderr).toContain(`${model}:5: services.api.team: missing required key`);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(existsSync(outdir) ? readdirSync(outdir) : []).toEqual([]);
});

test("a missing model file names the variable to set", () => {
  const dir = tempDir("main");
  const result = runMain(path.join(dir, "missing.yaml"), path.join(dir, "out"));
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/cannot read the model file[\s\S]*MONITORING_MODEL/);
});
