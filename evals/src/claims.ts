import * as engine from '@codcall/conversation-engine';
import type { Scenario } from './scenario';

/** What the offline rule engine says it understands (OFFLINE_POLICY_CLAIMS of @codcall/conversation-engine). */
export interface OfflineClaims {
  languages: readonly string[];
  capabilities: readonly string[];
}

/** Reads the claims without trusting their shape: an engine that publishes none claims nothing. */
export function readOfflineClaims(source: Record<string, unknown> = engine as unknown as Record<string, unknown>): OfflineClaims | undefined {
  const claims = source['OFFLINE_POLICY_CLAIMS'] as { languages?: unknown; capabilities?: unknown } | undefined;
  if (!claims || typeof claims !== 'object') return undefined;
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
  return { languages: strings(claims.languages), capabilities: strings(claims.capabilities) };
}

/** A scenario is claimed when its language and every capability it needs are. */
export function isClaimed(scenario: Pick<Scenario, 'language' | 'needs'>, claims: OfflineClaims | undefined): boolean {
  if (!claims) return false;
  return claims.languages.includes(scenario.language) && scenario.needs.every((need) => claims.capabilities.includes(need));
}

/** Why a scenario is not claimed, in a few words. */
export function unclaimedBecause(scenario: Pick<Scenario, 'language' | 'needs'>, claims: OfflineClaims | undefined): string {
  if (!claims) return 'the offline engine publishes no claims';
  const missing = [
    ...(claims.languages.includes(scenario.language) ? [] : [`language ${scenario.language}`]),
    ...scenario.needs.filter((need) => !claims.capabilities.includes(need)),
  ];
  return `not claimed: ${missing.join(', ')}`;
}
