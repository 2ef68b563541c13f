// A service we know nothing about but its scrape target: availability only; the model adds the rest.
import { Blueprint } from "../blueprint";
import { upRule } from "./shared";

export const custom: Blueprint = {
  kind: "custom",
  metrics: { up: "up" },
  recordings: [],
  rules: [upRule("ServiceDown", "Service")],
  alarms: [],
};
