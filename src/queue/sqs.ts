import type { QueuedDelivery } from "./delivery.js";

/** Puts one delivery on the FIFO queue. */
export type Enqueue = (delivery: QueuedDelivery, groupId: string) => Promise<void>;

/**
 * The real queue: the AWS SDK v3 that the Lambda Node.js runtime ships (kept out of the bundle),
 * imported on first use so a cold start pays for it only when a delivery arrives.
 */
export function sqsEnqueue(queueUrl: string): Enqueue {
  let client: Promise<{ send: (delivery: QueuedDelivery, groupId: string) => Promise<void> }> | undefined;
  const connect = async () => {
    const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
    const sqs = new SQSClient({});
    return {
      send: async (delivery: QueuedDelivery, groupId: string) => {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify(delivery),
            MessageGroupId: groupId,
            MessageDeduplicationId: delivery.id,
          }),
        );
      },
    };
  };
  return async (delivery, groupId) => (await (client ??= connect())).send(delivery, groupId);
}
