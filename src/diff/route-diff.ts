import {
  entryCluster,
  entryCopyOf,
  failsEveryRequest,
  servedAt,
  servedFlows,
  unscopedEntry,
  type Backend,
  type Flow,
  type RouteEntries,
  type TrafficModel,
} from "../core/traffic-model.js";
import { regionLabel } from "../model/describe-flow.js";
import { pairByIdentity } from "../core/pair-by-identity.js";
import { isNamedCluster, sitesMeet } from "../core/gitops-delivery.js";
import { sameItems } from "../core/same-items.js";
import { sitesLeft, takeoversOf } from "../core/sites-taken-over.js";
import { hostsOverlap, surelyCovers } from "../core/host-match.js";
import { sameValue } from "../core/canonical-values.js";
import { priorityOrder } from "../core/route-rules.js";
import {
  covers,
  givenUp,
  mayOverlap,
  outranks,
  requestShapes,
  takesPlain,
  type PlainRequest,
  type RequestShape,
} from "../core/match-alternatives.js";
import { FIRST_MATCH_GROUPS, HANDLING_JUDGED_KINDS } from "../families/index.js";
import { resourceKey, type ResourceId } from "../core/resource.js";
import { buildFolder, filesApart, type FileSiting } from "../core/copies-apart.js";
import { kustomizeRenderOrigin, readersOf } from "../core/kustomize-inclusion.js";
import { connectedGroups } from "../core/connected-groups.js";

/** One backend of a flow at base and head; a share of undefined means absent on that side. */
export interface BackendShift {
  readonly key: string;
  readonly label: string;
  readonly before?: number;
  readonly after?: number;
  readonly regions: readonly string[];
  readonly base?: Backend;
  readonly head?: Backend;
}

export interface RegionShare {
  readonly region: string;
  readonly before: number;
  readonly after: number;
}

/**
 * `rehandled`: a rule gone whose requests a rule at head takes all of (`fallback`), sending them to
 * the same backends, split the same way, but handling them otherwise (`handovers`): no request
 * moved, only how they are handled.
 */
export type RouteDiffStatus = "added" | "removed" | "changed" | "match-changed" | "rehandled";

/** The semantic route diff of one flow (DESIGN §6): who receives how much of which requests. */
export interface RouteDiff {
  readonly key: string;
  readonly status: RouteDiffStatus;
  readonly base?: Flow;
  readonly head?: Flow;
  /**
   * A removed rule's requests, when a remaining rule takes all of them (a catch-all after a
   * method- or header-pinned rule): `backends` and `regions` then compare the removed rule's
   * split with this rule's, since that is where the same requests go.
   */
  readonly fallback?: Flow;
  /**
   * Requests that passed between rules that may handle them otherwise (their Flow.handling is not
   * the same), of kinds whose family judges that (HANDLING_JUDGED_KINDS): a removed rule's to its
   * fallback, what a narrowed rule gives up to the rule that takes it; a new or widened rule's from
   * the rule that took them at base. Judged by the rules' family as an in-place edit of the one's
   * handling into the other's (detect/handling-moves.ts).
   */
  readonly handovers?: readonly Handover[];
  /**
   * A rule whose match changed: the alternatives of its base match (` | `-separated) no rule at
   * head may take any request of, itself included (a `/logout` match dropped from bookinfo's rule),
   * or, where it still takes some of one, none may take any of the rest (`/cart` narrowed to
   * `/cart/items` on a host with no other rule for `/cart`).
   */
  readonly unserved?: readonly Unserved[];
  /**
   * A rule whose match changed: the alternatives of its base match it no longer takes all of whose
   * requests it gives up one other rule at head takes, sending them elsewhere (`/east` renamed
   * `/us-east`, or narrowed to `/east/api`: `/east`, or the rest of it, falls through to the catch-all).
   */
  readonly strayed?: readonly Strayed[];
  readonly backends: readonly BackendShift[];
  readonly regions: readonly RegionShare[];
  /** `base` is a rule of a base version of an object, `head` of a version a file adds beside it, judged as its edit (RouteVersion). */
  readonly version?: RouteVersion;
}

/** Requests passing from one rule (`from`, in the base) to another (`to`, in the head). */
export interface Handover {
  readonly from: Flow;
  readonly to: Flow;
  /** The rule the PR changed: `from`, gone or narrowed; `to`, new or widened. */
  readonly changed: "from" | "to";
  /** `to` sends them to other backends, or splits them otherwise, than `from` did (HandlingMove.elsewhere). */
  readonly elsewhere?: true;
}

/** Requests a rule gave up that no rule takes any of. */
export interface Unserved {
  readonly match: string;
  /** The rule still takes some of `match` (`/cart` narrowed to `/cart/items`): only the rest is served nowhere. */
  readonly partly?: true;
}

/** Requests a rule gave up and the rule that takes them all instead, with the base rule's backends paired with that rule's. */
export interface Strayed {
  readonly match: string;
  /** The rule still takes some of `match` (`/east` narrowed to `/east/api`): only the rest goes to `to`. */
  readonly partly?: true;
  readonly to: Flow;
  readonly backends: readonly BackendShift[];
}

const EPSILON = 1e-9;

const regionShares = (flow: Flow | undefined): Map<string, number> => {
  const shares = new Map<string, number>();
  for (const backend of flow?.backends ?? []) {
    const region = regionLabel(backend);
    shares.set(region, (shares.get(region) ?? 0) + backend.share);
  }
  return shares;
};

/**
 * A flow's backends, one per backend: a backend a rule lists twice receives both weights (a Flux
 * variable that turns the stable backend into the canary listed beside it sends it all the traffic,
 * which reads as one backend at 100%, not as two copies of it).
 */
function backendsOnce(flow: Flow | undefined): Flow["backends"] {
  const backends = flow?.backends ?? [];
  if (new Set(backends.map((backend) => backend.key)).size === backends.length) return backends;
  const once = new Map<string, Flow["backends"][number]>();
  for (const backend of backends) {
    const seen = once.get(backend.key);
    once.set(backend.key, seen ? { ...seen, share: seen.share + backend.share } : backend);
  }
  return [...once.values()];
}

const ownKey = (backend: Flow["backends"][number]) => backend.key;

/**
 * The key a backend pairs by: its own, but for one whose port is written on one side and not on the
 * other (Backend.portless), where each side holds it once — the same backend, written two ways
 * (an Istio destination's `port` written out for a single-port Service was a backend added) — or
 * whose port is named by name on one side and by the number its Service gives that name on the
 * other, or by two names numbered alike (Backend.numbered), where neither spelling pairs as written.
 */
function pairingKeys(base: Flow["backends"], head: Flow["backends"]): (backend: Flow["backends"][number]) => string {
  const written = (backend: Flow["backends"][number]) => backend.portless !== undefined || backend.numbered !== undefined;
  if (!base.some(written) && !head.some(written)) return ownKey;
  const aliases = new Map<string, string>();
  // Of the backends that do not pair as written, one on each side reaching the same numbered port.
  const numbered = (backend: Flow["backends"][number]) => backend.numbered ?? backend.key;
  const unpaired = (side: Flow["backends"], other: Flow["backends"]) =>
    side.filter((backend) => !other.some((candidate) => candidate.key === backend.key));
  const [baseLeft, headLeft] = [unpaired(base, head), unpaired(head, base)];
  for (const backend of baseLeft) {
    const port = numbered(backend);
    const partners = headLeft.filter((candidate) => numbered(candidate) === port);
    if (partners.length !== 1 || baseLeft.filter((candidate) => numbered(candidate) === port).length !== 1) continue;
    aliases.set(backend.key, port);
    aliases.set(partners[0]!.key, port);
  }
  const alias = (side: Flow["backends"], other: Flow["backends"]) => {
    for (const backend of side) {
      const portless = backend.portless;
      if (portless === undefined || side.some((candidate) => candidate.key === portless)) continue;
      const once = side.filter((candidate) => candidate.portless === portless).length === 1;
      const unsetThere =
        other.some((candidate) => candidate.key === portless) && !other.some((candidate) => candidate.portless === portless);
      if (once && unsetThere) aliases.set(backend.key, portless);
    }
  };
  alias(base, head);
  alias(head, base);
  return (backend) => aliases.get(backend.key) ?? backend.key;
}

function diffBackends(base: Flow | undefined, head: Flow | undefined): BackendShift[] {
  const [was, now] = [backendsOnce(base), backendsOnce(head)];
  return pairByIdentity(was, now, pairingKeys(was, now)).map(({ key, base: before, head: after }) => {
    const backend = (after ?? before)!;
    return {
      key,
      label: backend.label,
      ...(before ? { before: before.share, base: before } : {}),
      ...(after ? { after: after.share, head: after } : {}),
      regions: backend.placement.regions,
    };
  });
}

function diffRegions(base: Flow | undefined, head: Flow | undefined): RegionShare[] {
  const before = regionShares(base);
  const after = regionShares(head);
  return [...new Set([...before.keys(), ...after.keys()])]
    .sort()
    .map((region) => ({ region, before: before.get(region) ?? 0, after: after.get(region) ?? 0 }));
}

const sameShares = (shifts: readonly BackendShift[]) =>
  shifts.every((shift) => shift.before !== undefined && shift.after !== undefined && Math.abs(shift.before - shift.after) < EPSILON);

/** A direct response kept, its status turned into an error or back: the proxy now fails its requests, or serves them again. */
const sameAnswers = (shifts: readonly BackendShift[]) =>
  shifts.every((shift) => !shift.base || !shift.head || failsEveryRequest(shift.base) === failsEveryRequest(shift.head));

/** A backend can reach new regions without any route edit: a ServiceExport added in another cluster. */
const samePlacement = (shifts: readonly BackendShift[]) =>
  shifts.every((shift) => !shift.base || !shift.head || regionLabel(shift.base) === regionLabel(shift.head));

const sameMirrors = (base: Flow, head: Flow) =>
  JSON.stringify([...base.mirrors].sort((a, b) => a.label.localeCompare(b.label))) ===
  JSON.stringify([...head.mirrors].sort((a, b) => a.label.localeCompare(b.label)));

/**
 * A base flow and a head flow compared, or one of them alone (removed, added). `version`: the pair
 * compares versions of one object in two files, the head's judged as an edit of the base's
 * (RouteVersion): a rule the added version lacks is removed, one only it has is added.
 */
export interface FlowPair {
  readonly base?: Flow;
  readonly head?: Flow;
  readonly version?: RouteVersion;
}

/**
 * Pairs the flows that receive requests base↔head by key (entry, host, match); a rule whose match
 * changed is paired with its old self within the same resource, entry and host (by rule name, then
 * by position), so it reads as a match change, not as a removal plus an addition. Shadowed flows
 * take no requests, so they are in no pair: when the winner of a key changes, its requests move
 * from one route's backends to the other's, which is the pair of that key. An added version of an
 * object (`versions`) is paired with the base version it is judged against (asEdits).
 */
export function pairFlows(base: TrafficModel, head: TrafficModel, sites?: TreeSites, versions: readonly RouteVersion[] = []): FlowPair[] {
  const pairs: FlowPair[] = [];
  const leftBase: Flow[] = [];
  const headFlows = new Map(servedFlows(head).map((flow) => [flow.key, flow]));
  const baseKeys = new Set<string>();
  for (const flow of servedFlows(base)) {
    baseKeys.add(flow.key);
    const other = headFlows.get(flow.key);
    if (other) pairs.push({ base: flow, head: other });
    else leftBase.push(flow);
  }
  const leftHead = [...headFlows.values()].filter((flow) => !baseKeys.has(flow.key));
  const byRule = pairedByRule(leftBase, leftHead, (flow) => `${flow.resourceKey}|${flow.entry}|${flow.host}`);
  pairs.push(...byRule.pairs, ...pairedAcrossScopes(byRule.base, byRule.head, base, head));
  // A rule ranked behind another by name alone may be the one serving: where it is so ranked at
  // base and at head, under one key, its own changes are compared too (never an addition or a
  // removal: where it starts or stops being ranked so, the key's winner is what moved).
  // Nearly every tree has none: the head's flows are looked at only when the base has one.
  const guessed = rankedByName(base);
  if (guessed.length > 0) {
    const guessedAtHead = new Map(rankedByName(head).map((flow) => [flow.key, flow]));
    for (const flow of guessed) {
      const other = guessedAtHead.get(flow.key);
      if (other && other.resourceKey === flow.resourceKey) pairs.push({ base: flow, head: other });
    }
  }
  const kept = withoutTwins(pairs, base, head, sites);
  return bySite(versions.length > 0 ? asEdits(kept, versions, base, head) : kept, base, head, sites);
}

/**
 * Rules left unpaired by key, paired within one slot (`slot`: of one resource, entry and host, or
 * of two versions of one object) by rule name, then by position; the rest left on each side.
 */
function pairedByRule(
  leftBase: readonly Flow[],
  leftHead: readonly Flow[],
  slot: (flow: Flow) => string,
  headSlot = slot,
): { pairs: FlowPair[]; base: Flow[]; head: Flow[] } {
  const bySlot = new Map<string, Flow[]>();
  for (const flow of leftHead) {
    const flows = bySlot.get(headSlot(flow));
    if (flows) flows.push(flow);
    else bySlot.set(headSlot(flow), [flow]);
  }
  const pairs: FlowPair[] = [];
  const unpaired: Flow[] = [];
  for (const flow of leftBase) {
    const candidates = bySlot.get(slot(flow)) ?? [];
    const index = [
      candidates.findIndex((c) => c.ruleId === flow.ruleId),
      candidates.findIndex((c) => c.precedence === flow.precedence),
    ].find((i) => i >= 0);
    if (index === undefined) {
      unpaired.push(flow);
      continue;
    }
    pairs.push({ base: flow, head: candidates[index] });
    candidates.splice(index, 1);
  }
  return { pairs, base: unpaired, head: [...bySlot.values()].flat() };
}

const rankedByName = (model: TrafficModel): Flow[] => {
  const flows: Flow[] = [];
  model.flows.forEach((flow) => {
    if (flow.orderUnknown) flows.push(flow);
  });
  return flows;
};

/** An entry of a route in `file` without the file that tells copies of its object apart, its cluster kept (`Gateway infra/public:https [prod]`). */
export function entryAsClaimed(entry: string, file: string): string {
  if (!entry.endsWith("]")) return entry;
  const cluster = entryCluster(entry, file);
  return cluster === undefined ? unscopedEntry(entry) : `${unscopedEntry(entry)} [${cluster}]`;
}

/**
 * Where a flow claims requests, whichever file its object is written in: its entry without the
 * file that tells copies apart, its cluster, host, match and audience; undefined when its route is unknown.
 */
function claimOf(flow: Flow, model: TrafficModel): { readonly claim: string; readonly file: string } | undefined {
  const file = model.routes.get(flow.resourceKey)?.file;
  if (file === undefined) return undefined;
  return { claim: JSON.stringify([entryAsClaimed(flow.entry, file), flow.host, flow.match, flow.audience ?? ""]), file };
}

/**
 * Where a flow's rule competes for requests (servedAt), whichever file its object is written in: a
 * key names its file only while another file writes the same object (Resource.key), and the rules
 * of that copy compete with the other routes of its entry as they did before the copy came
 * (envoyproxy/gateway 364710f447: `/foo`, moved out of `authn/jwt.yaml`, one of two files writing
 * HTTPRoute default/backend, into HTTPRoute foo, read as no longer served).
 */
function competesAt(flow: Flow, model: TrafficModel): string {
  if (!flow.entry.endsWith("]")) return servedAt(flow);
  const file = model.routes.get(flow.resourceKey)?.file;
  return file === undefined ? servedAt(flow) : servedAt({ ...flow, entry: entryAsClaimed(flow.entry, file) });
}

/** Where a flow's rule competes for requests in its tree (competesAt, told apart by the copy of its entry's owner where that matters: copyGroups). */
type Where = (flow: Flow, model: TrafficModel) => string;

/** Where rules compete (Where), and the group of copies of its entry's owner a flow lands on where they are told apart. */
interface CopyGroups {
  readonly where: Where;
  readonly group: (flow: Flow, model: TrafficModel) => string | undefined;
  /** The groups of the copies a flow may as well land on (Flow.entryChoices), its own among them. */
  readonly choices: (flow: Flow, model: TrafficModel) => (string | undefined)[];
}

/**
 * Where each rule competes, by the definition of its entry's owner it lands on (Flow.entryCopy):
 * where a tree writes one Gateway differently in folders of its own, each is an object of its
 * own, as the resource diff has them, and a rule's requests are taken only by the rules on the same
 * one (nginx-gateway-fabric's cafe-example narrowing `/tea` read as leaving the rest of it to
 * https-termination's redirect on its own `Gateway default/gateway`). Definitions are told apart
 * where a tree lands rules on two that are not one object (Flow.entryCopy), and grouped across
 * both trees by folder and by GitOps sites that meet, so a group names the same object in either
 * tree. Where no tree lands rules on two (one Gateway, the usual tree; or one moved to another
 * file), rules compete at their entry as written.
 */
function copyGroups(base: TrafficModel, head: TrafficModel, sites: TreeSites | undefined): CopyGroups {
  let groups: Map<string, Map<string, string>> | undefined;
  const read = () => {
    const found = new Map<string, { labels: Map<string, { files: readonly string[]; siting: FileSiting }>; split: boolean }>();
    for (const [model, siting] of [
      [base, sites?.base ?? NOWHERE],
      [head, sites?.head ?? NOWHERE],
    ] as const) {
      const own = new Map<string, Set<string>>();
      for (const flow of servedFlows(model)) {
        if (!flow.entryCopy) continue;
        const at = competesAt(flow, model);
        const label = entryCopyOf(flow);
        const place = found.get(at) ?? { labels: new Map(), split: false };
        found.set(at, place);
        if (!place.labels.has(label)) place.labels.set(label, { files: flow.entryCopy, siting });
        // The copies it may as well be on are grouped too, though it lands on one of them only.
        for (const choice of flow.entryChoices ?? []) {
          const other = entryCopyOf({ entryCopy: choice });
          if (!place.labels.has(other)) place.labels.set(other, { files: choice, siting });
        }
        const labels = own.get(at) ?? new Set();
        own.set(at, labels.add(label));
        if (labels.size > 1) place.split = true;
      }
    }
    const grouped = new Map<string, Map<string, string>>();
    found.forEach(({ labels, split }, at) => {
      if (split) grouped.set(at, groupedCopies([...labels]));
    });
    return grouped;
  };
  const group = (flow: Pick<Flow, "entryCopy">, at: string) => flow.entryCopy && (groups ??= read()).get(at)?.get(entryCopyOf(flow));
  return {
    where: (flow, model) => {
      const at = competesAt(flow, model);
      const copy = group(flow, at);
      return copy === undefined ? at : `${at}|copy ${copy}`;
    },
    group: (flow, model) => group(flow, competesAt(flow, model)),
    choices: (flow, model) => {
      const at = competesAt(flow, model);
      return (flow.entryChoices ?? [flow.entryCopy]).map((entryCopy) => group({ entryCopy }, at));
    },
  };
}

/**
 * Copies of one entry owner by label, each given its group: copies meet where two of their files
 * share a folder, or GitOps delivers them to sites that meet; a group is named by its first file.
 */
function groupedCopies(
  labels: readonly [string, { readonly files: readonly string[]; readonly siting: FileSiting }][],
): Map<string, string> {
  const firsts = connectedGroups(labels, ([, a], [, b]) =>
    a.files.some((file) =>
      b.files.some((other) => {
        const [here, there] = [a.siting.sites(file), b.siting.sites(other)];
        return here.length > 0 && there.length > 0 ? sitesMeet(here, there) : buildFolder(file) === buildFolder(other);
      }),
    ),
  );
  const names = new Map<string, string>();
  labels.forEach(([, { files }], index) => {
    const [group] = firsts[index]!;
    const known = names.get(group);
    if (known === undefined || files[0]! < known) names.set(group, files[0]!);
  });
  return new Map(labels.map(([label], index) => [label, names.get(firsts[index]![0])!]));
}

/** Whether two resources are one object (its identity), in whichever files they are written. */
const sameObject = (a: ResourceId, b: ResourceId): boolean =>
  a.name === b.name && a.namespace === b.namespace && a.kind === b.kind && a.group === b.group;

/** What one flow does, wherever its object is written: its resource's identity, its claim, backends' shares and mirrors. */
function twinKey(flow: Flow, model: TrafficModel): string | undefined {
  const claimed = claimOf(flow, model);
  if (claimed === undefined) return undefined;
  const backends = flow.backends.map((backend) => `${backend.key}=${backend.share}`).sort();
  const mirrors = flow.mirrors.map((mirror) => JSON.stringify(mirror)).sort();
  return JSON.stringify([resourceKey(flow.resource), claimed.claim, backends, mirrors, flow.plan ?? ""]);
}

/** How each tree applies a file, as far as copies of one object go (core/copies-apart.ts): where GitOps delivers it, and the kustomizations building it. */
export interface TreeSites {
  readonly base: FileSiting;
  readonly head: FileSiting;
}

const NOWHERE: FileSiting = { sites: () => [] };

/**
 * Whether two files (each of its tree) that write one object are known to apply it as one object:
 * GitOps delivers both, to sites that meet; or, where it does not place both, one folder holds
 * them (a render's folder is its root's). Equal text is no such evidence: folders are clusters in
 * many repositories (`clusters/east/` and `clusters/west/`, each with its Gateway and route).
 */
function appliedAsOne(file: string, siting: FileSiting, other: string, otherSiting: FileSiting): boolean {
  const [here, there] = [siting.sites(file), otherSiting.sites(other)];
  if (here.length > 0 && there.length > 0) return sitesMeet(here, there);
  return buildFolder(file) === buildFolder(other);
}

/**
 * Whether a kustomize render (`file`, of one tree) is the build of a kustomization the other tree
 * built into another render's root (`into`, of that tree): a kustomization that became a root of
 * its own, or stopped being one, renders what the other root rendered of it all along
 * (argoproj/rollouts-demo 7b38537: the canary overlay, built into the analysis overlay at base,
 * became a root of its own at head, and its Ingresses, which the analysis overlay renders too,
 * read as new routes).
 */
function builtInto(file: string, into: string, otherSiting: FileSiting): boolean {
  const [root, other] = [kustomizeRenderOrigin(file), kustomizeRenderOrigin(into)];
  return root !== undefined && other !== undefined && root !== other && readersOf(root, otherSiting.includedBy).includes(other);
}

/**
 * A copy of one object that appears or vanishes beside a copy that stays as it was moves no
 * request, where the two are known to be applied as one (appliedAsOne), or the copy is the render
 * of a kustomization the kept copy's root built (builtInto): the cluster holds that object either
 * way. Nowhere else: a route dropped from staging's folder while prod's keeps an identical one is
 * gone from staging, and so is west's HTTPRoute dropped from `clusters/west/` beside east's, in a
 * tree nothing places (its Gateway, which stays, routes nothing).
 */
function withoutTwins(pairs: readonly FlowPair[], base: TrafficModel, head: TrafficModel, sites: TreeSites | undefined): FlowPair[] {
  if (pairs.every((pair) => pair.base && pair.head)) return [...pairs];
  // What the flows that stay as they were do, of the objects a flow appears or vanishes from: a
  // copy adding or dropping the same is no change, where it lands where the one kept does.
  const objects = new Set(pairs.flatMap((pair) => (pair.base && pair.head ? [] : [resourceKey((pair.head ?? pair.base)!.resource)])));
  const kept = new Map<string, { readonly base: string; readonly head: string }[]>();
  for (const pair of pairs) {
    if (!pair.base || !pair.head || !objects.has(resourceKey(pair.base.resource))) continue;
    const before = twinKey(pair.base, base);
    if (before === undefined || before !== twinKey(pair.head, head)) continue;
    const files = { base: base.routes.get(pair.base.resourceKey)!.file, head: head.routes.get(pair.head.resourceKey)!.file };
    kept.set(before, [...(kept.get(before) ?? []), files]);
  }
  const beside = (side: "base" | "head", file: string, twins: readonly { readonly base: string; readonly head: string }[]) => {
    const other = side === "base" ? "head" : "base";
    const [here, there] = [sites?.[side] ?? NOWHERE, sites?.[other] ?? NOWHERE];
    return twins.some((twin) => appliedAsOne(file, here, twin[side], here) || builtInto(file, twin[other], there));
  };
  return pairs.filter((pair) => {
    if (pair.base && pair.head) return true;
    const [side, flow, model] = pair.head ? (["head", pair.head, head] as const) : (["base", pair.base!, base] as const);
    const key = twinKey(flow, model);
    const twins = key === undefined ? undefined : kept.get(key);
    return twins === undefined || !beside(side, model.routes.get(flow.resourceKey)!.file, twins);
  });
}

/**
 * A file writing another version of an object the base writes in other files (its route key new at
 * head, the object's base files none of its own), and the base version it is judged against: one
 * file's version replaces the other's where both are applied (`kubectl apply -f`, whichever comes
 * last), so the added one is judged as the edit it is (envoyproxy/gateway 8fa767a980's
 * admission-control.yaml re-attaching HTTPRoute example-route to another Gateway read as a new
 * route, medium, where the same edit in place is high). Not where the two are known to be applied
 * apart (GitOps sites that cannot meet, kustomizations that build one each: core/copies-apart.ts),
 * nor where the base's versions route otherwise each (alternatives, as the resource diff has them:
 * envoyproxy/gateway's examples each write HTTPRoute backend their own way, one applied at a time).
 */
export interface RouteVersion {
  /** The added version's route key and file (head). */
  readonly key: string;
  readonly file: string;
  /** The base version's route key and file; and the files of every base version, all routing alike. */
  readonly baseKey: string;
  readonly baseFile: string;
  readonly baseFiles: readonly string[];
  /**
   * Known to be applied as one (appliedAsOne: one folder, one delivery): only an edit. Otherwise
   * (copies loose in two folders of a tree nothing places) it may as well be an object of another
   * cluster, its rules new there: both are judged (asEdits).
   */
  readonly together: boolean;
}

/** A tree's served flows by route. */
function servedByRoute(model: TrafficModel): Map<string, Flow[]> {
  const flows = new Map<string, Flow[]>();
  for (const flow of servedFlows(model)) {
    const known = flows.get(flow.resourceKey);
    if (known) known.push(flow);
    else flows.set(flow.resourceKey, [flow]);
  }
  return flows;
}

/** The added versions of objects in a PR and the base version each is judged against (RouteVersion); none in nearly every PR. */
export function routeVersions(base: TrafficModel, head: TrafficModel, sites?: TreeSites): RouteVersion[] {
  // Only a key that names its file (or cluster) is one of several copies: other keys are no version.
  const added: [string, RouteEntries][] = [];
  head.routes.forEach((route, key) => {
    if (key.includes("@") && !base.routes.has(key)) added.push([key, route]);
  });
  if (added.length === 0) return [];
  const baseCopies = new Map<string, { readonly key: string; readonly file: string }[]>();
  base.routes.forEach(({ resource, file }, key) => {
    const identity = resourceKey(resource);
    baseCopies.set(identity, [...(baseCopies.get(identity) ?? []), { key, file }]);
  });
  const [atBase, atHead] = [sites?.base ?? NOWHERE, sites?.head ?? NOWHERE];
  // Delivered to sites that cannot meet (two clusters' builds of one overlay), or built apart.
  const apart = (file: string, other: string) => {
    const [here, there] = [atHead.sites(file), atBase.sites(other)];
    return here.length > 0 && there.length > 0 ? !sitesMeet(here, there) : filesApart(other, file, atBase, atHead);
  };
  let flowsAtBase: Map<string, Flow[]> | undefined;
  const routing = (key: string) =>
    JSON.stringify(((flowsAtBase ??= servedByRoute(base)).get(key) ?? []).map((flow) => twinKey(flow, base)).sort());
  return added.flatMap(([key, { resource, file }]) => {
    const copies = baseCopies.get(resourceKey(resource)) ?? [];
    // A copy whose file wrote the object at base is that copy, its key scoped anew.
    if (copies.some((copy) => copy.file === file)) return [];
    const versions = copies.filter((copy) => !apart(file, copy.file));
    if (versions.length === 0 || new Set(versions.map((copy) => routing(copy.key))).size > 1) return [];
    const [{ key: baseKey, file: baseFile }] = versions as [(typeof versions)[number]];
    const baseFiles = versions.map((copy) => copy.file);
    return [{ key, file, baseKey, baseFile, baseFiles, together: appliedAsOne(file, atHead, baseFile, atBase) }];
  });
}

/**
 * The pairs again with each added version's rules paired with its base version's (RouteVersion),
 * by entry as claimed and host (by rule name, then position): a rule of the base version the added
 * one lacks is removed, as an edit would remove it, and one only the added version has is added.
 * Where the two are not known to be applied as one, the added version's rules stay added (an
 * object of its own, maybe elsewhere), and are judged as the edit only where the two contend, on
 * the same entry, host and match, as the graph's conflicts have it: an example for another path
 * writing a route of the same name is no edit dropping the first's.
 */
function asEdits(pairs: readonly FlowPair[], versions: readonly RouteVersion[], base: TrafficModel, head: TrafficModel): FlowPair[] {
  const [baseFlows, headFlows] = [servedByRoute(base), servedByRoute(head)];
  const edits: FlowPair[] = [];
  const judged = new Set<Flow>();
  for (const version of versions) {
    const [was, now] = [baseFlows.get(version.baseKey) ?? [], headFlows.get(version.key) ?? []];
    const slot = (file: string) => (flow: Flow) => {
      const at = `${servedAt({ ...flow, entry: entryAsClaimed(flow.entry, file) })}|${flow.host}`;
      return version.together ? at : `${at}|${flow.match}`;
    };
    const byRule = pairedByRule(was, now, slot(version.baseFile), slot(version.file));
    edits.push(...byRule.pairs.map((pair) => ({ ...pair, version })));
    if (!version.together) continue;
    // Known to be one object, the added version's rules are its edit's, and only that.
    edits.push(...byRule.base.map((flow) => ({ base: flow, version })), ...byRule.head.map((flow) => ({ head: flow, version })));
    for (const flow of now) judged.add(flow);
  }
  return [...pairs.filter((pair) => pair.base || !judged.has(pair.head!)), ...edits];
}

/**
 * Copies of one object that GitOps delivers to sites apart are one object per site: a cluster holds
 * one of them (core/sites-taken-over.ts). Where a delivery is pointed at another copy's folder
 * (Application frontend-jkt from `overlays/jkt` to `overlays/sgp`; a cluster's Flux Kustomization
 * from `./apps/sgp` to `./apps/jkt`, or from `./apps/common` to `./apps/jkt` while sgp's stays),
 * each site a copy's file leaves is compared with the copy that now serves the same claim there:
 * not removed where that copy still serves it (jkt's frontend read as "no longer served"), nor
 * placed nowhere (sgp's reviews read as "now placed in unknown"), nor unchanged where it serves
 * otherwise (jkt cut over from common's v1 to its own folder's v2 read as nothing); and that copy,
 * compared with itself, does not reach those sites anew (sgp's canary read as arriving "in new
 * region jkt"). A site no copy served before is still new.
 */
function bySite(pairs: readonly FlowPair[], base: TrafficModel, head: TrafficModel, sites: TreeSites | undefined): FlowPair[] {
  if (!sites) return [...pairs];
  const fileIn = (model: TrafficModel, flow: Flow) => model.routes.get(flow.resourceKey)?.file;
  const headSites = (flow: Flow) => sites.head.sites(fileIn(head, flow) ?? "");
  const baseSites = (flow: Flow) => sites.base.sites(fileIn(base, flow) ?? "");
  // Flows whose file leaves sites it was on: removed, kept where nothing delivers it any more (alike
  // where no cluster is named: then the head holds the base's very flow), or delivered to fewer
  // clusters. Most PRs have none, and nothing more is read.
  const leaving = pairs.flatMap(({ base: was, head: now }) => {
    const left = was ? sitesLeft(baseSites(was), now ? headSites(now) : []) : [];
    return left.length > 0 ? [{ was: was!, left }] : [];
  });
  if (leaving.length === 0) return [...pairs];
  const claimIn = (model: TrafficModel, flow: Flow) => {
    const claimed = claimOf(flow, model);
    const { group, kind, namespace, name } = flow.resource;
    return claimed && JSON.stringify([group, kind, namespace, name, claimed.claim]);
  };
  // Head flows by the object and claim they serve.
  const serving = new Map<string, Flow[]>();
  for (const { head: now } of pairs) {
    const claim = now && claimIn(head, now);
    if (claim) serving.set(claim, [...(serving.get(claim) ?? []), now!]);
  }
  /** The head copies taking over sites of each leaving base flow, the sites they take from it, and the sites each head copy takes over. */
  const takenBy = new Map<Flow, Flow[]>();
  const given = new Map<Flow, Set<string>>();
  const takesOver = new Map<Flow, Set<string>>();
  for (const { was, left } of leaving) {
    const [claim, file] = [claimIn(base, was), fileIn(base, was)];
    const copies = claim === undefined ? [] : (serving.get(claim) ?? []).filter((flow) => fileIn(head, flow) !== file);
    const takeovers = takeoversOf(left, copies, headSites);
    if (takeovers.length === 0) continue;
    takenBy.set(
      was,
      takeovers.map(({ copy }) => copy),
    );
    given.set(was, new Set(takeovers.flatMap(({ sites: taken }) => taken)));
    for (const { copy, sites: taken } of takeovers) takesOver.set(copy, new Set([...(takesOver.get(copy) ?? []), ...taken]));
  }
  if (takenBy.size === 0) return [...pairs];
  return pairs.flatMap((pair) => {
    const { base: was } = pair;
    // Keyed as the flow of the site it was, and of the object there (the resource diff's version
    // change, diff/resource-diff.ts): the copy's own pair keeps the copy's keys.
    const taken = (was ? (takenBy.get(was) ?? []) : []).map((taker) => ({
      base: was!,
      head: { ...placedLike(taker, headSites(taker), was!, baseSites(was!)), key: was!.key, resourceKey: was!.resourceKey },
    }));
    return [...ownPair(pair), ...taken];
  });

  /**
   * A copy's own pair, for the sites it stands for on each side: not those it gave to other
   * copies, nor those it took from them (those pairs judge them). Standing for none on either side
   * (delivered nowhere but where others' copies were, or only where its own now is), none; standing
   * for the same sites, compared there (common's copy, kept on sgp only, is no region lost on jkt).
   */
  function ownPair(pair: FlowPair): FlowPair[] {
    const { base: was, head: now } = pair;
    const gave = was && given.get(was);
    const took = now && takesOver.get(now);
    if (!gave && !took) return [pair];
    const before = was ? baseSites(was).filter((site) => !gave?.has(site)) : [];
    const after = now ? headSites(now).filter((site) => !took?.has(site)) : [];
    if (before.length === 0 && after.length === 0) return [];
    if (!was || !now || !sameItems(before, after)) return [pair];
    if (sameItems(after, headSites(now))) return [{ base: placedLike(was, baseSites(was), now, headSites(now)), head: now }];
    return sameItems(before, baseSites(was)) ? [{ base: was, head: placedLike(now, headSites(now), was, baseSites(was)) }] : [pair];
  }
}

/**
 * A flow as served on another flow's sites: its backends placed by its file's clusters (the last
 * source of placement, DESIGN §6) take the other's file placement; backends placed by what they are
 * (a policy name pattern, a ServiceImport's exports) stay where they run.
 */
function placedLike(flow: Flow, sites: readonly string[], like: Flow, likeSites: readonly string[]): Flow {
  const byFile = (backend: Backend, on: readonly string[]) => {
    const named = on.filter(isNamedCluster);
    // A file on several clusters places a cluster-local Service on each (model/placement.ts).
    return named.length > 0 && backend.placement.multiCluster === named.length > 1 && sameItems(backend.placement.clusters, named);
  };
  const placement = like.backends.find((backend) => byFile(backend, likeSites))?.placement;
  if (!placement) return flow;
  return { ...flow, backends: flow.backends.map((backend) => (byFile(backend, sites) ? { ...backend, placement } : backend)) };
}

/**
 * A key names its file only while another file defines the same identity (Resource.key), so a
 * copy appearing or vanishing elsewhere, or the route renamed out of a shared name, scopes or
 * unscopes its flows' entries without moving a request (eks-workshop-v2 0611f14: Ingress ui/ui
 * renamed ui-multi beside another lab's ui/ui read as removed and added). Flows left unpaired
 * that claim the same entry, cluster, host and match from the same file are one.
 */
function pairedAcrossScopes(
  leftBase: readonly Flow[],
  leftHead: readonly Flow[],
  base: TrafficModel,
  head: TrafficModel,
): { base?: Flow; head?: Flow }[] {
  if (leftBase.length === 0 || leftHead.length === 0)
    return [...leftBase.map((flow) => ({ base: flow })), ...leftHead.map((flow) => ({ head: flow }))];
  const place = (flow: Flow, model: TrafficModel): string | undefined => {
    const claimed = claimOf(flow, model);
    return claimed && JSON.stringify([claimed.claim, claimed.file]);
  };
  const heads = new Map<string, Flow[]>();
  for (const flow of leftHead) {
    const at = place(flow, head);
    if (at === undefined) continue;
    const flows = heads.get(at);
    if (flows) flows.push(flow);
    else heads.set(at, [flow]);
  }
  const pairs: { base?: Flow; head?: Flow }[] = [];
  const taken = new Set<Flow>();
  for (const flow of leftBase) {
    const at = place(flow, base);
    const match = at === undefined ? undefined : heads.get(at)?.shift();
    if (match) taken.add(match);
    pairs.push(match ? { base: flow, head: match } : { base: flow });
  }
  for (const flow of leftHead) if (!taken.has(flow)) pairs.push({ head: flow });
  return pairs;
}

/** Whether a rule may take some of the requests of these shapes. */
const takesSomeOf = (rule: Flow, shapes: readonly RequestShape[]): boolean =>
  requestShapes(rule.match).some((a) => shapes.some((b) => mayOverlap(a, b)));

/** A tree's flows competing for the same requests (where served, competesAt, and host), in the order they are tried. */
function flowSlots(model: TrafficModel, where: Where): Map<string, Flow[]> {
  const slots = new Map<string, Flow[]>();
  for (const flow of servedFlows(model)) {
    const key = `${where(flow, model)}|${flow.host}`;
    const list = slots.get(key);
    if (list) list.push(flow);
    else slots.set(key, [flow]);
  }
  for (const list of slots.values()) list.sort((a, b) => a.precedence - b.precedence);
  return slots;
}

/** A flow's host without the section an L4 rule adds to it (`db.example.com (tcp)`). */
const hostParts = (host: string): [name: string, section: string] => {
  const at = host.indexOf(" (");
  return at < 0 ? [host, ""] : [host.slice(0, at), host.slice(at)];
};

/** Whether requests for `host` surely reach rules written for `pattern` (an L4 rule's section alike). */
export function hostCovers(pattern: string, host: string): boolean {
  const [[patternName, patternSection], [name, section]] = [hostParts(pattern), hostParts(host)];
  return patternSection === section && surelyCovers(patternName, name);
}

/** Whether some requests for `host` may reach rules written for `pattern` (an L4 rule's section alike). */
export function hostMeets(pattern: string, host: string): boolean {
  const [[patternName, patternSection], [name, section]] = [hostParts(pattern), hostParts(host)];
  return patternSection === section && hostsOverlap(patternName, name);
}

/** `*` last; of wildcards, the longest (most specific) first: the order hosts are chosen in. */
const bySpecificity = (a: string, b: string): number => (a === "*" ? 1 : b === "*" ? -1 : b.length - a.length);

/**
 * The first rule at head that a removed rule's requests reach, when it takes all of them: a rule
 * for the same host, or, when the head keeps none for that host, for the most specific wildcard
 * host that takes it (a route's `shop.example.com` widened to `*.example.com` still serves it);
 * of rules ranked across routes by priority (Traefik's), the one that ranks first (priorityTaker).
 * `besides`: a narrowed rule that still takes some of them, passed over for where the rest goes.
 */
function fallbackOf(
  { flow: removed, at, mayTake }: Lost,
  { slots, wildcardsAt, ranked }: Slots,
  baseSlots: ReadonlyMap<string, readonly Flow[]>,
  besides?: Flow,
): Flow | undefined {
  const shapes = requestShapes(removed.match);
  const overlaps = (rival: Flow) => mayTake(rival) && takesSomeOf(rival, shapes);
  // A rival's match is read once, however many of the removed rule's shapes and rivals ask.
  const parsed = new Map<Flow, readonly RequestShape[]>();
  const shapesOf = (rule: Flow) => {
    let found = parsed.get(rule);
    if (!found) parsed.set(rule, (found = requestShapes(rule.match)));
    return found;
  };
  const takesAll = (rival: Flow | undefined) => rival && shapes.every((b) => shapesOf(rival).some((a) => covers(a, b)));
  // The base's rules the removed one was tried among: its own copy's and other objects', not another copy's of its object.
  const triedAmong = (host: string) =>
    (baseSlots.get(`${at}|${host}`) ?? []).filter(
      (rule) => rule.resourceKey === removed.resourceKey || !sameObject(rule.resource, removed.resource),
    );
  if (removed.priority) return priorityTaker(removed, ranked.get(at) ?? [], overlaps, takesAll, besides);
  const sameHost = slots.get(`${at}|${removed.host}`);
  if (sameHost) {
    // Of a first-match family, a rule that came first at base took its requests then too: the
    // removed rule never had them (a delegate's /accounts/profile ahead of its /accounts, the root
    // narrowed to the former: the rest of /accounts falls through to the catch-all). Gateway API
    // ranks rules by their matches, not their order: a catch-all written first takes none of /api.
    const ahead = new Set(
      FIRST_MATCH_GROUPS.has(removed.resource.group)
        ? triedAmong(removed.host)
            .filter((rule) => rule.precedence < removed.precedence)
            .map((rule) => rule.key)
        : [],
    );
    const rivals = sameHost.filter((rival) => !ahead.has(rival.key) && rival.key !== besides?.key && overlaps(rival));
    if (FIRST_MATCH_GROUPS.has(removed.resource.group)) return takesAll(rivals[0]) ? rivals[0] : undefined;
    return rankedTaker(rivals, shapes, takesAll, shapesOf);
  }
  // The most specific wildcard host that may take some of its requests takes them, and is their
  // fallback only if it surely takes them all: `*` behind a `*.dev` is none for `*.chestr.dev` (or
  // `a.chestr.dev`), which `*.dev` may take first.
  const nearest = wildcardsAt.get(at)?.find((host) => hostMeets(host, removed.host));
  const wildcard = nearest !== undefined && hostCovers(nearest, removed.host) ? nearest : undefined;
  // Rules of other routes on one host are ranked by how specific their matches are, not by their
  // order: only a rule that alone can take the requests is sure to take them all — unless they
  // are all the removed rule's own resource's, tried in its order (an Istio VirtualService whose
  // host was widened to a wildcard keeps its first-match rules).
  const slot = wildcard === undefined ? [] : (slots.get(`${at}|${wildcard}`) ?? []).filter(mayTake);
  const inOrder =
    slot.length > 0 && FIRST_MATCH_GROUPS.has(removed.resource.group) && slot.every((rule) => rule.resourceKey === removed.resourceKey);
  if (inOrder) {
    // Tried in the same order with the same matches as the host's rules were: each rule takes what its twin took.
    const before = triedAmong(removed.host).filter((rule) => rule.resourceKey === removed.resourceKey);
    const same = before.length === slot.length && before.every((rule, index) => rule.match === slot[index]!.match);
    return same ? slot[before.indexOf(removed)] : undefined;
  }
  // A root VirtualService's rules with those of its delegates (flows of the delegate's resource):
  // tried in the same order with the same matches, rule by rule, each takes what its twin took.
  if (
    slot.length > 0 &&
    FIRST_MATCH_GROUPS.has(removed.resource.group) &&
    slot.every((rule) => FIRST_MATCH_GROUPS.has(rule.resource.group))
  ) {
    const before = triedAmong(removed.host);
    const same =
      before.length === slot.length &&
      before.every((rule, index) => rule.match === slot[index]!.match && rule.resourceKey === slot[index]!.resourceKey);
    if (same) return slot[before.indexOf(removed)];
  }
  const candidates = slot.filter((rule) => takesSomeOf(rule, shapes));
  return candidates.length === 1 && takesAll(candidates[0]) ? candidates[0] : undefined;
}

/**
 * Of rules ranked across routes by priority (Flow.priority: Traefik's routers, by default the
 * length of their rule), the one that takes all of a removed rule's requests: of the rules of its
 * entry whose hosts meet its own (a rule testing no host among them) and that may take some of
 * them, one that takes them all and surely ranks ahead of every other. Not how specific a match
 * is: a `PathPrefix(`/`)` catch-all of any host, longer than the host's own rule, takes `/admin`
 * before it.
 */
function priorityTaker(
  removed: Flow,
  rivals: readonly Flow[],
  overlaps: (rival: Flow) => boolean,
  takesAll: (rival: Flow) => boolean | undefined,
  besides?: Flow,
): Flow | undefined {
  const competing = rivals.filter((rival) => rival.key !== besides?.key && hostMeets(rival.host, removed.host) && overlaps(rival));
  return competing.find(
    (taker) =>
      hostCovers(taker.host, removed.host) &&
      takesAll(taker) &&
      competing.every((other) => other === taker || priorityOrder(taker.priority!, other.priority!) === "ahead"),
  );
}

/**
 * Of rules ranked by their matches (Gateway API, Ingress), the one that takes all of a removed
 * rule's requests: one that takes them all and that precedence surely picks over every other rule
 * that takes some (an Exact path, a longer prefix), or whose rivals send where it does. The first
 * in document order is not it: with `/` → a, `/api` → b and `/api/v1` (or a regular expression
 * under it) → a, the last removed sends `/api/v1/*` to b, by the longer prefix, not to a.
 */
function rankedTaker(
  rivals: readonly Flow[],
  shapes: readonly RequestShape[],
  takesAll: (rival: Flow) => boolean | undefined,
  shapesOf: (rule: Flow) => readonly RequestShape[],
): Flow | undefined {
  const wins = (taker: Flow, rival: Flow) =>
    rival === taker ||
    sameValue(rival.backends, taker.backends) ||
    shapes.every((shape) =>
      shapesOf(taker)
        .filter((own) => covers(own, shape))
        .every((own) => shapesOf(rival).every((other) => outranks(own, other))),
    );
  return rivals.find((taker) => takesAll(taker) && rivals.every((rival) => wins(taker, rival)));
}

/** Each entry's wildcard hosts, most specific first: the order a request's host is matched against them. */
function wildcardHosts(
  slots: ReadonlyMap<string, readonly Flow[]>,
  model: TrafficModel,
  where: Where,
): ReadonlyMap<string, readonly string[]> {
  const wildcardsAt = new Map<string, string[]>();
  for (const flows of slots.values()) {
    const { host } = flows[0]!;
    if (!host.startsWith("*")) continue;
    const at = where(flows[0]!, model);
    const known = wildcardsAt.get(at);
    if (known) known.push(host);
    else wildcardsAt.set(at, [host]);
  }
  for (const hosts of wildcardsAt.values()) hosts.sort(bySpecificity);
  return wildcardsAt;
}

/**
 * A tree's rules by where they compete and host, each entry's wildcard hosts, and the rules ranked
 * across routes by priority by where they compete: read once, for where lost requests go.
 */
interface Slots {
  readonly slots: ReadonlyMap<string, readonly Flow[]>;
  readonly wildcardsAt: ReadonlyMap<string, readonly string[]>;
  readonly ranked: ReadonlyMap<string, readonly Flow[]>;
}

const slotsOf = (model: TrafficModel, where: Where): Slots => {
  const slots = flowSlots(model, where);
  const ranked = new Map<string, Flow[]>();
  for (const flows of slots.values())
    for (const flow of flows) {
      if (!flow.priority) continue;
      const at = where(flow, model);
      const known = ranked.get(at);
      if (known) known.push(flow);
      else ranked.set(at, [flow]);
    }
  return { slots, wildcardsAt: wildcardHosts(slots, model, where), ranked };
};

/**
 * The copy of an object that holds it in the other tree, where a rule lost from one tree is looked
 * for: by default the rule's own (its key, or its file there); for a base version judged against
 * an added one, the added one (FlowPair.version), and for the added one's rules at base, the base version.
 */
interface Holder {
  readonly key: string;
  readonly file: string | undefined;
}

/**
 * A rule lost from one tree (removed, or a match it gave up) as looked for in the other: where it
 * competed, and which rules there may take its requests. Another object's rule may; another copy
 * of its own object may not: where both are applied, whichever file comes last holds the object
 * whole (a route dropped from west's folder is not served by east's copy, nor a rule an added
 * version lacks by the base version's copy that stays).
 */
interface Lost {
  readonly flow: Flow;
  readonly at: string;
  readonly mayTake: (rule: Flow) => boolean;
}

const lostFrom =
  (from: TrafficModel, to: TrafficModel, where: Where) =>
  (flow: Flow, holder?: Holder): Lost => {
    const { key, file } = holder ?? { key: flow.resourceKey, file: from.routes.get(flow.resourceKey)?.file };
    return {
      flow,
      at: where(flow, from),
      mayTake: (rule) =>
        rule.resourceKey === key || !sameObject(rule.resource, flow.resource) || to.routes.get(rule.resourceKey)?.file === file,
    };
  };

/**
 * Whether any rule of the head model may take some of a flow's requests: one of its host (the
 * changed rule itself included), or of a wildcard host that covers it. When none may, they are
 * served nowhere; when some may, where they all go is left to the match change. `given`: the plain
 * requests a narrowed rule surely gives up (givenUp), where only those are asked about, not whether
 * a rule overlaps the alternative: `/cart/checkout` beside `/cart` narrowed to `/cart/items` takes
 * neither `/cart` nor `/cart/view`, which answer 404; a `POST /api` rule beside `/api` pinned to
 * `GET` takes some of them (whether the API serves PUT or DELETE is not known).
 */
function servedAnywhere({ flow: lost, at, mayTake }: Lost, { slots, wildcardsAt }: Slots, given?: readonly PlainRequest[]): boolean {
  const shapes = requestShapes(lost.match);
  const takes = given
    ? (rule: Flow) => requestShapes(rule.match).some((a) => given.some((request) => takesPlain(a, shapes[0]!, request)))
    : (rule: Flow) => takesSomeOf(rule, shapes);
  const hosts = [lost.host, ...(wildcardsAt.get(at) ?? []).filter((host) => hostCovers(host, lost.host))];
  return hosts.some((host) => (slots.get(`${at}|${host}`) ?? []).some((rule) => mayTake(rule) && takes(rule)));
}

/**
 * The base match's alternatives that no rule of the head may take any request of: dropped from the
 * rule, or narrowed so that it surely gives up some of their requests (givenUp) and no rule may
 * take any of those — `/cart` narrowed to `/cart/items`, or given a header test, on a host with no
 * other rule for `/cart` (or only one for `/cart/checkout`): the rest of it answers 404 (Envoy's route_not_found).
 */
function unservedAlternatives(
  base: Flow,
  head: Flow,
  servedAnywhere: (lost: Flow, given?: readonly PlainRequest[]) => boolean,
): Unserved[] {
  const kept = requestShapes(head.match);
  return base.match.split(" | ").flatMap((match) => {
    const shape = requestShapes(match)[0]!;
    const partly = kept.some((taken) => mayOverlap(taken, shape));
    const given = partly && !kept.some((taken) => covers(taken, shape)) ? givenUp(kept, shape) : [];
    if (partly && given.length === 0) return [];
    if (servedAnywhere({ ...base, match }, partly ? given : undefined)) return [];
    return [{ match, ...(partly ? { partly: true as const } : {}) }];
  });
}

/**
 * The entry's default backend (Flow.takesUnmatched), where no rule of the host but `besides` (a
 * narrowed rule) may take any of a flow's requests: a MultiClusterIngress path `/api` renamed
 * `/v2/api`, or removed, sends `/api` there.
 */
function defaultTaker({ flow: lost, at, mayTake }: Lost, { slots }: Slots, besides?: Flow): Flow | undefined {
  const shapes = requestShapes(lost.match);
  if ((slots.get(`${at}|${lost.host}`) ?? []).some((rule) => rule.key !== besides?.key && mayTake(rule) && takesSomeOf(rule, shapes)))
    return undefined;
  const defaults = (slots.get(`${at}|*`) ?? []).filter((rule) => rule.takesUnmatched && mayTake(rule));
  return defaults.length === 1 ? defaults[0] : undefined;
}

/**
 * The alternatives of a rule's base match that its head match no longer takes all of, where one
 * other rule at head takes all of the alternative (fallbackOf, passing over the rule itself): what
 * the rule gave up goes there. A narrowed match gives up as a renamed one does: `/east` →
 * `/east/api` leaves the rest of `/east` to the catch-all as `/east` → `/us-east` leaves all of it.
 */
function givenUpTo(base: Flow, head: Flow, takerOf: (lost: Flow, besides?: Flow) => Flow | undefined): Strayed[] {
  const kept = requestShapes(head.match);
  return base.match.split(" | ").flatMap((match) => {
    const shape = requestShapes(match)[0]!;
    if (kept.some((taken) => covers(taken, shape))) return [];
    const partly = kept.some((taken) => mayOverlap(taken, shape));
    const to = takerOf({ ...base, match }, head);
    return to ? [{ match, ...(partly ? { partly: true as const } : {}), to, backends: diffBackends(base, to) }] : [];
  });
}

/** What a rule gave up that its taker sends to other backends, or splits otherwise (Strayed). */
const strayedOf = (givenUp: readonly Strayed[]): Strayed[] =>
  givenUp.filter(({ backends }) => !sameShares(backends) || !samePlacement(backends));

/**
 * The rules at base that took what a widened rule now takes: each alternative of its head match
 * that no alternative of its base match took all of, taken all of at base by one other rule
 * (`/api/public` widened to `/api`: the rest of `/api` was the catch-all's).
 */
function takenFrom(base: Flow, head: Flow, takerOf: (gained: Flow, besides?: Flow) => Flow | undefined): Flow[] {
  const had = requestShapes(base.match);
  return head.match.split(" | ").flatMap((match) => {
    const shape = requestShapes(match)[0]!;
    if (had.some((taken) => covers(taken, shape))) return [];
    const from = takerOf({ ...head, match }, base);
    return from ? [from] : [];
  });
}

/**
 * Whether each of a flow's alternatives is taken, in the other tree, by a rule sending it to the
 * same backends split the same way: a rule split in two (POST apart from PUT and DELETE, both to
 * api-primary), or two merged, moves no request.
 */
function landsAlike(flow: Flow, takerOf: (lost: Flow) => Flow | undefined, own = flow.resourceKey): boolean {
  return flow.match.split(" | ").every((alternative) => {
    const taker = takerOf({ ...flow, match: alternative });
    // A family that does not say how its rules handle requests never has them taken as alike; nor
    // does another route's rule, which policies attached by route (an authorizer) may not reach.
    // `own`: the route whose rules are its own in the other tree (another version of its object).
    if (!taker || flow.handling === undefined || taker.handling !== flow.handling || taker.resourceKey !== own) return false;
    if (taker.plan !== flow.plan || !sameMirrors(flow, taker)) return false;
    const backends = diffBackends(flow, taker);
    return sameShares(backends) && samePlacement(backends);
  });
}

/** Whether two rules surely handle requests alike (RuleShape.handling): unsaid, as for a rule that rewrites its matched prefix, they may not. */
const handledAlike = (a: Flow, b: Flow): boolean => a.handling !== undefined && a.handling === b.handling;

const judgedKind = ({ resource }: Flow): string => `${resource.group}/${resource.kind}`;

/**
 * Requests passing from one rule to another, where their family may judge the handling they leave
 * against the handling they meet: two rules of one kind it judges (HANDLING_JUDGED_KINDS), not
 * surely handled alike. Elsewhere nothing would judge them: a row saying they were rehandled would
 * be noise, and the move is judged by where the requests go, as it was.
 */
function handedOver(from: Flow, to: Flow, changed: Handover["changed"]): Handover | undefined {
  if (handledAlike(from, to) || judgedKind(from) !== judgedKind(to) || !HANDLING_JUDGED_KINDS.has(judgedKind(from))) return undefined;
  const backends = diffBackends(from, to);
  return { from, to, changed, ...(sameShares(backends) && samePlacement(backends) ? {} : { elsewhere: true as const }) };
}

/** Handovers once each: several alternatives of one rule may pass to the same rule. */
const once = (handovers: readonly (Handover | undefined)[]): Handover[] => {
  const seen = new Set<string>();
  return handovers.filter((handover): handover is Handover => {
    if (!handover) return false;
    const key = `${handover.from.key}|${handover.to.key}`;
    return !seen.has(key) && (seen.add(key), true);
  });
};

/**
 * A rule that lands on another object of its entry's name at head (copyGroups: a route moved from
 * one example folder to another, each with its own Gateway) has left the one it was on and is new
 * on the other: its pair is split in a removal and an addition, each judged where it competes.
 * Rules of two folders' routes claiming one key are paired by it across their Gateways (the key
 * goes to the first claimant of the tree, not of each Gateway): split, each is paired again with
 * its own route's rule on the same Gateway, by rule name, then position (pairedByRule). A version
 * a file adds in another folder, on that folder's Gateway, contends with the base's on its own no
 * more than another object does (gateway-api f5a88e95d5's `standard/tcp-routing/` beside
 * `experimental/basic-tcp.yaml`, which stays): no edit of it (RouteVersion.together aside, one object).
 */
function movedAcrossCopies(pairs: readonly FlowPair[], base: TrafficModel, head: TrafficModel, copies: CopyGroups): FlowPair[] {
  /**
   * Whether a pair's rules land on one copy (or on copies not told apart), across copies, or on two
   * copies that are each among those it may be on at either side (then the files of one such copy).
   */
  const landing = ({ base: was, head: now }: FlowPair): "one" | "across" | readonly string[] => {
    if (!was?.entryCopy || !now?.entryCopy || entryCopyOf(was) === entryCopyOf(now)) return "one";
    const [from, to] = [copies.group(was, base), copies.group(now, head)];
    if (from === undefined || to === undefined || from === to) return "one";
    // A route left in its file that lands on one of several copies by tree order alone
    // (Flow.entryChoices) has not moved while a copy it may be on at base is one it may be on at
    // head: another copy's folder was renamed or deleted (gateway-api-inference-extension
    // a42fc1d897's bbr-example routes, read as removed and added). A route moved to another file
    // has left the copies it no longer may be on, and one that now has a copy of its own nearest
    // (none it may have been on) has moved to it.
    if (base.routes.get(was.resourceKey)?.file !== head.routes.get(now.resourceKey)?.file) return "across";
    const can = copies.choices(now, head);
    const shared = copies.choices(was, base).findIndex((group) => group !== undefined && can.includes(group));
    return shared < 0 ? "across" : (was.entryChoices ?? [was.entryCopy])[shared]!;
  };
  const crosses = (pair: FlowPair) => landing(pair) === "across";
  // Such a pair's rules are compared on a copy both may be on: where an edit's lost requests go is
  // looked for there, not on a copy gone with its renamed folder.
  const judged = (pair: FlowPair): FlowPair => {
    const on = landing(pair);
    if (typeof on === "string") return pair;
    const onShared = (flow: Flow) => (flow.entryCopy === on ? flow : { ...flow, entryCopy: on });
    return { ...pair, base: onShared(pair.base!), head: onShared(pair.head!) };
  };
  if (!pairs.some(crosses)) return pairs.map(judged);
  const loose = (pair: FlowPair) => !pair.version && (!pair.base || !pair.head || crosses(pair));
  const kept = pairs.flatMap((pair) => {
    if (loose(pair)) return [];
    const { base: was, head: now, version } = pair;
    if (!crosses(pair)) return [judged(pair)];
    return version?.together
      ? [
          { base: was!, version },
          { head: now!, version },
        ]
      : [];
  });
  const slot = (model: TrafficModel) => (flow: Flow) => `${flow.resourceKey}|${flow.entry}|${flow.host}|${copies.group(flow, model) ?? ""}`;
  const rest = pairs.filter(loose);
  const again = pairedByRule(
    rest.flatMap(({ base: was }) => (was ? [was] : [])),
    rest.flatMap(({ head: now }) => (now ? [now] : [])),
    slot(base),
    slot(head),
  );
  return [...kept, ...again.pairs, ...again.base.map((flow) => ({ base: flow })), ...again.head.map((flow) => ({ head: flow }))];
}

export function diffRoutes(base: TrafficModel, head: TrafficModel, sites?: TreeSites, versions: readonly RouteVersion[] = []): RouteDiff[] {
  const diffs: RouteDiff[] = [];
  // Each tree's rules by where they compete, read when a lost rule is first looked for.
  const slots: { base?: Slots; head?: Slots } = {};
  const copies = copyGroups(base, head, sites);
  const slotsAt = (side: "base" | "head") => (slots[side] ??= slotsOf(side === "base" ? base : head, copies.where));
  const [lostAtHead, gainedAtBase] = [lostFrom(base, head, copies.where), lostFrom(head, base, copies.where)];
  for (const pair of movedAcrossCopies(pairFlows(base, head, sites, versions), base, head, copies)) {
    // The head model shares the base's object for a flow the PR left as it was.
    if (pair.base === pair.head) continue;
    // Where the pair's rules are looked for in the other tree: as their own copy's, or as versions of one object.
    const { version } = pair;
    const heldAtHead = version && { key: version.key, file: version.file };
    const heldAtBase = version && { key: version.baseKey, file: version.baseFile };
    // Where a lost rule's requests go (fallbackOf), its own tree's rules read to compare orders.
    const atHead = (lost: Flow, besides?: Flow) =>
      fallbackOf(lostAtHead(lost, heldAtHead), slotsAt("head"), slotsAt("base").slots, besides);
    // What takes a lost request at head: a rule, else the default backend of its entry (an Ingress's).
    const takerAtHead = (lost: Flow, besides?: Flow) =>
      atHead(lost, besides) ?? defaultTaker(lostAtHead(lost, heldAtHead), slotsAt("head"), besides);
    const atBase = (gained: Flow, besides?: Flow) =>
      fallbackOf(gainedAtBase(gained, heldAtBase), slotsAt("base"), slotsAt("head").slots, besides);
    // Requests that reach the same backends, split the same way, on either side: no traffic moved.
    if (!pair.base && landsAlike(pair.head!, atBase, heldAtBase?.key)) continue;
    if (
      pair.base &&
      pair.head &&
      pair.base.match !== pair.head.match &&
      landsAlike(pair.base, atHead, heldAtHead?.key) &&
      landsAlike(pair.head, atBase, heldAtBase?.key)
    )
      continue;
    // A removed Ingress path that no other path of its host takes is the default backend's, as a renamed one is.
    const fallback = pair.base && !pair.head ? takerAtHead(pair.base) : undefined;
    if (pair.base && !pair.head && !fallback && landsAlike(pair.base, atHead, heldAtHead?.key)) continue;
    // Where no rule of its host is left, its requests reach the default route, which sends them where
    // this rule did; while one is, a request no rule matches is refused (Envoy's route_not_found).
    const lost = pair.base && !pair.head && !fallback && pair.base.routesAsDefault ? lostAtHead(pair.base, heldAtHead) : undefined;
    if (lost && !(slotsAt("head").slots.get(`${lost.at}|${lost.flow.host}`) ?? []).some(lost.mayTake)) continue;
    if (fallback) {
      const backends = diffBackends(pair.base, fallback);
      // The same requests, split the same way elsewhere, handled alike: nothing changed for them.
      // Handled otherwise, they lose the removed rule's own timeout, retries or rewrite.
      const handover = handedOver(pair.base!, fallback, "from");
      const moved = !sameShares(backends) || !samePlacement(backends);
      if (!moved && !handover) continue;
      diffs.push({
        key: pair.base!.key,
        status: moved ? "removed" : "rehandled",
        base: pair.base!,
        fallback,
        ...(version ? { version } : {}),
        backends,
        regions: diffRegions(pair.base, fallback),
        ...(handover ? { handovers: [handover] } : {}),
      });
      continue;
    }
    // A new rule taking requests the base sent elsewhere changes how they are handled: a 1 s
    // timeout with retries on writes ahead of a 30 s catch-all to the same Service; `/admin` split
    // out to its own Service from a catch-all whose ExtensionRef authenticated it.
    const taker = !pair.base ? atBase(pair.head!) : undefined;
    const handover = taker && handedOver(taker, pair.head!, "to");
    const backends = diffBackends(pair.base, pair.head);
    const status: RouteDiffStatus | undefined = !pair.base
      ? "added"
      : !pair.head
        ? "removed"
        : pair.base.match !== pair.head.match
          ? "match-changed"
          : !sameShares(backends) ||
              !samePlacement(backends) ||
              !sameAnswers(backends) ||
              !sameMirrors(pair.base, pair.head) ||
              pair.base.plan !== pair.head.plan
            ? "changed"
            : undefined;
    if (!status) continue;
    const unserved =
      status === "match-changed"
        ? unservedAlternatives(pair.base!, pair.head!, (lost, given) =>
            servedAnywhere(lostAtHead(lost, heldAtHead), slotsAt("head"), given),
          )
        : [];
    // What a narrowed rule gives up meets its taker's handling; what a widened one takes leaves the
    // handling of the rule that took it at base (an authenticating catch-all).
    const givenUp = status === "match-changed" ? givenUpTo(pair.base!, pair.head!, takerAtHead) : [];
    const strayed = strayedOf(givenUp);
    const handovers = once([
      handover,
      ...givenUp.map(({ to }) => handedOver(pair.base!, to, "from")),
      ...(status === "match-changed" ? takenFrom(pair.base!, pair.head!, atBase).map((from) => handedOver(from, pair.head!, "to")) : []),
    ]);
    diffs.push({
      key: (pair.head ?? pair.base)!.key,
      status,
      ...(pair.base ? { base: pair.base } : {}),
      ...(pair.head ? { head: pair.head } : {}),
      ...(version ? { version } : {}),
      backends,
      regions: diffRegions(pair.base, pair.head),
      ...(unserved.length > 0 ? { unserved } : {}),
      ...(strayed.length > 0 ? { strayed } : {}),
      ...(handovers.length > 0 ? { handovers } : {}),
    });
  }
  return diffs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
