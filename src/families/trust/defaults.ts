import type { FieldDefault } from "../../core/field-defaults.js";

/**
 * cert-manager's IssuerReference (https://cert-manager.io/docs/reference/api-docs/, and the
 * Certificate usage page's example): "Kind of the issuer being referred to. Defaults to 'Issuer'",
 * "Group of the issuer being referred to. Defaults to 'cert-manager.io'".
 */
export const trustDefaults: Readonly<Record<string, readonly FieldDefault[]>> = {
  Certificate: [
    { path: ["spec", "issuerRef", "kind"], value: "Issuer" },
    { path: ["spec", "issuerRef", "group"], value: "cert-manager.io" },
  ],
};
