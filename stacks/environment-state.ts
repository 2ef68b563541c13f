// Terraform state of an environment's stacks: each keeps its own state in the environment's
// backend, and stacks deployed after the AWS stack read its outputs from that stack's state.
import { DataTerraformRemoteStateLocal, DataTerraformRemoteStateS3, LocalBackend, S3Backend, TerraformRemoteState, TerraformStack } from "cdktf";
import { EnvironmentSpec } from "../model/schema";

export function awsStackName(project: string, env: string): string {
  return `${project}-${env}-aws`;
}

/** Where the AWS stack's state lives: the backend's key if given, else one per project and environment. */
export function awsStateKey(project: string, env: string, s3?: { key?: string }): string {
  return s3?.key ?? `${project}/${env}/aws.tfstate`;
}

/** Every stack's backend: the environment's S3 bucket under the stack's own key (DynamoDB or lockfile locking); else local state. */
export function environmentBackend(stack: TerraformStack, settings: EnvironmentSpec, key: string, id: string): void {
  if (!settings.backend) {
    new LocalBackend(stack, { path: `terraform.${id}.tfstate` });
    return;
  }
  const s3 = settings.backend.s3;
  new S3Backend(stack, { bucket: s3.bucket, key, region: s3.region ?? settings.region, encrypt: true, dynamodbTable: s3.dynamodb_table });
  // Terraform ≥1.10 locks with a lock object in the bucket; cdktf 0.21 has no typed field for it.
  if (!s3.dynamodb_table) stack.addOverride("terraform.backend.s3.use_lockfile", true);
}

/**
 * The AWS stack's state, to read its declared outputs. (cdktf's automatic cross-stack references
 * would add hashed outputs to the AWS stack and resolve a local state against the wrong directory.)
 */
export function awsStackState(stack: TerraformStack, project: string, env: string, settings: EnvironmentSpec): TerraformRemoteState {
  const aws = awsStackName(project, env);
  return settings.backend
    ? new DataTerraformRemoteStateS3(stack, "aws-state", {
        bucket: settings.backend.s3.bucket,
        key: awsStateKey(project, env, settings.backend.s3),
        region: settings.backend.s3.region ?? settings.region,
      })
    : // cdktf runs each stack in cdktf.out/stacks/<stack>/, next to the AWS stack's directory.
      new DataTerraformRemoteStateLocal(stack, "aws-state", { path: `../${aws}/terraform.${aws}.tfstate` });
}
