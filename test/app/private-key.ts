import { generateKeyPairSync } from "node:crypto";

/** A throwaway App private key (GitHub App JWTs are RS256). */
export const privateKey = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;
