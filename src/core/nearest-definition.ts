import { posix } from "node:path";

/**
 * Several definitions of one name in a tree (a Gateway per example folder or overlay, the same
 * Gateway per cluster): which one a reference means.
 */
export interface Placed {
  /** The cluster (or file) scope of the definition's key, when the tree applies it to one cluster or declares it in several files. */
  readonly scope?: string;
  readonly file: string;
}

/**
 * The one in the referrer's own scope (its cluster, or its file); else the one its file holds (a
 * route unique in the tree beside one of many copies: ingress2gateway's fixtures each write
 * Gateway default/nginx with their own listeners, one folder for all); else the one nearest the
 * referrer's file, as each example folder or overlay of a repository brings its own Gateway
 * (nginx-gateway-fabric: forty `default/gateway`, one per example, each with its routes beside it);
 * else, of those nearest alike, an unscoped one, else the first (definitionChoices). A definition
 * in a subfolder of the referrer's folder is another example's, meant only where every one is in
 * such a subfolder: gateway-api 6d76ec6e57 added experimental/v1alpha{2,3}/tls-routing/, each with
 * its own `example-gateway`, and the untouched experimental/http-route-rule-name.yaml, which had no
 * Gateway of its own and took the first of standard/'s, read as moved onto the first of theirs, a TLS listener.
 */
export function pickDefinition<T extends Placed>(candidates: readonly T[] | undefined, from: Placed): T | undefined {
  return definitionChoices(candidates, from)[0];
}

/**
 * The definitions a reference may mean, the one pickDefinition takes first: one, unless several
 * are nearest alike (gateway-api-inference-extension's bbr-example routes name `inference-gateway`,
 * which each provider's folder beside it defines; one of them is applied with it). The tree does
 * not say which: the first is only the tree's order, which a folder renamed or deleted changes.
 */
export function definitionChoices<T extends Placed>(candidates: readonly T[] | undefined, from: Placed): readonly T[] {
  if (!candidates || candidates.length < 2) return candidates ?? [];
  const own = candidates.find((c) => c.scope === from.scope) ?? candidates.find((c) => c.file === from.file);
  if (own) return [own];
  const beside = candidates.filter((c) => !inSubfolder(c.file, from.file));
  const best = nearestAll(beside.length > 0 ? beside : candidates, from.file);
  const unscoped = best.filter((c) => c.scope === undefined);
  return unscoped.length > 0 ? unscoped : best;
}

/** Whether a file is in a folder below the other's. */
function inSubfolder(file: string, of: string): boolean {
  const folder = posix.dirname(of);
  return posix.dirname(file) !== folder && (folder === "." || file.startsWith(`${folder}/`));
}

/** The candidates whose files share the most folders with this one (all of them where none shares more than another). */
export function nearestAll<T extends Placed>(candidates: readonly T[], file: string): T[] {
  let best: T[] = [];
  let most = -1;
  for (const candidate of candidates) {
    const shared = sharedFolders(candidate.file, file);
    if (shared > most) [best, most] = [[candidate], shared];
    else if (shared === most) best.push(candidate);
  }
  return best;
}

function sharedFolders(a: string, b: string): number {
  const left = a.split("/").slice(0, -1);
  const right = b.split("/").slice(0, -1);
  let shared = 0;
  while (shared < left.length && shared < right.length && left[shared] === right[shared]) shared++;
  return shared;
}
