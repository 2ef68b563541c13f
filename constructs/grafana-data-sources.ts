// The environment's AWS data sources in Grafana: AMP as a Prometheus data source signing its
// requests with SigV4, and CloudWatch. Settings go in json_data_encoded; credentials, when keys
// are used, only in secure_json_data_encoded (sensitive, never in the dashboard JSON).
import { DataSource } from "../.gen/providers/grafana/data-source";
import { Fn } from "cdktf";
import { Construct } from "constructs";

/** How Grafana signs AWS requests: the SDK's default chain, the instance or workspace role, or access keys. */
export type GrafanaAwsAuth = "default" | "ec2_iam_role" | "keys";

export interface GrafanaAwsDataSourcesProps {
  /** Prefix of the data source names (unique per org), e.g. "sports-coach prod". */
  namePrefix: string;
  uids: { amp: string; cloudwatch: string };
  region: string;
  /** AMP's Prometheus-compatible endpoint (…/workspaces/ws-…/), typically a reference to the AWS stack's output. */
  ampEndpoint: string;
  auth: GrafanaAwsAuth;
  /** With auth "keys": the access key pair, as references to sensitive values. */
  keys?: { accessKeyId: string; secretAccessKey: string };
}

export class GrafanaAwsDataSources extends Construct {
  readonly amp: DataSource;
  readonly cloudwatch: DataSource;

  constructor(scope: Construct, id: string, props: GrafanaAwsDataSourcesProps) {
    super(scope, id);
    if ((props.auth === "keys") !== (props.keys !== undefined)) throw new Error('access keys go with auth "keys", and only with it');
    const keys = props.keys;
    this.amp = new DataSource(this, "amp", {
      name: `${props.namePrefix} AMP`,
      uid: props.uids.amp,
      type: "prometheus",
      // Grafana appends /api/v1/query itself; AMP's endpoint output ends in a slash.
      url: Fn.trimsuffix(props.ampEndpoint, "/"),
      jsonDataEncoded: JSON.stringify({
        httpMethod: "POST",
        sigV4Auth: true,
        sigV4AuthType: props.auth,
        sigV4Region: props.region,
        // Lists AMP's alerting rules in Grafana's alert view, which the dashboards link to.
        manageAlerts: true,
      }),
      secureJsonDataEncoded: keys && Fn.jsonencode({ sigV4AccessKey: keys.accessKeyId, sigV4SecretKey: keys.secretAccessKey }),
    });
    this.cloudwatch = new DataSource(this, "cloudwatch", {
      name: `${props.namePrefix} CloudWatch`,
      uid: props.uids.cloudwatch,
      type: "cloudwatch",
      jsonDataEncoded: JSON.stringify({ authType: props.auth, defaultRegion: props.region }),
      secureJsonDataEncoded: keys && Fn.jsonencode({ accessKey: keys.accessKeyId, secretKey: keys.secretAccessKey }),
    });
  }
}
