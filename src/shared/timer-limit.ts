/** setTimeout's limit (~24.8 days): Node runs a longer timeout after 1 ms (with a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
