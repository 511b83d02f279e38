import { resolveDeliverySlot } from '../delivery-slot';
import type { Decision } from './conversation-result';

/** What a tool call did: the message the model reads back, and the call's outcome when it settles one. */
export interface ToolEffect {
  message: string;
  decision?: Decision;
}

/** Runs one of COD_TOOLS. The goodbye is the model's text beside the call, or the agent's configured one. */
export function applyTool(name: string, args: Record<string, unknown>, when: { now: Date; timezone: string }): ToolEffect {
  switch (name) {
    case 'confirm_order':
      return { message: 'Order confirmed.', decision: { outcome: 'confirmed' } };
    case 'cancel_order': {
      const reason = textArgument(args['reason']);
      return { message: 'Order cancelled.', decision: { outcome: 'cancelled', ...(reason ? { cancelReason: reason } : {}) } };
    }
    case 'wrong_person':
      return { message: 'Noted as a wrong number.', decision: { outcome: 'wrong_person' } };
    case 'do_not_call': {
      const reason = textArgument(args['reason']);
      return { message: 'Noted: this number will not be called again.', decision: { outcome: 'do_not_call', ...(reason ? { reason } : {}) } };
    }
    case 'end_call':
      return { message: 'Ending the call.', decision: { outcome: 'ended_without_outcome', reason: typeof args['reason'] === 'string' ? args['reason'] : undefined } };
    case 'reschedule_delivery': {
      const slot = resolveDeliverySlot(String(args['date'] ?? ''), args['time'] === undefined ? undefined : String(args['time']), when);
      // A refused date is no outcome: the model reads why and answers the callee again.
      if (!slot.ok) return { message: `Not rescheduled: ${slot.message}.` };
      return {
        message: `Delivery rescheduled to ${slot.date} at ${slot.time}.`,
        decision: { outcome: 'rescheduled', rescheduleDate: slot.date, rescheduleTime: slot.time },
      };
    }
    default:
      return { message: `Unknown tool ${name}; use only the tools offered.` };
  }
}

export function parseArguments(raw: string): Record<string, unknown> {
  if (!raw.trim()) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function textArgument(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}
