// The notifier's deployment package: notifier/lambda.ts bundled by esbuild (once per process) into
// index.js, next to the stack's config.json, in a zip whose bytes depend only on those two files
// (fixed timestamps and modes, entries in name order), so the same model gives the same package
// hash and Terraform updates the function only when its code or configuration changed.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { buildSync } from "esbuild";

// The repository root, whether this runs from the TypeScript sources or from dist/.
const ROOT = path.resolve(__dirname, "..", ...(path.basename(path.resolve(__dirname, "..")) === "dist" ? [".."] : []));
export const NOTIFIER_ENTRY = path.join(ROOT, "notifier", "lambda.ts");
/** The Lambda handler setting for the bundle. */
export const NOTIFIER_HANDLER = "index.handler";
/** The Lambda runtime and the matching esbuild target: change both together. */
export const NOTIFIER_RUNTIME = { lambda: "nodejs20.x", esbuildTarget: "node20" } as const;

let bundle: Buffer | undefined;

/** Minified CommonJS for the Lambda's Node.js with its dependencies (the AWS SDK clients) inside. */
export function notifierBundle(): Buffer {
  if (!bundle) {
    const out = buildSync({
      entryPoints: [NOTIFIER_ENTRY],
      absWorkingDir: ROOT,
      bundle: true,
      platform: "node",
      target: NOTIFIER_RUNTIME.esbuildTarget,
      format: "cjs",
      // The AWS SDK's ES module builds tree-shake: 400 KB instead of 670 KB from its CommonJS builds.
      mainFields: ["module", "main"],
      minify: true,
      legalComments: "none",
      write: false,
      logLevel: "silent",
    });
    bundle = Buffer.from(out.outputFiles[0].contents);
  }
  return bundle;
}

interface ZipEntry {
  name: string;
  crc: number;
  size: number;
  compressed: Buffer;
}

function zipEntry(name: string, data: Buffer): ZipEntry {
  return { name, crc: crc32(data), size: data.length, compressed: deflateRawSync(data, { level: 9 }) };
}

// 1980-01-01 00:00, the earliest time a zip can hold; the same for every entry of every package.
const DOS_DATE = (1 << 5) | 1;
const DOS_TIME = 0;
const FILE_MODE = 0o100644;

/** A zip archive of the entries in name order, with nothing in it that varies between runs. */
export function deterministicZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const name = Buffer.from(e.name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: deflate
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(8, 8); // method: deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.compressed.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the file mode below counts
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(e.crc, 16);
    central.writeUInt32LE(e.compressed.length, 20);
    central.writeUInt32LE(e.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.compressed);
    centrals.push(central, name);
    offset += local.length + name.length + e.compressed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

export interface NotifierPackage {
  /** The zip on disk (content-addressed under the OS temp dir), for a cdktf TerraformAsset. */
  file: string;
  /** Hex SHA-256 of the zip. */
  sha256: string;
  /** What Terraform's filebase64sha256() would say: the function's source_code_hash. */
  base64Sha256: string;
}

let bundleEntry: ZipEntry | undefined;

export function notifierPackage(configJson: string): NotifierPackage {
  bundleEntry ??= zipEntry("index.js", notifierBundle());
  const zip = deterministicZip([bundleEntry, zipEntry("config.json", Buffer.from(configJson, "utf8"))]);
  const digest = createHash("sha256").update(zip).digest();
  const sha256 = digest.toString("hex");
  const file = path.join(tmpdir(), "monitoring-stack-notifier", sha256.slice(0, 32), "notifier.zip");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    // Write then rename: parallel syntheses never see a half-written package.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, zip);
    renameSync(partial, file);
  }
  return { file, sha256, base64Sha256: digest.toString("base64") };
}
