// The README is the user's reference: it must name every built-in rule and alarm, and CI must run
// exactly the test command it gives.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { BLUEPRINTS } from "../alerts/blueprints";
import { ROOT } from "./support";

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

test("every blueprint rule and alarm ID is documented", () => {
  const ids = Object.values(BLUEPRINTS).flatMap((b) => [...b.rules, ...b.alarms].map((r) => r.id));
  expect(ids.filter((id) => !readme.includes(`\`${id}\``))).toEqual([]);
});

test("the README opens with the install+synth and test commands, and .ci/run runs the latter", () => {
  const firstBlock = readme.match(/```sh\n([\s\S]*?)```/)![1];
  expect(firstBlock).toMatch(/^npm ci && npm run synth\b/m);
  expect(firstBlock).toMatch(/^npm test\b/m);
  const ci = readFileSync(path.join(ROOT, ".ci", "run"), "utf8").trim().split("\n");
  expect(ci[ci.length - 1]).toBe("npm test");
});
