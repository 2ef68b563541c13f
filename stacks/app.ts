// All stacks of a model: one AWS stack per environment.
import { App } from "cdktf";
import { blueprintCatalog } from "../alerts/blueprints";
import { LoadedModel, loadModelFile } from "../model/load";
import { AwsMonitoringStack, awsStackName } from "./aws-monitoring-stack";

export function addModelStacks(app: App, model: LoadedModel): void {
  for (const environment of model.environments) {
    const id = awsStackName(model.project, environment.name);
    new AwsMonitoringStack(app, id, { project: model.project, environment });
  }
}

/** Loads and validates the model completely before any construct exists: bad input writes nothing. */
export function synthesizeModel(modelFile: string, outdir?: string): App {
  const model = loadModelFile(modelFile, blueprintCatalog);
  const app = new App({ outdir, skipValidation: false });
  addModelStacks(app, model);
  app.synth();
  return app;
}
