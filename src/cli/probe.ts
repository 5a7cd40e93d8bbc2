/**
 * `hangup probe <url>`: replays what scanners and attackers send to one server and reports what
 * it told them. The work lives in `./probe/`; this module only wires arguments, progress and output.
 */
import { parseProbeArgs, PROBE_HELP } from './probe/args.js';
import { ProbeUnreachableError, ProbeUsageError } from './probe/errors.js';
import { formatJson } from './probe/json.js';
import { createProgress, type ProgressStream } from './probe/progress.js';
import { formatReport, printable } from './probe/report.js';
import { runProbes } from './probe/runner.js';
import { summarise, verdictLine } from './probe/summary.js';

/** Where the command writes: the report to `stdout`, progress and errors to `stderr`. */
export interface ProbeIo {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
}

/** Runs the subcommand and returns its exit code: 0 silent, 1 leaks, 2 bad arguments, 3 could not probe or proves nothing. */
export async function run(argv: string[], io: ProbeIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const args = parseProbeArgs(argv);
    if (args.help) {
      io.stdout.write(PROBE_HELP);
      return 0;
    }
    const progress = createProgress(io.stderr, args.progress);
    const report = await runProbes({
      url: args.url,
      host: args.host,
      timeoutMs: args.timeoutMs,
      concurrency: args.concurrency,
      http2: args.http2,
      onProgress: (done, total, probe) => progress.update(done, total, probe),
    }).finally(() => progress.stop());
    io.stdout.write(args.json ? formatJson(report) : formatReport(report));
    const summary = summarise(report);
    // The text report ends with the verdict; with --json, say on stderr why the run cannot pass.
    if (args.json && summary.verdict === 'inconclusive') io.stderr.write(`hangup probe: ${printable(verdictLine(summary))}\n`);
    return summary.exitCode;
  } catch (error) {
    if (error instanceof ProbeUsageError) {
      io.stderr.write(`hangup probe: ${error.message}\nRun 'hangup probe --help' for the options.\n`);
      return error.exitCode;
    }
    if (error instanceof ProbeUnreachableError) {
      io.stderr.write(`hangup probe: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
