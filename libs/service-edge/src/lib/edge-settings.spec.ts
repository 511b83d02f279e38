import { ApiKeyConfigError } from './api-keys';
import { edgeSettingsFromEnv, EdgeSettingsError } from './edge-settings';

const service = { name: 'sample', hostVariable: 'SAMPLE_HOST' };
const KEY = 'edge-settings-key-0123456789';

describe('the edge settings every service reads', () => {
  it('listens everywhere with a key, on loopback without one, and where the host variable says', () => {
    expect(edgeSettingsFromEnv({ CODCALL_API_KEYS: KEY }, service)).toEqual({ host: '0.0.0.0', apiKeys: [KEY], corsOrigins: [], allowInsecureProviderUrls: false });
    expect(edgeSettingsFromEnv({}, service).host).toBe('127.0.0.1');
    expect(edgeSettingsFromEnv({ SAMPLE_HOST: '::1' }, service).host).toBe('::1');
  });

  it('reads the CORS origins and the insecure-URL flag', () => {
    const settings = edgeSettingsFromEnv({ CORS_ORIGINS: ' https://a.example, ,https://b.example', ALLOW_INSECURE_PROVIDER_URLS: 'yes' }, service);
    expect(settings).toMatchObject({ corsOrigins: ['https://a.example', 'https://b.example'], allowInsecureProviderUrls: true });
  });

  it('names the variable of a setting it cannot use', () => {
    expect(() => edgeSettingsFromEnv({ ALLOW_INSECURE_PROVIDER_URLS: 'maybe' }, service)).toThrow(new EdgeSettingsError('ALLOW_INSECURE_PROVIDER_URLS must be true or false, got "maybe"'));
    expect(() => edgeSettingsFromEnv({ SAMPLE_HOST: '0.0.0.0' }, service)).toThrow(ApiKeyConfigError);
    expect(() => edgeSettingsFromEnv({ SAMPLE_HOST: '0.0.0.0' }, service)).toThrow(/or set SAMPLE_HOST=127.0.0.1/);
  });
});
