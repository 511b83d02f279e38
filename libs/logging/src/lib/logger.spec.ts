import { Writable } from 'node:stream';
import { createLogger, maskNumbersInText, maskPhone } from './logger';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('logging', () => {
  it('masks phone numbers keeping only the country prefix and the last two digits', () => {
    expect(maskPhone('+15551234567')).toBe('+15*******67');
    expect(maskPhone('+919876543210')).toBe('+91********10');
    expect(maskPhone('')).toBe('');
  });

  it('never writes secrets and masks phone fields', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 't', destination });
    logger.info({ apiKey: 'sk-live-123', to: '+15551234567', provider: { authToken: 'tok' } }, 'placing');
    const out = lines.join('');
    expect(out).not.toContain('sk-live-123');
    expect(out).not.toContain('tok"');
    expect(out).not.toContain('+15551234567');
    expect(out).toContain('+15*******67');
  });

  it('masks the numbers inside a message from elsewhere, and leaves dates, times, ports and ids alone', () => {
    expect(maskNumbersInText('recipient_phone_number +91 98765 43210 is not allowed; 919876543210 neither')).toBe(
      'recipient_phone_number +91********10 is not allowed; 91********10 neither',
    );
    expect(maskNumbersInText('unreachable: +919876543210 (SIP 404)')).toBe('unreachable: +91********10 (SIP 404)');
    const plain = 'rescheduled to 2031-05-06 15:00 at http://127.0.0.1:5002 for call-12345678 (pid 4194311)';
    expect(maskNumbersInText(plain)).toBe(plain);
  });
});
