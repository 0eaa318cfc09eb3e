import * as z from "zod";
import { kubeObject } from "../../core/kube-object.js";

/**
 * A core Service, read only when it is `type: ExternalName` (index.ts, textKinds): traffic to it leaves the
 * cluster for the DNS name it names.
 */
export const externalNameService = kubeObject(z.looseObject({ type: z.literal("ExternalName"), externalName: z.string().min(1) }));
