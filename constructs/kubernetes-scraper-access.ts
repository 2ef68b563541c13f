// What the AMP managed collector may read in the cluster: the ClusterRole AWS documents for it,
// bound to the Kubernetes user its IAM role maps to through an EKS access entry (AWS stack).
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { Construct } from "constructs";

export interface KubernetesScraperAccessProps {
  /** The access entry's Kubernetes user name. */
  user: string;
  roleName: string;
  labels: Record<string, string>;
}

export class KubernetesScraperAccess extends Construct {
  constructor(scope: Construct, id: string, props: KubernetesScraperAccessProps) {
    super(scope, id);
    const read = ["get", "list", "watch"];
    const role = new ClusterRoleV1(this, "cluster-role", {
      metadata: { name: props.roleName, labels: props.labels },
      rule: [
        { apiGroups: [""], resources: ["nodes", "nodes/proxy", "nodes/metrics", "services", "endpoints", "pods", "ingresses", "configmaps"], verbs: read },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: read },
        { apiGroups: ["extensions", "networking.k8s.io"], resources: ["ingresses/status", "ingresses"], verbs: read },
        { nonResourceUrls: ["/metrics"], verbs: ["get"] },
      ],
    });
    new ClusterRoleBindingV1(this, "cluster-role-binding", {
      metadata: { name: props.roleName, labels: props.labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
      subject: [{ kind: "User", name: props.user, apiGroup: "rbac.authorization.k8s.io" }],
    });
  }
}
