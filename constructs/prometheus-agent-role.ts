// The IAM role a Prometheus agent's Kubernetes service account assumes (IRSA) to remote-write
// into one AMP workspace, and nothing else.
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";

export interface PrometheusAgentRoleProps {
  roleName: string;
  /** arn:aws:iam::<account>:oidc-provider/<issuer host and path> */
  oidcProviderArn: string;
  serviceAccount: { namespace: string; name: string };
  workspaceArn: string;
}

/** The issuer as IAM condition keys spell it: the provider ARN's resource part. */
export function oidcIssuer(oidcProviderArn: string): string {
  return oidcProviderArn.slice(oidcProviderArn.indexOf(":oidc-provider/") + ":oidc-provider/".length);
}

export class PrometheusAgentRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: PrometheusAgentRoleProps) {
    super(scope, id);
    const issuer = oidcIssuer(props.oidcProviderArn);
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: `Prometheus agent ${props.serviceAccount.namespace}/${props.serviceAccount.name}: remote write to AMP`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: props.oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${issuer}:sub`]: `system:serviceaccount:${props.serviceAccount.namespace}:${props.serviceAccount.name}`,
                [`${issuer}:aud`]: "sts.amazonaws.com",
              },
            },
          },
        ],
      }),
    });
    new IamRolePolicy(this, "remote-write", {
      name: "amp-remote-write",
      role: this.role.name,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "aps:RemoteWrite", Resource: props.workspaceArn }],
      }),
    });
  }
}

/** Known before apply, so the Kubernetes stack can name the role without reading AWS state. */
export function iamRoleArn(p: { partition: string; account: string }, roleName: string): string {
  return `arn:${p.partition}:iam::${p.account}:role/${roleName}`;
}
