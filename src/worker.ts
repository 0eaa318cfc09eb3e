import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { ApplicationFunction, Probot } from "probot";
import { withDeliveryAttempt } from "./app.js";
import { QueuedDeliverySchema } from "./queue/delivery.js";

/**
 * The worker function: takes deliveries off the FIFO queue and evaluates them with the App.
 * Partial batch failures (`batchItemFailures`): a failed delivery is received again, up to the
 * queue's maxReceiveCount, then SQS moves it to the dead-letter queue. Its check run already says
 * `failure` with the error on every attempt; on the last one it also says the delivery went to the
 * dead-letter queue and how to retry (re-run the check).
 *
 * FIFO order binds only the messages of one group (one PR): after a failure, the later messages of
 * that group in the batch are handed back untried, so none of that PR's deliveries overtakes an
 * earlier one; other PRs' messages are still tried (a PR whose deliveries always fail must not
 * drag another PR's `/hold` through its receives untried into the dead-letter queue).
 *
 * A record is started only when the function's time left holds a whole evaluation (`recordMs`):
 * one killed by the Lambda timeout mid-way would leave its check in progress and fail the whole
 * batch, finished records included. A record handed back for time is untried and is received
 * again; serverless.yml sizes batches so that this does not happen at the evaluations' worst case.
 */
export type WorkerHandler = (event: SQSEvent, context: Pick<Context, "getRemainingTimeInMillis">) => Promise<SQSBatchResponse>;

export interface WorkerOptions {
  /** The queue's redrive maxReceiveCount: the receive that will not be retried. */
  readonly maxReceives: number;
  /** The longest one record can take: the App's evaluation budget plus its failure report reserve (ms). */
  readonly recordMs: number;
}

export function createWorker(probot: Probot, app: ApplicationFunction, options: WorkerOptions): WorkerHandler {
  const ready = probot.load(app);
  return async (event, context) => {
    await ready;
    const failures: string[] = [];
    // Message groups with a record failed or handed back in this batch. (Every record of a FIFO
    // queue has a group; one without would share the undefined key and hold back all the others.)
    const heldGroups = new Set<string | undefined>();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId;
      const handBack = () => {
        failures.push(record.messageId);
        heldGroups.add(group);
      };
      if (heldGroups.has(group)) {
        handBack();
        continue;
      }
      const left = context.getRemainingTimeInMillis();
      if (left < options.recordMs) {
        probot.log.warn(
          { messageId: record.messageId, leftMs: left, recordMs: options.recordMs },
          "not enough time left for an evaluation: the delivery goes back to the queue untried",
        );
        handBack();
        continue;
      }
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        body = undefined;
      }
      const delivery = QueuedDeliverySchema.safeParse(body);
      if (!delivery.success) {
        // Only the webhook function writes to this queue: a malformed message never becomes valid.
        probot.log.error({ messageId: record.messageId }, "dropped a queue message that is not a delivery");
        continue;
      }
      const { id, name, payload } = delivery.data;
      const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
      try {
        await withDeliveryAttempt({ attempt, of: options.maxReceives }, () =>
          probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]),
        );
      } catch (error) {
        probot.log.error(
          { err: error, id, name, attempt },
          attempt >= options.maxReceives
            ? "delivery failed on its last attempt: it goes to the dead-letter queue"
            : "delivery failed: it will be retried",
        );
        handBack();
      }
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
