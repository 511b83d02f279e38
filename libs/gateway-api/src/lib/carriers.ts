/**
 * The carriers a gateway knows by name: the `carrier` of POST /call, an agent's telephony
 * `provider`, the CLI's --provider. `sim` is the gateway's own simulator (no real call).
 */
export const CARRIER_NAMES = ['twilio', 'plivo', 'sim'] as const;
export type CarrierName = (typeof CARRIER_NAMES)[number];

export function isCarrierName(value: unknown): value is CarrierName {
  return (CARRIER_NAMES as readonly unknown[]).includes(value);
}
