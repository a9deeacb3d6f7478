import { describe, expect, it } from "vitest";
import { receiveMessageInput, validateReceiveOptions } from "../../src/sqs/receive-options.js";

describe("receiveMessageInput", () => {
  it("long-polls for up to 10 messages with all attributes by default", () => {
    expect(receiveMessageInput("u", {})).toEqual({
      QueueUrl: "u",
      WaitTimeSeconds: 20,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
    });
  });

  it("caps MaxNumberOfMessages at the room left, but asks for at least one", () => {
    expect(receiveMessageInput("u", { MaxNumberOfMessages: 8 }, 3).MaxNumberOfMessages).toBe(3);
    expect(receiveMessageInput("u", { MaxNumberOfMessages: 2 }, 5).MaxNumberOfMessages).toBe(2);
    expect(receiveMessageInput("u", {}, 0).MaxNumberOfMessages).toBe(1);
  });

  it("passes SQS-named options through", () => {
    const input = receiveMessageInput("u", {
      WaitTimeSeconds: 0,
      VisibilityTimeout: 7,
      MessageAttributeNames: ["trace"],
      MessageSystemAttributeNames: ["ApproximateReceiveCount"],
    });
    expect(input).toMatchObject({ WaitTimeSeconds: 0, VisibilityTimeout: 7, MessageAttributeNames: ["trace"], MessageSystemAttributeNames: ["ApproximateReceiveCount"] });
  });
});

describe("validateReceiveOptions", () => {
  it("accepts the SQS ranges and rejects outside them", () => {
    expect(() => validateReceiveOptions("f", { WaitTimeSeconds: 20, MaxNumberOfMessages: 10, VisibilityTimeout: 43_200 })).not.toThrow();
    expect(() => validateReceiveOptions("f", { WaitTimeSeconds: -1 })).toThrow(/f: WaitTimeSeconds must be an integer from 0 to 20/);
    expect(() => validateReceiveOptions("f", { MaxNumberOfMessages: 0 })).toThrow(/MaxNumberOfMessages/);
    expect(() => validateReceiveOptions("f", { VisibilityTimeout: 1.5 })).toThrow(/VisibilityTimeout/);
  });
});
