import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import * as z from "zod";

/**
 * A webhook delivery on its way through the SQS FIFO queue (DESIGN §2): the webhook function
 * verifies it and enqueues it; the worker evaluates it. One message group per PR (or merge group,
 * or head commit for a re-run of a commit that is not one PR's), so one PR's evaluations never
 * overlap and run in delivery order;
 * the delivery id deduplicates GitHub's redeliveries within SQS's five-minute window.
 */
export const QueuedDeliverySchema = z.object({
  v: z.literal(1),
  /** X-GitHub-Delivery, also the SQS deduplication id: 1–128 printable ASCII characters. */
  id: z.string().regex(/^[\x21-\x7e]{1,128}$/),
  name: z.string().regex(/^[a-z_]{1,64}$/),
  payload: z.record(z.string(), z.unknown()),
});
export type QueuedDelivery = z.infer<typeof QueuedDeliverySchema>;

/** The events the App acts on; anything else is acknowledged and not queued. */
export const QUEUED_EVENTS = ["pull_request", "pull_request_review", "issue_comment", "check_run", "check_suite", "merge_group"] as const;

const Target = z.object({
  repository: z.object({ full_name: z.string().min(1).max(300) }),
  pull_request: z.object({ number: z.number().int() }).optional(),
  issue: z.object({ number: z.number().int() }).optional(),
  merge_group: z.object({ head_ref: z.string().max(500) }).optional(),
  check_run: z
    .object({ head_sha: z.string().max(64), pull_requests: z.array(z.object({ number: z.number().int() })).optional() })
    .optional(),
  check_suite: z
    .object({ head_sha: z.string().max(64), pull_requests: z.array(z.object({ number: z.number().int() })).optional() })
    .optional(),
});

/** SQS allows 128 characters of alphanumerics and punctuation in a group id. */
const MAX_GROUP_ID = 128;

/**
 * The message group of a delivery: repository + PR number, merge group ref, or head commit. A
 * re-run whose commit GitHub names one PR for is that PR's: in a group of its own it could be
 * evaluated alongside a comment on the PR, and the older evaluation overwrite the comment's ledger.
 */
export function messageGroupOf(payload: unknown): string | undefined {
  const target = Target.safeParse(payload);
  if (!target.success) return undefined;
  const { repository, pull_request, issue, merge_group, check_run, check_suite } = target.data;
  const rerunOf = (check_run ?? check_suite)?.pull_requests;
  const number = pull_request?.number ?? issue?.number ?? (rerunOf?.length === 1 ? rerunOf[0]!.number : undefined);
  const scope =
    number !== undefined ? `#${number}` : merge_group ? `@${merge_group.head_ref}` : `@${(check_run ?? check_suite)?.head_sha ?? ""}`;
  const group = `${repository.full_name}${scope}`.replace(/[^\x21-\x7e]/g, "_");
  return group.length <= MAX_GROUP_ID ? group : `sha256:${createHash("sha256").update(group).digest("hex")}`;
}

/** X-Hub-Signature-256 over the raw body, in constant time. */
export function signatureMatches(secret: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
