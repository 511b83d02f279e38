import { timelineLines, transcriptLines, turnLegs } from './call-detail';

describe('the call page reading a call record as the gateway keeps it', () => {
  it('gives each answered turn its legs, codcall’s own last, and places a barge-in where the callee started talking over the agent, with how it ended', () => {
    // The campaign store keeps turns as the campaign's client read them (camelCase); older records may be snake_case.
    const legs = turnLegs([
      { kind: 'text', calleeSpeechEndedAtMs: 2000, sttFinalAtMs: 2100, llmRequestAtMs: 2101, llmFirstTokenAtMs: 2350, ttsRequestAtMs: 2351, ttsFirstByteAtMs: 2500, firstFrameSentAtMs: 2504, latencyMs: 504 },
      { kind: 'barge_in', speechStartedAtMs: 3000, clearedAtMs: 3004, latencyMs: 4, resolution: 'resumed' },
      { kind: 'outcome', callee_speech_ended_at_ms: 5000, stt_final_at_ms: 5100, llm_request_at_ms: 5101, llm_first_token_at_ms: 5351, first_frame_sent_at_ms: 5360 },
    ]);
    expect(legs).toEqual([
      { kind: 'text', atMs: 2000, transcriptMs: 100, modelMs: 249, speechMs: 149, sendMs: 4, totalMs: 504 },
      { kind: 'barge_in', atMs: 3000, transcriptMs: undefined, modelMs: undefined, speechMs: undefined, sendMs: undefined, totalMs: 4, resolution: 'resumed' },
      // The goodbye was synthesised during the call: from the model's first token straight to the first frame.
      { kind: 'outcome', atMs: 5000, transcriptMs: 100, modelMs: 250, speechMs: undefined, sendMs: 9, totalMs: 360 },
    ]);
  });

  it('reads the transcript and the timeline, skipping entries that are not records', () => {
    expect(transcriptLines([{ speaker: 'agent', text: 'Hello', atMs: 0 }, 'noise', { role: 'callee', text: 'Yes', at_ms: 1500 }])).toEqual([
      { speaker: 'agent', text: 'Hello', atMs: 0 },
      { speaker: 'callee', text: 'Yes', atMs: 1500 },
    ]);
    expect(timelineLines([{ event: 'dialled', detail: 'sim', atMs: 10 }, null, { event: 'hangup', atMs: 9000 }])).toEqual([
      { event: 'dialled', detail: 'sim', atMs: 10 },
      { event: 'hangup', detail: undefined, atMs: 9000 },
    ]);
  });
});
