// blackbox-exporter's modules: one per http-api service with health checks, named after it, so
// each service's expectations (status codes, body) apply to its own URLs only.
import { dumpYaml } from "../alerts/routing";
import { MonitoringModel } from "../model/schema";

export interface HealthProbe {
  service: string;
  url: string;
}

/** Every health URL of the model, sorted by service then URL. */
export function healthProbes(model: MonitoringModel): HealthProbe[] {
  return Object.keys(model.services)
    .sort()
    .flatMap((service) => [...new Set(model.services[service].health?.urls ?? [])].sort().map((url) => ({ service, url })));
}

export function blackboxConfig(model: MonitoringModel): string {
  const modules: Record<string, unknown> = {};
  for (const service of Object.keys(model.services).sort()) {
    const health = model.services[service].health;
    if (!health) continue;
    modules[service] = {
      prober: "http",
      timeout: health.timeout,
      http: {
        method: "GET",
        // Cluster DNS may return AAAA records the pod network cannot route.
        preferred_ip_protocol: "ip4",
        ...(health.valid_status_codes ? { valid_status_codes: [...health.valid_status_codes].sort((a, b) => a - b) } : {}),
        ...(health.body_regexp ? { fail_if_body_not_matches_regexp: [health.body_regexp] } : {}),
      },
    };
  }
  return dumpYaml({ modules });
}
