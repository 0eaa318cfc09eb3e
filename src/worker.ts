import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
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
 * A FIFO batch holds messages in group order: after the first failure, every later message of the
 * batch is reported failed too, so no PR's later delivery overtakes an earlier one.
 */
export type WorkerHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface WorkerOptions {
  /** The queue's redrive maxReceiveCount: the receive that will not be retried. */
  readonly maxReceives: number;
}

export function createWorker(probot: Probot, app: ApplicationFunction, options: WorkerOptions): WorkerHandler {
  const ready = probot.load(app);
  return async (event) => {
    await ready;
    const failures: string[] = [];
    for (const record of event.Records) {
      if (failures.length > 0) {
        failures.push(record.messageId);
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
        failures.push(record.messageId);
      }
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
