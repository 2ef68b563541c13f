// Entry point for `cdktf synth` and `npm run synth`: MONITORING_MODEL names the YAML model.
import * as path from "node:path";
import { ModelError } from "./model/errors";
import { synthesizeModel } from "./stacks/app";

export const DEFAULT_MODEL = path.join(__dirname, ...(path.basename(__dirname) === "dist" ? [".."] : []), "examples", "sports-coach.yaml");

function main(): void {
  const modelFile = process.env.MONITORING_MODEL || DEFAULT_MODEL;
  try {
    synthesizeModel(modelFile, process.env.CDKTF_OUTDIR);
  } catch (e) {
    if (e instanceof ModelError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

if (require.main === module) main();
