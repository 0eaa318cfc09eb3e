import { show } from "../../core/canonical-values.js";
import { byKind, type Check } from "../../core/by-kind.js";
import { isRecord, list, record, spec, text, texts } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { ENVOY_GATEWAY_GROUP, reachesAlike, targetsOf, type Target } from "./policy-targets.js";
import { policiesNaming } from "../../core/policy-hierarchy.js";
import { envoyGatewayPolicies } from "./policy-hierarchy.js";
import { DEFAULT_TLS_FLOOR, tlsVersion, tlsVersionRank, weakenedCiphers } from "../../core/tls-versions.js";

/**
 * Envoy Gateway's ClientTrafficPolicy, for the TLS it asks of clients at a Gateway or one of its
 * listeners: whether they must present a certificate (clientValidation), signed by which CAs, and
 * the lowest TLS version and the cipher suites accepted. A listener's own policy replaces its
 * Gateway's. Judged per target like Gateway API's own frontend validation: a certificate no longer
 * required is mtls.weakened, other trust anchors trust.changed.
 */

export interface ClientTls {
  /** Set when clients are asked for a certificate; `optional` when one without is still admitted. */
  readonly validation?: { readonly optional: boolean; readonly cas: string };
  readonly minVersion: string;
  /** Unset where Envoy's defaults hold. */
  readonly ciphers?: readonly string[];
}

export function clientTls(policy: Resource | undefined): ClientTls | undefined {
  if (!policy) return undefined;
  const tls = record(spec(policy).tls);
  const validation = isRecord(tls.clientValidation) ? tls.clientValidation : undefined;
  const version = text(tls.minVersion);
  return {
    ...(validation ? { validation: { optional: validation.optional === true, cas: show(list(validation.caCertificateRefs)) } } : {}),
    minVersion: tlsVersion(version) ?? DEFAULT_TLS_FLOOR,
    ...(Array.isArray(tls.ciphers) ? { ciphers: texts(tls.ciphers) } : {}),
  };
}

/** What a Gateway-wide policy of the tree asks of clients on a listener whose own policy is gone. */
function gatewayWide(tree: ManifestSet, target: Target): ClientTls | undefined {
  if (target.kind !== "Gateway" || target.ref?.section === undefined) return undefined;
  const [policy] = policiesNaming(tree, envoyGatewayPolicies("ClientTrafficPolicy"), {
    kind: "Gateway",
    namespace: target.ref.namespace,
    name: target.ref.name,
  });
  return clientTls(policy);
}

const clientTlsPerTarget: Check = (change, out, context) => {
  const before = targetsOf(change.base);
  // Targets rewritten to reach the same objects are the same targets.
  const after = change.base && change.head && reachesAlike(change.base, change.head, context) ? before : targetsOf(change.head);
  const names = [...new Set([...before, ...after].map((target) => target.name))];
  for (const name of names) {
    const targetBefore = before.find((target) => target.name === name);
    const targetAfter = after.find((target) => target.name === name);
    const target = (targetAfter ?? targetBefore)!;
    // A listener left by its own policy falls back to its Gateway's; a listener gained had its Gateway's
    // until this policy replaced it (a listener's policy without clientValidation stopped asking for certificates).
    const was = targetBefore ? clientTls(change.base) : gatewayWide(context.base, target);
    const now = targetAfter ? clientTls(change.head) : gatewayWide(context.head, target);
    if (!was) continue;
    const side = targetAfter ? "head" : "base";
    const where = (what: string) =>
      !targetAfter
        ? `${name} is no longer a target: ${what}`
        : targetBefore
          ? `on ${name}, ${what}`
          : `on ${name}, its own policy replacing its Gateway's: ${what}`;
    if (was.validation && !now?.validation) {
      out.add({
        class: "mtls.weakened",
        summary: where("clients no longer need a certificate (tls.clientValidation gone)"),
        side,
        path: ["spec", "tls", "clientValidation"],
        before: was.validation,
      });
    } else if (was.validation && now?.validation) {
      if (!was.validation.optional && now.validation.optional)
        out.add({
          class: "mtls.weakened",
          summary: where("tls.clientValidation.optional true: clients without a certificate are admitted"),
          side,
          path: ["spec", "tls", "clientValidation", "optional"],
          before: false,
          after: true,
        });
      if (was.validation.cas !== now.validation.cas)
        out.add({
          class: "trust.changed",
          summary: where(
            `tls.clientValidation.caCertificateRefs ${was.validation.cas} → ${now.validation.cas}: client trust anchors change`,
          ),
          side,
          path: ["spec", "tls", "clientValidation", "caCertificateRefs"],
          before: was.validation.cas,
          after: now.validation.cas,
        });
    }
    // Without a policy, Envoy Gateway's own floor holds.
    const version = now?.minVersion ?? DEFAULT_TLS_FLOOR;
    if (tlsVersionRank(version) < tlsVersionRank(was.minVersion)) {
      const weakened = tlsVersionRank(version) < tlsVersionRank(DEFAULT_TLS_FLOOR);
      out.add({
        class: weakened ? "mtls.weakened" : "resource.changed",
        summary: where(`tls.minVersion ${was.minVersion} → ${version}: clients may connect with TLS ${version}`),
        side,
        path: ["spec", "tls", "minVersion"],
        before: was.minVersion,
        after: version,
        ...(weakened ? {} : { riskFloor: "medium" as const }),
      });
    }
    const ciphers = weakenedCiphers(was.ciphers, now?.ciphers);
    if (ciphers)
      out.add({
        class: "mtls.weakened",
        summary: where(`tls.ciphers ${show(was.ciphers ?? "(Envoy's defaults)")} → ${show(now?.ciphers)}: ${ciphers}`),
        side,
        path: ["spec", "tls", "ciphers"],
        before: was.ciphers ?? null,
        after: now?.ciphers ?? null,
      });
  }
  // A certificate newly asked of a target's clients refuses those without one, as Gateway API's own validation does when added.
  const now = clientTls(change.head);
  const had = clientTls(change.base);
  const asked = now?.validation
    ? after
        .filter((target) =>
          before.some((other) => other.name === target.name) ? !had?.validation : !gatewayWide(context.base, target)?.validation,
        )
        .map((target) => target.name)
    : [];
  if (now?.validation && asked.length > 0)
    out.add({
      class: "trust.changed",
      summary: `clients of ${asked.join(", ")} must now present a certificate signed by ${now.validation.cas}`,
      side: "head",
      path: ["spec", "tls", "clientValidation"],
      after: now.validation,
    });
};

export const clientTrafficPolicyDetector = byKind({ ClientTrafficPolicy: [clientTlsPerTarget] }, (id) => id.group === ENVOY_GATEWAY_GROUP);
