import { CallListRepository, type CallListOptions } from '@codcall/call-list';
import type { CampaignCallList, FetchLike, HttpGatewayClientOptions } from '@codcall/campaign';
import type { Logger } from '@codcall/logging';

export type Signal = 'SIGINT' | 'SIGTERM';

/** Where the CLI writes: stdout for results, stderr for progress and errors (a terminal or not). */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** The call list as the CLI uses it: the campaign's view plus its path and closing. */
export interface OpenCallList extends CampaignCallList {
  readonly path: string;
  /** The file itself, symlinks resolved: what names the campaign in the store. */
  readonly targetPath?: string;
  close(): Promise<void>;
}

/** Everything the CLI touches outside itself, so tests can run it in-process. */
export interface CliDeps {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: OutputStream;
  stderr: OutputStream;
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe. */
  onSignal(listener: (signal: Signal) => void): () => void;
  /** Leaves the process at once (the second Ctrl-C). */
  exitNow(code: number): void;
  fetch?: FetchLike;
  logger?: Logger;
  openCallList?: (path: string, options: CallListOptions) => Promise<OpenCallList>;
  /** Test knobs for the gateway client and the long-poll. */
  gatewayClientOptions?: HttpGatewayClientOptions;
  pollSeconds?: number;
}

/** The real process. */
export function processDeps(): CliDeps {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    onSignal(listener) {
      const onInt = () => listener('SIGINT');
      const onTerm = () => listener('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
    exitNow: (code) => process.exit(code),
  };
}

/** The call list on disk: the default for `openCallList`. */
export function openCsv(path: string, options: CallListOptions): Promise<OpenCallList> {
  return CallListRepository.open(path, options);
}
