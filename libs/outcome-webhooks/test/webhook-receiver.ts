import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Writable } from 'node:stream';
import type { CallListRow } from '@codcall/call-list';
import type { CampaignEvent } from '@codcall/campaign';
import { createLogger, type Logger } from '@codcall/logging';
import { freePort } from '@codcall/test-support';
import { verifyOutcomeWebhook } from '../src/lib/outcome-webhook-signature';
import type { OutcomeWebhookPayload } from '../src/lib/outcome-payload';

export const SECRET = 'whsec_0123456789abcdef0123456789';

export interface ReceivedWebhook {
  at: number;
  rawBody: string;
  headers: IncomingHttpHeaders;
  payload: OutcomeWebhookPayload;
  valid: boolean;
}

/**
 * The operator's system in a test: a local HTTP server on a port chosen before it listens, so a
 * test can point the outbox at it while it is down. `answer` picks the status per delivery.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (payload: OutcomeWebhookPayload, tries: number) => number = () => 200;
  private server?: Server;
  port = 0;

  async reservePort(): Promise<this> {
    this.port = await freePort();
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/codcall`;
  }

  async start(): Promise<this> {
    if (!this.port) await this.reservePort();
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const payload = JSON.parse(rawBody) as OutcomeWebhookPayload;
        const valid = verifyOutcomeWebhook(rawBody, request.headers as Record<string, string>, SECRET).valid;
        this.received.push({ at: Date.now(), rawBody, headers: request.headers, payload, valid });
        const tries = this.received.filter((each) => each.payload.event_id === payload.event_id).length;
        response.writeHead(this.answer(payload, tries)).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Event ids in the order they arrived, once each. */
  eventIds(): string[] {
    return [...new Set(this.received.map((each) => each.payload.event_id))];
  }

  async waitFor(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`the receiver got ${this.received.length} webhooks, expected ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** A logger whose lines a test reads. */
export function capturedLogger(): { logger: Logger; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: createLogger({ name: 'outcome-webhooks-test', level: 'debug', destination: sink }), text: () => text };
}

export const COLUMNS = ['name', 'recipient_phone_number', 'order_id', 'status', 'reschedule_date', 'reschedule_time', 'city'];

export function row(line: number, name: string, phone: string, orderId: string): CallListRow {
  return {
    key: `row-${line}`,
    index: line - 2,
    line,
    values: { name, recipient_phone_number: phone, order_id: orderId, status: '', reschedule_date: '', reschedule_time: '', city: 'Austin' },
    phone: { ok: true, e164: phone },
    status: '',
    statusKind: 'pending',
  };
}

export function finished(target: CallListRow, outcome: Extract<CampaignEvent, { type: 'row-finished' }>['outcome'], extra: { callId?: string; attempts?: number; durationSeconds?: number } = {}): CampaignEvent {
  return { type: 'row-finished', row: target, outcome, callId: extra.callId, attempts: extra.attempts ?? 1, durationSeconds: extra.durationSeconds };
}
