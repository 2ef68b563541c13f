// Folders and dashboards from ready dashboard JSON. The uid inside config_json is the dashboard's
// identity (a new uid replaces the dashboard), so it must be set, stable and unique. A layout
// picture of every dashboard is written next to the synthesized stack for reviewers.
import { Dashboard } from "../.gen/providers/grafana/dashboard";
import { Folder } from "../.gen/providers/grafana/folder";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { TerraformStack } from "cdktf";
import { addCustomSynthesis } from "cdktf/lib/synthesize/synthesizer";
import { Construct } from "constructs";
import { terraformLiteral } from "./terraform-literal";

export interface GrafanaFolderSpec {
  key: string;
  uid: string;
  title: string;
}

export interface GrafanaDashboardSpec {
  key: string;
  /** Key of the folder that holds it. */
  folder: string;
  /** The dashboard model; its `uid` is required. */
  json: { uid?: string; title?: string };
}

export interface GrafanaDashboardsProps {
  folders: GrafanaFolderSpec[];
  dashboards: GrafanaDashboardSpec[];
  /** SVG pictures of dashboard layouts by dashboard key, written to `<stack dir>/dashboards/<key>.svg`. */
  layoutPictures?: Record<string, string>;
}

/** Where the layout pictures go, relative to the stack's synthesized directory. */
export const LAYOUT_DIR = "dashboards";

export class GrafanaDashboards extends Construct {
  readonly folders: Record<string, Folder> = {};
  readonly dashboards: Record<string, Dashboard> = {};

  constructor(scope: Construct, id: string, props: GrafanaDashboardsProps) {
    super(scope, id);
    for (const f of props.folders) this.folders[f.key] = new Folder(this, `folder-${f.key}`, { uid: f.uid, title: f.title });
    const uids = new Map<string, string>();
    for (const d of props.dashboards) {
      const uid = d.json.uid;
      if (!uid) throw new Error(`dashboard ${d.key} has no uid: Grafana would invent one and replace the dashboard on every change`);
      if (uids.has(uid)) throw new Error(`dashboards ${uids.get(uid)} and ${d.key} share the uid ${uid}`);
      uids.set(uid, d.key);
      const folder = this.folders[d.folder];
      if (!folder) throw new Error(`dashboard ${d.key} is in folder ${d.folder}, which is not defined`);
      this.dashboards[d.key] = new Dashboard(this, `dashboard-${d.key}`, {
        folder: folder.uid,
        // Dashboard JSON holds `${var}` template variables: escaped so Terraform passes them on as text.
        configJson: terraformLiteral(JSON.stringify(d.json)),
        overwrite: true,
      });
    }
    const pictures = props.layoutPictures;
    if (pictures)
      addCustomSynthesis(this, {
        onSynthesize: (session) => {
          const dir = path.join(session.outdir, session.manifest.forStack(TerraformStack.of(this)).workingDirectory, LAYOUT_DIR);
          mkdirSync(dir, { recursive: true });
          for (const key of Object.keys(pictures).sort()) writeFileSync(path.join(dir, `${key}.svg`), pictures[key]);
        },
      });
  }
}
