// Validates a model without synthesizing: `npm run check:model -- path/to/model.yaml`.
// Prints a one-line summary per environment, or every problem and exit code 1.
import { buildAlarms } from "../alerts/alarms";
import { blueprintCatalog } from "../alerts/blueprints";
import { buildRuleGroups } from "../alerts/rules";
import { DEFAULT_MODEL } from "../main";
import { ModelError } from "../model/errors";
import { loadModelFile } from "../model/load";

const file = process.argv[2] ?? process.env.MONITORING_MODEL ?? DEFAULT_MODEL;
try {
  const loaded = loadModelFile(file, blueprintCatalog);
  for (const env of loaded.environments) {
    const rules = buildRuleGroups(env.model).flatMap((g) => g.rules);
    const alerts = rules.filter((r) => r.alert).length;
    const summary = {
      environment: env.name,
      services: Object.keys(env.model.services).length,
      alertingRules: alerts,
      recordingRules: rules.length - alerts,
      alarms: buildAlarms(env.model, `${loaded.project}-${env.name}`).length,
      receivers: Object.keys(env.model.receivers).length,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
} catch (e) {
  if (!(e instanceof ModelError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
