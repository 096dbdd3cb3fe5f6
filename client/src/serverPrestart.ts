// The language server's process, started the moment VS Code loads dist/client.js (client/src/main.ts) rather than
// when activate() creates the language client: its Node start-up and bundle load (0.1-0.5 s on an idle 2-core
// machine, over 1 s under load) then overlap loading the rest of our code and VS Code preparing the extension's
// context. It is the process vscode-languageclient would have forked (same module, arguments, environment and
// options, over IPC); restarts after a crash fork a new one the same way.
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { SERVER_EXEC_ARGV } from '../../server/src/core/shared';

export interface ServerProcess {
  readonly process: ChildProcess;
  /** performance.now() when it was forked, for the debug timings. */
  readonly forkedAt: number;
}

/**
 * An extension host started under a debugger (vscode-languageclient's own test for its `debug` server options): the
 * server gets an inspector port, as the client's debug options gave it.
 */
const DEBUGGING = process.execArgv.some((a) => /^--(inspect|debug)(-brk)?(=|$)/.test(a));

export class ServerPrestart {
  private spare: ServerProcess | undefined;
  private spareError: unknown;

  constructor(private readonly module: string) {}

  /** Forks the server now; a failure is kept and raised by the first take(), where the language client reports it. */
  start(): void {
    try {
      this.spare = this.fork();
    } catch (err) {
      this.spareError = err;
    }
  }

  /** The process started early, if it is still running; otherwise (a restart, or it died) a new one. */
  take(): ServerProcess {
    const spare = this.spare;
    this.spare = undefined;
    if (spare && spare.process.exitCode === null && spare.process.signalCode === null) return spare;
    if (this.spareError !== undefined && !spare) {
      const err = this.spareError;
      this.spareError = undefined;
      throw err;
    }
    return this.fork();
  }

  /** Ends a process nobody took (the extension was deactivated before the client started). */
  dispose(): void {
    this.spare?.process.kill();
    this.spare = undefined;
  }

  private fork(): ServerProcess {
    // As vscode-languageclient forks a TransportKind.ipc server (node/main.js): silent, so stdout and stderr are piped
    // to the output channel; the client's pid, so the server exits if the extension host dies.
    const options: ForkOptions = {
      execArgv: [...SERVER_EXEC_ARGV, ...(DEBUGGING ? ['--nolazy', '--inspect=6019'] : [])],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ELECTRON_NO_ASAR: '1' },
      silent: true,
    };
    const child = fork(this.module, ['--node-ipc', `--clientProcessId=${process.pid}`], options);
    return { process: child, forkedAt: performance.now() };
  }
}
