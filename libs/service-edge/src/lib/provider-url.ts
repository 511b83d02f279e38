import { isIP } from 'node:net';
import { isLoopbackHost } from './loopback';

/** What the deployment allows an agent's URLs to be; the app reads it from its environment. */
export interface ProviderUrlPolicy {
  /** ALLOW_INSECURE_PROVIDER_URLS=true: plain http to any host that is not link-local or metadata. */
  allowInsecure?: boolean;
}

/** Cloud metadata services by name: they hand out the machine's credentials to whoever asks. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.com']);
/** ... and by address: AWS, GCP and Azure (169.254.169.254), AWS over IPv6, Alibaba, Oracle. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '192.0.0.192']);

/**
 * Why `raw` may not be a URL a service sends the operator's keys, callers' words or outcomes to, or
 * undefined when it may. Such URLs are written through the APIs (an agent's provider URLs, a
 * campaign's outcome webhook), so whoever can write one must not be able to point a service at a
 * server of theirs over plain http, at the cloud's metadata service, or at the link-local network.
 */
export function providerUrlProblem(raw: string, policy: ProviderUrlPolicy = {}): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute https URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be an https URL, not ${url.protocol.replace(/:$/, '')}`;
  if (url.username || url.password) return 'must not carry a user name or password';
  // URL() has already turned 0x7f.1, 2852039166 and friends into dotted IPv4, and lower-cased names.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const address = ipv4Within(host) ?? host;
  if (isUnspecified(address)) return 'must not point at an unspecified address (0.0.0.0 or ::)';
  if (METADATA_NAMES.has(address) || METADATA_ADDRESSES.has(address)) return 'must not point at a cloud metadata service';
  if (isLinkLocal(address)) return 'must not point at a link-local address (169.254.0.0/16, fe80::/10)';
  if (url.protocol === 'http:' && !policy.allowInsecure && !isLoopbackHost(address)) {
    return 'must use https (plain http is allowed only to localhost, or everywhere with ALLOW_INSECURE_PROVIDER_URLS=true)';
  }
  return undefined;
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (::ffff:a9fe:a9fe is 169.254.169.254). */
function ipv4Within(host: string): string | undefined {
  const mapped = /^::ffff:(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/i.exec(host);
  if (!mapped) return undefined;
  if (mapped[3]) return mapped[3];
  const high = parseInt(mapped[1], 16);
  const low = parseInt(mapped[2], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

function isUnspecified(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('0.');
  return isIP(host) === 6 && /^[0:]+$/.test(host);
}

function isLinkLocal(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('169.254.');
  return isIP(host) === 6 && /^fe[89ab][0-9a-f]:/i.test(host);
}
