import { byKind } from "../../core/by-kind.js";
import { byRules, forKinds, type Family } from "../family.js";
import { ROUTE_KINDS, TRAEFIK_GROUPS, traefikRules } from "./flows.js";
import { ingressRouteChecks, ingressRouteHandover } from "./ingress-route.js";
import { middlewareChecks, tcpMiddlewareChecks } from "./middleware-edits.js";
import { deletedWhileNamed } from "./references.js";
import { traefikServiceMirrors, traefikServiceTransport } from "./traefik-service.js";
import { backendVerification, tlsOptionChecks } from "./transport-security.js";
import * as traefik from "./schemas.js";

/**
 * Traefik's Kubernetes CRD provider (traefik.io, and traefik.containo.us, its group before v3):
 * IngressRoutes as flows from their entry points, their TraefikServices' weights and mirrors read
 * through, and the Middlewares, ServersTransports and TLSOptions they name.
 */
export const traefikFamily: Family = {
  name: "traefik",
  kinds: [
    [
      TRAEFIK_GROUPS,
      [
        ["IngressRoute", traefik.ingressRoute],
        ["IngressRouteTCP", traefik.ingressRouteTcp],
        ["IngressRouteUDP", traefik.ingressRouteUdp],
        ["TraefikService", traefik.traefikService],
        ["Middleware", traefik.middleware],
        ["MiddlewareTCP", traefik.middlewareTcp],
        ["ServersTransport", traefik.serversTransport],
        ["ServersTransportTCP", traefik.serversTransportTcp],
        ["TLSOption", traefik.tlsOption],
      ],
    ],
  ],
  // The same API under Traefik v3's group: a resource moved to it changes nothing.
  promotions: { groups: { "traefik.containo.us": "traefik.io" } },
  ruleSources: forKinds(ROUTE_KINDS, byRules(traefikRules)),
  attachmentFields: Object.fromEntries(TRAEFIK_GROUPS.map((group) => [group, ["spec", "entryPoints"]])),
  renamableRoutes: [...ROUTE_KINDS],
  handlingJudges: { IngressRoute: ingressRouteHandover },
  detectors: [
    byKind(
      {
        IngressRoute: ingressRouteChecks,
        IngressRouteTCP: ingressRouteChecks,
        TraefikService: [traefikServiceMirrors, traefikServiceTransport],
        Middleware: [...middlewareChecks, deletedWhileNamed],
        MiddlewareTCP: tcpMiddlewareChecks,
        ServersTransport: [backendVerification],
        ServersTransportTCP: [backendVerification],
        TLSOption: [tlsOptionChecks, deletedWhileNamed],
      },
      (id) => TRAEFIK_GROUPS.includes(id.group),
    ),
  ],
  controllerCharts: { serve: "Traefik's routes", charts: ["traefik", "traefik-crds"] },
};
