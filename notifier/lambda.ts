// The Lambda entry point (bundled by esbuild into index.js): configuration from config.json next to
// it, secrets from Secrets Manager and SSM through the AWS SDK, logs as JSON lines on stdout.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { systemClock } from "./clock";
import { createHandler } from "./handler";
import { cachedSecrets } from "./secrets";
import { NotifierConfig } from "./types";

export const CONFIG_FILE = "config.json";

const config = JSON.parse(readFileSync(path.join(__dirname, CONFIG_FILE), "utf8")) as NotifierConfig;

// A secret given as an ARN may live in another region; its client must be that region's.
const regionOf = (id: string) => (id.startsWith("arn:") ? id.split(":")[3] : undefined);
const clients = new Map<string, SecretsManagerClient>();
const secretsManager = (id: string) => {
  const region = regionOf(id) ?? "";
  if (!clients.has(region)) clients.set(region, new SecretsManagerClient(region ? { region } : {}));
  return clients.get(region)!;
};
const ssm = new SSMClient({});

export const handler = createHandler({
  config,
  secrets: cachedSecrets(
    {
      async secretsManager(secretId) {
        const out = await secretsManager(secretId).send(new GetSecretValueCommand({ SecretId: secretId }));
        if (out.SecretString === undefined) throw new Error(`secret ${secretId} has no string value`);
        return out.SecretString;
      },
      async ssm(name) {
        const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
        if (out.Parameter?.Value === undefined) throw new Error(`SSM parameter ${name} has no value`);
        return out.Parameter.Value;
      },
    },
    { clock: systemClock },
  ),
});
