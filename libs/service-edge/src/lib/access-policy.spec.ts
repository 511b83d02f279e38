import { AccessPolicy, checkListenAddress, defaultListenHost } from './access-policy';
import { ApiKeyConfigError, ApiKeyring, parseApiKeys } from './api-keys';
import { hostOfHostHeader, isLoopbackHost } from './loopback';

const KEY = 'a-key-of-twenty-four-ch';
const OTHER_KEY = 'the-rotated-in-second-key';

describe('CODCALL_API_KEYS', () => {
  it('is a comma-separated list; blanks and spaces around keys are ignored', () => {
    expect(parseApiKeys(` ${KEY} ,${OTHER_KEY},`)).toEqual([KEY, OTHER_KEY]);
    expect(parseApiKeys(undefined)).toEqual([]);
    expect(parseApiKeys('  ')).toEqual([]);
  });

  it('refuses a key shorter than 16 characters, naming its position and never the key', () => {
    const parse = () => parseApiKeys(`${KEY},hunter2`);
    expect(parse).toThrow(ApiKeyConfigError);
    expect(parse).toThrow(/CODCALL_API_KEYS: key 2 of 2 is 7 characters long; each key must be at least 16/);
    expect(parse).not.toThrow(/hunter2/);
  });
});

describe('a keyring', () => {
  const keyring = new ApiKeyring([KEY, OTHER_KEY]);

  it('accepts each of its keys and nothing else, whatever the length', () => {
    expect(keyring.accepts(KEY)).toBe(true);
    expect(keyring.accepts(OTHER_KEY)).toBe(true);
    expect(keyring.accepts(KEY.slice(0, -1))).toBe(false);
    expect(keyring.accepts(`${KEY}x`)).toBe(false);
    expect(keyring.accepts('')).toBe(false);
  });
});

describe('loopback names', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST.', 'api.localhost', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '', '10.0.0.1', '128.0.0.1', 'localhost.evil.example', 'example.com', '::ffff:10.0.0.1'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('takes the host out of a Host header', () => {
    expect(hostOfHostHeader('localhost:5001')).toBe('localhost');
    expect(hostOfHostHeader('[::1]:5001')).toBe('::1');
    expect(hostOfHostHeader('127.0.0.1')).toBe('127.0.0.1');
    expect(hostOfHostHeader('::1')).toBe('::1');
  });
});

describe('where a service may listen', () => {
  const service = { service: 'agent-api', hostVariable: 'AGENT_API_HOST' };

  it('listens anywhere with a key, and only on loopback without one', () => {
    expect(() => checkListenAddress({ ...service, host: '0.0.0.0', keys: [KEY] })).not.toThrow();
    expect(() => checkListenAddress({ ...service, host: '127.0.0.1', keys: [] })).not.toThrow();
    expect(() => checkListenAddress({ ...service, host: '0.0.0.0', keys: [] })).toThrow(
      /agent-api will not listen on 0\.0\.0\.0 without an API key: set CODCALL_API_KEYS .* or set AGENT_API_HOST=127\.0\.0\.1/,
    );
  });

  it('defaults to every interface only when it has a key', () => {
    expect(defaultListenHost([KEY])).toBe('0.0.0.0');
    expect(defaultListenHost([])).toBe('127.0.0.1');
  });
});

describe('a request', () => {
  describe('to a service with keys', () => {
    const policy = AccessPolicy.forService({ service: 'agent-api', host: '0.0.0.0', hostVariable: 'AGENT_API_HOST', keys: [KEY, OTHER_KEY] });

    it('gets in with any of the keys as a bearer token, from any host name', () => {
      expect(policy.warning).toBeUndefined();
      expect(policy.check({ authorization: `Bearer ${KEY}`, host: 'api.example.com' })).toBeUndefined();
      expect(policy.check({ authorization: `bearer ${OTHER_KEY}` })).toBeUndefined();
    });

    it('without a key gets 401 saying what to send', () => {
      expect(policy.check({ host: 'api.example.com' })).toEqual({
        status: 401,
        message: 'missing API key: send the header "Authorization: Bearer <key>" with one of the keys in CODCALL_API_KEYS',
        challenge: 'Bearer',
      });
      expect(policy.check({ authorization: `Basic ${Buffer.from(`u:${KEY}`).toString('base64')}` })?.status).toBe(401);
    });

    it('with a wrong key gets 401 that does not repeat it', () => {
      const refusal = policy.check({ authorization: 'Bearer not-the-key-at-all-no' });
      expect(refusal?.status).toBe(401);
      expect(refusal?.message).toMatch(/^invalid API key/);
      expect(JSON.stringify(refusal)).not.toContain('not-the-key-at-all-no');
    });
  });

  describe('to a service without keys (a developer machine)', () => {
    const policy = AccessPolicy.forService({ service: 'agent-api', host: '127.0.0.1', hostVariable: 'AGENT_API_HOST', keys: [] });

    it('gets in without a key when it is addressed to a loopback name, and the service warns once', () => {
      expect(policy.warning).toMatch(/agent-api has no API key \(CODCALL_API_KEYS is unset\): it listens on 127\.0\.0\.1 only/);
      expect(policy.check({ host: '127.0.0.1:5001' })).toBeUndefined();
      expect(policy.check({ host: 'localhost:5001' })).toBeUndefined();
      expect(policy.check({ host: '[::1]:5001' })).toBeUndefined();
    });

    it('is refused when a page renamed 127.0.0.1 to its own host name (DNS rebinding)', () => {
      expect(policy.check({ host: 'attacker.example:5001' })).toMatchObject({ status: 403, message: expect.stringMatching(/only answers requests addressed to localhost/) });
      expect(policy.check({})?.status).toBe(403);
    });
  });
});
