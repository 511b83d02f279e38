import { availableParallelism } from 'node:os';
import { ConfigError, loadGatewayConfig, workerShare } from './config';

describe('gateway configuration', () => {
  const key = 'k'.repeat(24);

  it('with nothing set: loopback only, no key, simulator off, numbers masked, a call limit that fits the machine', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      apiKeys: [],
      apiKey: undefined,
      corsOrigins: [],
      allowInsecureProviderUrls: false,
      dataDir: 'data/gateway',
      recordsDir: 'data/calls',
      keepFullNumbers: false,
      simulator: { enabled: false },
    });
    expect(config.maxCalls).toBe(Math.min(2000, 50 * availableParallelism()));
  });

  it('takes TRANSFER_NUMBER as an E.164 number, and none unset: then no call offers a transfer', () => {
    expect(loadGatewayConfig({ TRANSFER_NUMBER: ' +919876543210 ' }).transferNumber).toBe('+919876543210');
    expect(loadGatewayConfig({}).transferNumber).toBeUndefined();
    expect(loadGatewayConfig({ TRANSFER_NUMBER: '' }).transferNumber).toBeUndefined();
  });

  it('refuses a TRANSFER_NUMBER that is not a dialable E.164 number, naming the variable', () => {
    for (const bad of ['98765 43210', '+91 98765 43210', '+1555', '+10000000000', 'support']) {
      expect(() => loadGatewayConfig({ TRANSFER_NUMBER: bad })).toThrow(ConfigError);
      expect(() => loadGatewayConfig({ TRANSFER_NUMBER: bad })).toThrow(/^TRANSFER_NUMBER must be a valid phone number in E\.164 form/);
    }
  });

  it('reads the keys it accepts, the key it sends, and listens everywhere once it has a key', () => {
    const config = loadGatewayConfig({ CODCALL_API_KEYS: ` ${key}, ${'n'.repeat(16)} ,` });
    expect(config).toMatchObject({ host: '0.0.0.0', apiKeys: [key, 'n'.repeat(16)], apiKey: key });
    expect(loadGatewayConfig({ CODCALL_API_KEYS: key, CODCALL_API_KEY: 'o'.repeat(20) }).apiKey).toBe('o'.repeat(20));
  });

  it('refuses a short key without repeating it', () => {
    expect(() => loadGatewayConfig({ CODCALL_API_KEYS: `${key},short-secret` })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ CODCALL_API_KEYS: `${key},short-secret` })).toThrow(/CODCALL_API_KEYS: key 2 of 2 is 12 characters long; each key must be at least 16/);
    expect(() => loadGatewayConfig({ CODCALL_API_KEYS: `${key},short-secret` })).not.toThrow(/short-secret/);
  });

  it('refuses to listen beyond this machine without a key, and says how to set one', () => {
    expect(() => loadGatewayConfig({ GATEWAY_HOST: '0.0.0.0' })).toThrow(/telephony-gateway will not listen on 0\.0\.0\.0 without an API key: set CODCALL_API_KEYS/);
    expect(loadGatewayConfig({ GATEWAY_HOST: '::1' }).host).toBe('::1');
    expect(loadGatewayConfig({ GATEWAY_HOST: 'localhost' }).host).toBe('localhost');
    expect(loadGatewayConfig({ GATEWAY_HOST: '0.0.0.0', CODCALL_API_KEYS: key }).host).toBe('0.0.0.0');
  });

  it('reads the call limit, the data folder, whole numbers, the simulator switch and CORS origins', () => {
    const config = loadGatewayConfig({
      GATEWAY_MAX_CALLS: '7',
      GATEWAY_DATA_DIR: '/var/lib/codcall',
      RECORDS_KEEP_FULL_NUMBERS: 'true',
      SIMULATOR_ENABLED: 'true',
      CORS_ORIGINS: 'https://ops.example.com, https://b.example.com',
      ALLOW_INSECURE_PROVIDER_URLS: 'true',
    });
    expect(config).toMatchObject({ allowInsecureProviderUrls: true, maxCalls: 7, dataDir: '/var/lib/codcall', keepFullNumbers: true, simulator: { enabled: true } });
    expect(config.corsOrigins).toEqual(['https://ops.example.com', 'https://b.example.com']);
    expect(() => loadGatewayConfig({ GATEWAY_MAX_CALLS: '0' })).toThrow(/GATEWAY_MAX_CALLS must be an integer between 1 and 2000, got "0"/);
  });

  it('runs one process per core by default, and splits the call limit evenly over the workers, each with its own store folder', () => {
    expect(loadGatewayConfig({}).workers).toBe(Math.min(64, availableParallelism()));
    const single = loadGatewayConfig({ GATEWAY_WORKERS: '1' });
    expect([single.workers, single.worker]).toEqual([1, undefined]);
    const config = loadGatewayConfig({ GATEWAY_WORKERS: '3', GATEWAY_MAX_CALLS: '10', GATEWAY_DATA_DIR: '/var/lib/codcall' });
    expect([1, 2, 3].map((index) => workerShare(config, index).maxCalls)).toEqual([4, 3, 3]);
    expect(workerShare(config, 2)).toMatchObject({ dataDir: '/var/lib/codcall/worker-2', worker: { index: 2, count: 3 } });
    expect(loadGatewayConfig({ GATEWAY_WORKERS: '3', GATEWAY_WORKER_INDEX: '2' }).worker).toEqual({ index: 2, count: 3 });
    // Never more workers than calls by default; asked for explicitly, it is a mistake to report.
    expect(loadGatewayConfig({ GATEWAY_MAX_CALLS: '1' }).workers).toBe(1);
    expect(() => loadGatewayConfig({ GATEWAY_WORKERS: '4', GATEWAY_MAX_CALLS: '3' })).toThrow(/GATEWAY_MAX_CALLS \(3\) is split across GATEWAY_WORKERS \(4\)/);
    expect(() => loadGatewayConfig({ GATEWAY_WORKERS: '0' })).toThrow(/GATEWAY_WORKERS must be an integer between 1 and 64/);
  });
});
