/** An SDK v3 error as tests inspect it. */
export type SdkError = Error & { Code?: string; $fault?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };

/** The error `promise` rejects with; a promise that resolves fails the test. */
export async function errorOf(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error("expected the call to fail");
}
