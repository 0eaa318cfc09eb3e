/** `networking.istio.io/v1` → `networking.istio.io`; the core group (`v1`) is "". */
export const groupOf = (apiVersion: string): string => {
  const slash = apiVersion.lastIndexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
};
