import { randomUUID } from 'node:crypto';
import { renderTemplate, type AgentRuntimeConfig } from '@codcall/agent-config';
import { findLanguage, languagePack, spokenVariables, type LanguagePack } from '@codcall/languages';
import { ClauseSplitter } from '../clause-splitter';
import type { SynthesisRequest } from '../providers';

const DTMF_ANNOUNCEMENT = 'You can also press 1 to confirm, 2 to cancel, or 3 to choose another day.';

/** How the agent's words are cut for synthesis; the greeting cache must cut them the same way. */
export function splitIntoClauses(text: string): string[] {
  const splitter = new ClauseSplitter();
  return [...splitter.push(text), ...splitter.flush()];
}

export function speechRequest(agent: AgentRuntimeConfig, text: string): Omit<SynthesisRequest, 'signal'> {
  const { languageCode } = agent.synthesizer;
  return { text, language: agent.language, ...(languageCode ? { languageCode } : {}), voice: agent.synthesizer.voiceId ?? agent.synthesizer.voice, model: agent.synthesizer.model };
}

/**
 * The longest rendered message (welcome, reprompt, voicemail) the agent speaks: the agent's
 * templates are limited, but a row's cells fill them in, and each character becomes audio held in
 * memory. About a minute of speech.
 */
export const MAX_SPOKEN_MESSAGE_CHARS = 1200;

/** Cuts a rendered message to MAX_SPOKEN_MESSAGE_CHARS, at a word boundary when there is one. */
export function capSpokenText(text: string): string {
  if (text.length <= MAX_SPOKEN_MESSAGE_CHARS) return text;
  const cut = text.slice(0, MAX_SPOKEN_MESSAGE_CHARS);
  const space = cut.lastIndexOf(' ');
  return (space > MAX_SPOKEN_MESSAGE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd();
}

/** The language the agent speaks on this call (its localised config's); English for a code no pack knows. */
export function callLanguage(agent: AgentRuntimeConfig): LanguagePack {
  return findLanguage(agent.language) ?? languagePack('en');
}

/**
 * The row's cells as the agent says them (order id spelled out, amount formatted for the
 * language); the prompt gets the cells as they are.
 */
export function spokenRow(agent: AgentRuntimeConfig, variables: Record<string, string>): Record<string, string> {
  return spokenVariables(variables, callLanguage(agent));
}

/** What the agent says first: the welcome message for this row, and the keypad options when enabled. */
export function welcomeText(agent: AgentRuntimeConfig, variables: Record<string, string>): string {
  const welcome = capSpokenText(renderTemplate(agent.welcomeMessage, spokenRow(agent, variables)));
  return agent.dtmfEnabled ? `${welcome} ${DTMF_ANNOUNCEMENT}` : welcome;
}

/** The synthesis requests of a call's welcome message, to prepare while the phone rings. */
export function welcomeSpeechRequests(agent: AgentRuntimeConfig, variables: Record<string, string>): Omit<SynthesisRequest, 'signal'>[] {
  // One utterance: once its first clause is rendered, the offline pool renders the rest before other calls' first clauses.
  const id = randomUUID();
  return splitIntoClauses(welcomeText(agent, variables)).map((clause, index) => ({ ...speechRequest(agent, clause), utterance: { id, clause: index } }));
}
