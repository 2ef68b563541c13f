// All stacks of a model: per environment an AWS stack, a Grafana stack, and a Kubernetes stack where it scrapes.
import { App } from "cdktf";
import { blueprintCatalog } from "../alerts/blueprints";
import { LoadedModel, loadModelFile } from "../model/load";
import { AwsMonitoringStack } from "./aws-monitoring-stack";
import { awsStackName } from "./environment-state";
import { GrafanaStack, grafanaStackName } from "./grafana-stack";
import { KubernetesStack, kubernetesStackName } from "./kubernetes-stack";

export function addModelStacks(app: App, model: LoadedModel): void {
  for (const environment of model.environments) {
    const id = awsStackName(model.project, environment.name);
    const aws = new AwsMonitoringStack(app, id, { project: model.project, environment });
    // After the AWS stack: an agent reads the workspace endpoint from its state.
    if (environment.settings.scraping)
      new KubernetesStack(app, kubernetesStackName(model.project, environment.name), { project: model.project, environment }).addDependency(aws);
    // After the AWS stack too: Grafana reads the AMP endpoint (and a managed workspace's URL) from its state.
    new GrafanaStack(app, grafanaStackName(model.project, environment.name), { project: model.project, environment }).addDependency(aws);
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
