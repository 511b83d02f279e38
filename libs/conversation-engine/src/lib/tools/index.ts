import type { GoodbyeKey } from '@codcall/languages';
import type { ToolSchema } from '../providers';
import { cancelOrder } from './cancel-order.tool';
import { confirmOrder } from './confirm-order.tool';
import { doNotCall } from './do-not-call.tool';
import { endCall } from './end-call.tool';
import { requestCallback } from './request-callback.tool';
import { rescheduleDelivery } from './reschedule-delivery.tool';
import type { ConversationTool, ToolEffect, ToolOffer, ToolRun } from './tool';
import { transferToHuman } from './transfer-to-human.tool';
import { updateAddress } from './update-address.tool';
import { wrongPerson } from './wrong-person.tool';

export type { ConversationTool, ToolEffect, ToolOffer, ToolRun } from './tool';
export { parseArguments } from './tool';

/** Every tool of a COD conversation, in the order the model is shown them. One file each. */
export const CONVERSATION_TOOLS: readonly ConversationTool[] = [
  confirmOrder,
  cancelOrder,
  rescheduleDelivery,
  wrongPerson,
  doNotCall,
  endCall,
  requestCallback,
  transferToHuman,
  updateAddress,
];

/** Every tool's schema, offered or not (the offline policy's tests, documentation). */
export const COD_TOOLS: ToolSchema[] = CONVERSATION_TOOLS.map((tool) => tool.schema);

/** The tools whose call ends the conversation with an outcome. */
export const OUTCOME_TOOLS: ReadonlySet<string> = new Set(CONVERSATION_TOOLS.filter((tool) => tool.goodbye).map((tool) => tool.schema.name));

export function toolNamed(name: string): ConversationTool | undefined {
  return CONVERSATION_TOOLS.find((tool) => tool.schema.name === name);
}

/** The tools this call offers at all (a transfer number, an address to confirm). */
export function toolsForCall(offer: ToolOffer): ConversationTool[] {
  return CONVERSATION_TOOLS.filter((tool) => tool.offered(offer));
}

/** The goodbyes the tools of this call can end it with. */
export function goodbyeKeys(tools: readonly ConversationTool[]): GoodbyeKey[] {
  return tools.flatMap((tool) => (tool.goodbye ? [tool.goodbye] : []));
}

/**
 * Runs one tool call of the model. A tool this call does not offer, or one that records the
 * order's answer before the callee gave it, is refused with a message telling the model what to
 * do instead: nothing is recorded and the model answers again.
 */
export function runTool(name: string, args: Record<string, unknown>, call: ToolRun & { offered: readonly ConversationTool[]; orderAnswered: boolean; orderId?: string }): ToolEffect {
  const tool = call.offered.find((candidate) => candidate.schema.name === name);
  if (!tool) return { kind: 'refused', message: `Not done: ${name} is not a tool of this call; use only the tools offered.` };
  if (tool.needsOrderAnswer && !call.orderAnswered) {
    const order = call.orderId ? `order ${call.orderId}` : 'the order';
    return {
      kind: 'refused',
      message: `Not recorded: the customer has not answered a question about the order yet. Ask them now about ${order}, saying its number, and wait for their answer.`,
    };
  }
  return tool.run(args, call);
}
