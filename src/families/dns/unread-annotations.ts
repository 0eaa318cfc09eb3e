import type { FileDetector } from "../../core/detector.js";
import type { Detection } from "../../core/finding.js";
import { canonical, sameValue } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import { controllersRead, describeLoss, externalDnsControllers, losingReaders, readersOf } from "./external-dns-controllers.js";
import { annotationSites, judgeUnreadProviderSetting, judgeUnreadSettings, prefixedProviderSettings } from "./gslb.js";

/**
 * external-dns controllers that stop reading the prefix a resource's settings sit under: each such
 * setting is gone from its records as if removed (a target: records retargeted to the entry point's
 * own address; a hostname: records deleted). buroa/k8s-gitops 3767be0e1e bumped both its controllers
 * v0.21.0 → v0.22.0, which reads only `external-dns.kubernetes.io/`, while its Gateways carried
 * `external-dns.alpha.kubernetes.io/target`, and passed as a workload image bump: the public records
 * were retargeted to the private address (joryirving/home-ops#10003 the same, with the chart). Read
 * from the controllers the trees run (a Deployment, a chart release, trusted or not: its version is
 * what changes the prefix), only where the PR changes what they read; a resource whose settings the
 * PR edits too is judged by its own change (gslb.ts), against the same controllers.
 */
export const unreadAnnotationsDetector: FileDetector = (_files, context) => {
  const [before, after] = [externalDnsControllers(context, "base"), externalDnsControllers(context, "head")];
  if (controllersRead(before) === controllersRead(after)) return [];
  const detections: Detection[] = [];
  for (const head of context.head.resources.values()) {
    const sites = annotationSites(head).filter((site) => Object.keys(site.settings).length > 0);
    const provider = head.id.kind === "DNSEndpoint" && head.id.group === "externaldns.k8s.io" ? prefixedProviderSettings(head) : [];
    if (sites.length === 0 && provider.length === 0) continue;
    const base = context.base.resources.get(head.key);
    if (!base) continue;
    const out = new DetectionList({ key: head.key, base, head });
    const sitesBefore = new Map(annotationSites(base).map((site) => [canonical(site.at), site]));
    for (const site of sites) {
      const was = sitesBefore.get(canonical(site.at));
      if (was && sameValue(was.settings, site.settings))
        judgeUnreadSettings(out, site, readersOf(before, was.read), readersOf(after, site.read));
    }
    // A DNSEndpoint's Cloudflare settings are read under the controller's prefix too (v0.22).
    const [readersBefore, readersAfter] = [readersOf(before, base), readersOf(after, head)];
    const kept = new Set(prefixedProviderSettings(base).map(({ written }) => written));
    for (const entry of provider) {
      const losing = kept.has(entry.written) ? losingReaders(readersBefore, readersAfter, entry.prefixes) : [];
      if (losing.length > 0) judgeUnreadProviderSetting(out, entry, describeLoss(losing, readersAfter, head));
    }
    detections.push(...out.detections.map((detection) => ({ ...detection, resourceKey: head.key })));
  }
  return detections;
};
