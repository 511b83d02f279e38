import { DateTime } from 'luxon';
import { renderTemplate, type AgentRuntimeConfig } from '@codcall/agent-config';
import type { ConversationTool } from '../tools';

/**
 * The system prompt of one call: the agent's own (already in the call's language), the engine's
 * rules every agent keeps whatever its prompt says, today's date where the callee is, and the
 * row's cells as they are (the model reads "ORD-1042", the voice says "O R D, 1 0 4 2").
 */
export function conversationPrompt(input: { agent: AgentRuntimeConfig; variables: Record<string, string>; tools: readonly ConversationTool[]; now: Date; timezone: string }): string {
  const { agent, variables } = input;
  const now = DateTime.fromJSDate(input.now).setZone(input.timezone);
  const rendered = renderTemplate(agent.systemPrompt, variables);
  const row = Object.entries(variables)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n');
  return [
    rendered,
    engineRules(input.tools, agent, variables),
    `Today is ${now.toFormat('cccc, d LLLL yyyy')} and the time is ${now.toFormat('HH:mm')} (${input.timezone}) where the customer is.\nOrder details:\n${row}`,
  ].join('\n\n');
}

/** What the session enforces, said to the model so that it never runs into a refusal. */
function engineRules(tools: readonly ConversationTool[], agent: AgentRuntimeConfig, variables: Record<string, string>): string {
  const names = new Set(tools.map((tool) => tool.schema.name));
  const order = variables['order_id'] ? `order ${variables['order_id']}` : 'the order';
  const rules = [
    'Call rules (the system enforces them):',
    `- The greeting only asked who is speaking. Their first answer ("yes, speaking") says who they are, never what they want done with the order. Then ask about ${order}, saying its number.`,
    '- confirm_order, cancel_order and reschedule_delivery are offered only after the customer has answered your question about the order; never record what they did not say.',
    '- Say no order detail (number, amount, address) to someone who has not confirmed they are the customer.',
    '- If they ask to be called back at a time, call request_callback with their words.',
  ];
  if (names.has('transfer_to_human')) rules.push('- If they ask for a person, call transfer_to_human: a colleague takes the call.');
  else rules.push('- No colleague can take this call: if they ask for a person, say the delivery team will call them, and offer a callback.');
  if (names.has('update_address')) {
    const question = renderTemplate(agent.addressQuestion ?? '', variables).trim();
    rules.push(
      `- Before confirm_order or reschedule_delivery, read the delivery address back and ask if it is complete${question ? `, e.g. "${question}"` : ''}. ` +
        'If they correct it, call update_address with the whole corrected address, then record their answer about the order.',
    );
  }
  return rules.join('\n');
}
