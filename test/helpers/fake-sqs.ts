import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { SQSEvent } from "aws-lambda";

/**
 * A local SQS endpoint speaking the AWS JSON 1.0 protocol that @aws-sdk/client-sqs uses
 * (`X-Amz-Target: AmazonSQS.SendMessage`), for AWS_ENDPOINT_URL_SQS. It keeps a FIFO queue's
 * semantics that matter here: deduplication by MessageDeduplicationId, the group id kept with each
 * message. `asLambdaEvent` hands the messages over as the Lambda event source mapping would.
 */
export interface SentMessage {
  readonly messageId: string;
  readonly queueUrl: string;
  readonly body: string;
  readonly groupId: string;
  readonly deduplicationId: string;
}

export class FakeSqs {
  readonly messages: SentMessage[] = [];
  private server: Server | undefined;

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, string>;
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
        response.end(JSON.stringify(body));
      };
      if (request.headers["x-amz-target"] !== "AmazonSQS.SendMessage")
        return reply(400, { __type: "com.amazonaws.sqs#InvalidAction", message: "only SendMessage" });
      if (!input.MessageGroupId || !input.MessageDeduplicationId)
        return reply(400, {
          __type: "com.amazonaws.sqs#MissingParameter",
          message: "FIFO queues need MessageGroupId and MessageDeduplicationId",
        });
      const known = this.messages.find((message) => message.deduplicationId === input.MessageDeduplicationId);
      const message = known ?? {
        messageId: `m-${this.messages.length + 1}`,
        queueUrl: input.QueueUrl!,
        body: input.MessageBody!,
        groupId: input.MessageGroupId,
        deduplicationId: input.MessageDeduplicationId,
      };
      if (!known) this.messages.push(message);
      reply(200, { MessageId: message.messageId, MD5OfMessageBody: createHash("md5").update(input.MessageBody!).digest("hex") });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Messages as one Lambda SQS event, each on its `receiveCount`th receive. */
export const asLambdaEvent = (messages: readonly SentMessage[], receiveCount = 1): SQSEvent => ({
  Records: messages.map((message) => ({
    messageId: message.messageId,
    receiptHandle: `r-${message.messageId}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: "0",
      SenderId: "test",
      ApproximateFirstReceiveTimestamp: "0",
      MessageGroupId: message.groupId,
      MessageDeduplicationId: message.deduplicationId,
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:deliveries.fifo",
    awsRegion: "eu-west-1",
  })),
});
