/** One request a fake received, as tests want to assert on it. */
export interface CallRecord {
  /** The API action (`AssumeRoleWithWebIdentity`, `ReceiveMessage`) or route (`PUT /latest/api/token`). */
  action: string;
  /** `Host` header as the client sent it: proves which hostname the SDK targeted. */
  host: string;
  /** Epoch ms when the call arrived. */
  time: number;
  /** HTTP status the fake answered with (undefined while the call is still in progress or hung). */
  status?: number;
  /** The AWS error code answered, if any. */
  errorCode?: string;
  /** Fault applied to the call, if any. */
  fault?: "error" | "malformed" | "hang";
  /** Access key id that signed the call (SigV4 services), when present. */
  accessKeyId?: string;
  /** Service-specific details (STS: roleArn, roleSessionName, webIdentityToken; SQS: queueUrl...). */
  details: Record<string, unknown>;
}

/** The call log and counters of one fake service. */
export class CallLog {
  readonly #calls: CallRecord[] = [];

  get calls(): readonly CallRecord[] {
    return this.#calls;
  }

  add(record: CallRecord): CallRecord {
    this.#calls.push(record);
    return record;
  }

  /** Number of calls, optionally of one action only. */
  count(action?: string): number {
    return action === undefined ? this.#calls.length : this.#calls.filter((c) => c.action === action).length;
  }

  clear(): void {
    this.#calls.length = 0;
  }
}
