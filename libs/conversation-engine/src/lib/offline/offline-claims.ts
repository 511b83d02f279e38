import type { LanguageCode } from '@codcall/languages';

/** What a conversation scenario (evals/) exercises; a scenario lists the ones it needs. */
export type EvalCapability =
  | 'identity'
  | 'confirm'
  | 'cancel'
  | 'reschedule'
  | 'wrong_person'
  | 'do_not_call'
  | 'who_is_calling'
  | 'amount_question'
  | 'vague_time'
  | 'past_date'
  | 'change_of_mind'
  | 'angry_refusal'
  | 'silence'
  | 'barge_in'
  | 'dtmf'
  | 'voicemail'
  | 'callback'
  | 'transfer'
  | 'address'
  | 'backchannel'
  | 'code_switching';

/**
 * What the offline rule engine claims to handle: a scenario is claimed when its language and
 * all its capabilities are. Each claimed capability is played in every claimed language by
 * multilingual-policy.spec.ts (its test titles name them), backchannels also by the turn
 * detector's spec. `silence` and `barge_in` claim the policy's part: it keeps its place through
 * a reprompt and answers a callee who cut its question off; the session times both.
 * Not claimed: `voicemail`, which the gateway's machine detection settles without the policy.
 */
export const OFFLINE_POLICY_CLAIMS: { languages: readonly LanguageCode[]; capabilities: readonly EvalCapability[] } = {
  languages: ['en', 'hi', 'hi-Latn', 'ar', 'es', 'pt-BR', 'id'],
  capabilities: [
    'identity',
    'confirm',
    'cancel',
    'reschedule',
    'wrong_person',
    'do_not_call',
    'who_is_calling',
    'amount_question',
    'vague_time',
    'past_date',
    'change_of_mind',
    'angry_refusal',
    'silence',
    'barge_in',
    'dtmf',
    'callback',
    'transfer',
    'address',
    'backchannel',
    'code_switching',
  ],
};
