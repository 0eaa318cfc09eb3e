/**
 * A path match as the families spell it for the route diff (`PathPrefix /api`, `Exact /`). A
 * prefix matches whole path segments and ignores a trailing `/` (`/abc` and `/abc/` both match
 * `/abc/def`, and `/abc`), as Gateway API's PathPrefix and Kubernetes Ingress's Prefix both
 * define it: one match, written either way.
 */
export const pathSignature = (type: string, value: string): string =>
  `${type} ${type === "PathPrefix" && value.length > 1 ? value.replace(/\/+$/, "") || "/" : value}`;
