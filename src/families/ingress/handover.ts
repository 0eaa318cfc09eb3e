import { DetectionList, type DetectionDraft } from "../../core/detection-list.js";
import type { FieldPath } from "../../core/finding.js";
import { handoverJudge, type RuleAt } from "../../core/handling-moves.js";
import { list, record, text } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import { accessAnnotations, plaintextAnnotations, upstreamTlsAnnotations } from "./access-annotations.js";
import { albBehaviour } from "./alb-annotations.js";
import { effectiveIngressClass } from "./flows.js";
import { gceBehaviour } from "./gce-annotations.js";
import { nginxBehaviour } from "./nginx-behaviour.js";

/** One path of an Ingress (or its default backend), handled by its Ingress's annotations. */
interface IngressPath {
  readonly label: string;
  readonly writes: undefined;
  readonly resource: Resource;
  readonly path: FieldPath;
}

function ingressPath({ resource, path }: RuleAt): IngressPath | undefined {
  const spec = record(resource.body.spec);
  if (path[1] === "defaultBackend" || path[1] === "backend") return { label: "default backend", writes: undefined, resource, path };
  const [ruleIndex, pathIndex] = [path[2], path[5]];
  if (typeof ruleIndex !== "number" || typeof pathIndex !== "number") return undefined;
  const rule = record(list(spec.rules)[ruleIndex]);
  const written = text(record(list(record(rule.http).paths)[pathIndex]).path) ?? "/";
  return { label: `path ${text(rule.host) ?? "*"}${written}`, writes: undefined, resource, path };
}

/**
 * What the annotation comparisons find, said of the path that now takes the requests: after its
 * label, pointing at it (the annotations they left may be on another Ingress, or a deleted one).
 */
class PathFindings extends DetectionList {
  constructor(
    private readonly out: DetectionList,
    private readonly taking: IngressPath,
  ) {
    super({ key: taking.resource.key, head: taking.resource });
  }

  override add(draft: DetectionDraft): void {
    this.out.add({ ...draft, summary: `${this.taking.label}: ${draft.summary}`, path: this.taking.path });
  }
}

/**
 * Requests one Ingress's path handled that a path of another Ingress now takes (HandlingMove),
 * judged as the one Ingress's annotations edited in place into the other's: an `admin` Ingress for
 * `/admin` with ingress-nginx's `auth-url` deleted beside an `app` Ingress for `/` without it, to the
 * same Service, lets `/admin` through unauthenticated (access.widened, as the annotation dropped in
 * place). What guards the requests: who may reach them (allowed sources, authentication, client
 * certificates) and whether plain HTTP is refused; how the controller treats them for the backends:
 * redirects, rewrites, mirrors, proxy timeouts and retries, rate limits, backend TLS.
 */
export const ingressHandover = handoverJudge<IngressPath>(ingressPath, {
  guards: (out, was, now, _move, context) => {
    const taking = new PathFindings(out, now);
    accessAnnotations(was.resource, now.resource, taking, context);
    plaintextAnnotations(was.resource, now.resource, taking, {
      base: effectiveIngressClass(was.resource, context.base),
      head: effectiveIngressClass(now.resource, context.head),
    });
  },
  handling: (out, was, now) => {
    const taking = new PathFindings(out, now);
    nginxBehaviour(was.resource, now.resource, taking);
    albBehaviour(was.resource, now.resource, taking);
    gceBehaviour(was.resource, now.resource, taking);
    upstreamTlsAnnotations(was.resource, now.resource, taking);
  },
  gone: () => {},
});
