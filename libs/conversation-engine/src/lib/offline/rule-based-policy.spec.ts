import type { ChatMessage, LanguageModelDelta } from '../providers';
import { COD_TOOLS } from '../tools';
import { RuleBasedDialoguePolicy } from './rule-based-policy';

async function answer(said: string, before: ChatMessage[] = []) {
  const policy = new RuleBasedDialoguePolicy({ name: 'Priya', order_id: 'ORD3' });
  const deltas: LanguageModelDelta[] = [];
  const messages: ChatMessage[] = [{ role: 'system', content: 'x' }, ...before, { role: 'user', content: said }];
  for await (const delta of policy.stream({ messages, tools: COD_TOOLS, signal: new AbortController().signal })) deltas.push(delta);
  const text = deltas.flatMap((d) => (d.type === 'text' ? [d.text] : [])).join('');
  const call = deltas.find((d) => d.type === 'tool_call');
  return { text, tool: call?.type === 'tool_call' ? call.call.name : undefined, args: call?.type === 'tool_call' ? JSON.parse(call.call.arguments) : undefined };
}

describe('RuleBasedDialoguePolicy (a rule engine, not an AI)', () => {
  it.each([
    ['Yes, please deliver it.', 'confirm_order'],
    ['Sure, that is right', 'confirm_order'],
    ['Please cancel it, I ordered it by mistake.', 'cancel_order'],
    ["I don't want it any more", 'cancel_order'],
    ['You have the wrong number. There is no Priya here.', 'wrong_person'],
    ["I won't be home. Can you deliver it tomorrow at 3 pm?", 'reschedule_delivery'],
    ["Don't call me again.", 'do_not_call'],
    ['Please stop calling this number, and cancel it.', 'do_not_call'],
    ['Remove my number from your list.', 'do_not_call'],
    ['Call me again tomorrow at 5 pm.', 'reschedule_delivery'],
  ])('"%s" -> %s', async (said, tool) => {
    expect((await answer(said)).tool).toBe(tool);
  });

  it('passes the callee’s own words for day and time, the last day named winning', async () => {
    expect((await answer('Not today, deliver it tomorrow at 3 pm')).args).toEqual({ date: 'tomorrow', time: '3 pm' });
  });

  it('keeps the cancellation reason', async () => {
    expect((await answer('Cancel it because I found it cheaper elsewhere')).args).toEqual({ reason: 'I found it cheaper elsewhere' });
  });

  it('asks for a day and time when the callee only wants another day, then takes the answer', async () => {
    const first = await answer('Can we reschedule?');
    expect(first.tool).toBeUndefined();
    expect(first.text).toMatch(/which day and time/i);
    const second = await answer('Friday at 11 am', [
      { role: 'user', content: 'Can we reschedule?' },
      { role: 'assistant', content: first.text },
    ]);
    expect(second).toMatchObject({ tool: 'reschedule_delivery', args: { date: 'Friday', time: '11 am' } });
  });

  it('asks again when a day was refused as past', async () => {
    const policy = new RuleBasedDialoguePolicy();
    let text = '';
    for await (const delta of policy.stream({
      messages: [{ role: 'tool', toolCallId: '1', content: 'Not rescheduled: 2026-11-20 10:00 is in the past' }],
      tools: COD_TOOLS,
      signal: new AbortController().signal,
    })) if (delta.type === 'text') text += delta.text;
    expect(text).toMatch(/already passed/);
  });

  it('explains who is calling, and asks rather than guesses on a bare no or noise', async () => {
    expect((await answer('Who is this?')).text).toMatch(/delivery team about order ORD3/);
    expect((await answer('No.')).tool).toBeUndefined();
    expect((await answer('blorp')).text).toMatch(/didn't catch that|did not catch that/);
  });
});
