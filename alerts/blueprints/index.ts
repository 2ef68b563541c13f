// The blueprint catalogue: one per service kind.
import { BlueprintCatalog } from "../../model/load";
import { ServiceKind, SeverityName } from "../../model/schema";
import { Blueprint } from "../blueprint";
import { aiModel } from "./ai-model";
import { custom } from "./custom";
import { host } from "./host";
import { httpApi } from "./http-api";
import { postgres } from "./postgres";
import { redis } from "./redis";
import { worker } from "./worker";

export const BLUEPRINTS: Record<ServiceKind, Blueprint> = {
  "http-api": httpApi,
  worker,
  postgres,
  redis,
  host,
  "ai-model": aiModel,
  custom,
};

const levels = (t: Partial<Record<SeverityName, number>>) => (Object.keys(t) as SeverityName[]).sort();

/** What the model loader checks overrides against. */
export const blueprintCatalog: BlueprintCatalog = {
  rules: (kind) =>
    Object.fromEntries([...BLUEPRINTS[kind].rules, ...BLUEPRINTS[kind].alarms].map((r) => [r.id, levels(r.thresholds)])),
  metricKeys: (kind) => Object.keys(BLUEPRINTS[kind].metrics),
};
