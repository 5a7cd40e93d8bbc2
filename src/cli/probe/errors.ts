/**
 * The two ways `hangup probe` refuses to run, each with its exit code: a bad command line (2), and
 * a target it cannot reach (3). Either way nothing was probed, so the run proves nothing.
 */

/** Bad arguments: the message says what was wrong and how to fix it. Exit code 2. */
export class ProbeUsageError extends Error {
  readonly exitCode = 2;
  override readonly name = 'ProbeUsageError';
}

/** The target did not accept a connection, or probes could not be made. Exit code 3. */
export class ProbeUnreachableError extends Error {
  readonly exitCode = 3;
  override readonly name = 'ProbeUnreachableError';
}
