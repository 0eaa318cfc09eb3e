import * as jsyaml from "js-yaml";
import type * as z from "zod";
import defaultPolicyText from "../../policies/default.yml";
import regulatedPolicyText from "../../policies/regulated.yml";
import { RISK_LEVELS } from "../core/risk-level.js";
import { evidenceNameIndex } from "./evidence-names.js";
import { mergePolicy, type PolicyOverlay } from "./merge-policy.js";
import { PolicyError } from "./policy-error.js";
import { PolicySchema, type ApprovalRule, type Policy } from "./policy-schema.js";

export { PolicyError } from "./policy-error.js";

/** Where a repository keeps its policy; a PR is governed by the base branch's (DESIGN §8). */
export const POLICY_PATH = ".github/route-governor.yml";
/**
 * Both YAML spellings of it: a team that saved its stricter policy as `.github/route-governor.yaml`
 * must not be governed by the defaults without a word (`.github/**` is outside the review).
 */
export const POLICY_PATHS: readonly string[] = [POLICY_PATH, ".github/route-governor.yaml"];

export const isPolicyPath = (path: string): boolean => POLICY_PATHS.includes(path);

/** A repository's policy file as a tree holds it. */
export interface PolicyFile {
  readonly path: string;
  readonly text: string;
}

/**
 * The policy that governs a PR from a tree's files (the base's): its policy file, `where` naming the
 * tree (` at main (1a2b3c4)`), merged over the profile; the profile alone when there is none. Both
 * spellings at once is a PolicyError: which one the team maintains is not ours to guess.
 */
export function repositoryPolicy(
  files: readonly PolicyFile[],
  where: string,
  profile: PolicyProfile = "default",
): { policy: Policy; source: string } {
  const found = files.filter((file) => isPolicyPath(file.path));
  if (found.length > 1)
    throw new PolicyError(
      `${POLICY_PATHS.join(" and ")}${where}`,
      "both exist, and Route Governor does not pick one: delete the one the team does not maintain",
    );
  const [file] = found;
  return resolvePolicy(file?.text, `${file?.path ?? POLICY_PATH}${where}`, profile);
}

/** A policy is a small hand-written file: anything bigger or more nested is a mistake or an attack. */
const MAX_POLICY_CHARS = 256 * 1024;
const YAML_LIMITS = { maxAliases: 100, maxDepth: 32 } as const;
const MAX_ISSUES_SHOWN = 3;

const profileSource = (profile: string): string => `policies/${profile}.yml`;

/** Parses and validates a complete policy (a profile, or a policy that needs no base). */
export function parsePolicy(text: string, source: string): Policy {
  const policy = validate(readYaml(text, source), source);
  checkReferences(policy, source);
  return policy;
}

const builtIn = {
  default: () => parsePolicy(defaultPolicyText, profileSource("default")),
  // A profile is an overlay on the defaults under the same tighten-only rules as a repository.
  regulated: () => layer(builtInPolicy("default"), regulatedPolicyText, profileSource("regulated")),
} as const;

export type PolicyProfile = keyof typeof builtIn;

const profileCache = new Map<PolicyProfile, Policy>();

/** A built-in profile; a fresh copy each call, so callers may not corrupt the cached one. */
export function builtInPolicy(profile: PolicyProfile): Policy {
  let policy = profileCache.get(profile);
  if (!policy) {
    policy = builtIn[profile]();
    profileCache.set(profile, policy);
  }
  return structuredClone(policy);
}

export const defaultPolicy = (): Policy => builtInPolicy("default");

/**
 * The policy that governs a PR: the repository's policy text (read from the base branch) merged
 * over a built-in profile, or the profile alone when the repository has none.
 * Throws PolicyError for unreadable, invalid or loosening policies.
 */
export function resolvePolicy(
  repoPolicyText: string | undefined,
  source: string,
  profile: PolicyProfile = "default",
): { policy: Policy; source: string } {
  const base = builtInPolicy(profile);
  if (repoPolicyText === undefined) return { policy: base, source: profileSource(profile) };
  return { policy: layer(base, repoPolicyText, source), source };
}

function layer(base: Policy, text: string, source: string): Policy {
  // An empty or comments-only policy file is valid and changes nothing.
  const written = readYaml(text, source) ?? {};
  const overlay: PolicyOverlay = { written, policy: validate(written, source) };
  const policy = mergePolicy(base, overlay, source);
  checkReferences(policy, source);
  return policy;
}

/** The single YAML document of a policy file; undefined when the file holds none. */
function readYaml(text: string, source: string): unknown {
  if (text.length > MAX_POLICY_CHARS) throw new PolicyError(source, `larger than ${MAX_POLICY_CHARS} characters`);
  let documents: unknown[];
  try {
    documents = jsyaml.loadAll(text, { ...YAML_LIMITS, filename: source });
  } catch (error) {
    if (error instanceof jsyaml.YAMLException) {
      const where = error.mark ? `line ${error.mark.line + 1}: ` : "";
      throw new PolicyError(source, `${where}${error.reason}`);
    }
    throw new PolicyError(source, error instanceof Error ? error.message : String(error));
  }
  if (documents.length > 1) throw new PolicyError(source, `expected one YAML document, found ${documents.length}`);
  return documents[0];
}

function validate(written: unknown, source: string): Policy {
  if (written === null || typeof written !== "object" || Array.isArray(written)) {
    throw new PolicyError(source, "expected a mapping of policy sections at the top level");
  }
  const result = PolicySchema.safeParse(written);
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap(issueLines);
  const more = lines.length > MAX_ISSUES_SHOWN ? ` (and ${lines.length - MAX_ISSUES_SHOWN} more)` : "";
  throw new PolicyError(source, lines.slice(0, MAX_ISSUES_SHOWN).join("; ") + more);
}

const pathText = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((text, part) => {
    if (typeof part === "number") return `${text}[${part}]`;
    return text === "" ? String(part) : `${text}.${String(part)}`;
  }, "");

/** "Invalid option: …" → "invalid option: …", leaving acronyms ("ISO") alone. */
const sentence = (message: string): string => (/^[A-Z][a-z]/.test(message) ? message[0]!.toLowerCase() + message.slice(1) : message);

function issueLines(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${pathText([...issue.path, key])}: unknown key`);
  }
  const where = pathText(issue.path);
  return [`${where === "" ? "(top level)" : where}: ${sentence(issue.message)}`];
}

/** Names a policy uses must be defined in it, and counts must be satisfiable. */
function checkReferences(policy: Policy, source: string): void {
  const problems: string[] = [];
  const checkRules = (path: string, rules: readonly ApprovalRule[] | undefined): void =>
    rules?.forEach((rule, index) => {
      if (!Object.hasOwn(policy.groups, rule.group)) problems.push(`${path}.approvals[${index}].group: unknown group "${rule.group}"`);
    });
  const checkEvidence = (path: string, keys: readonly string[] | undefined): void =>
    keys?.forEach((key, index) => {
      if (!Object.hasOwn(policy.evidence, key)) problems.push(`${path}.evidence[${index}]: unknown evidence key "${key}"`);
    });

  for (const [id, rules] of Object.entries(policy.classes)) {
    checkRules(`classes.${id}`, rules?.approvals);
    checkEvidence(`classes.${id}`, rules?.evidence);
  }
  for (const level of RISK_LEVELS) {
    const requirement = policy.requirements[level];
    if (!requirement) continue;
    checkRules(`requirements.${level}`, requirement.approvals);
    checkEvidence(`requirements.${level}`, requirement.evidence);
    const groups = new Set(requirement.approvals.map((rule) => rule.group)).size;
    if (requirement.distinctGroups > groups) {
      problems.push(`requirements.${level}.distinctGroups: ${requirement.distinctGroups} but its approvals name ${groups} group(s)`);
    }
  }
  for (const clash of evidenceNameIndex(policy.evidence).clashes) {
    problems.push(`evidence: "${clash.name}" names both ${clash.keys[0]} and ${clash.keys[1]}`);
  }
  policy.freezes.forEach((freeze, index) => {
    if (Date.parse(freeze.end) <= Date.parse(freeze.start)) problems.push(`freezes[${index}].end: not after its start`);
  });
  if (problems.length > 0) throw new PolicyError(source, problems.join("; "));
}
