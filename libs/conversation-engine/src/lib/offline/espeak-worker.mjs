// eSpeak-NG (GPL-3.0-or-later, the optional `espeak-ng` package) runs here, in a worker thread:
// the package is ES-module-only, and synthesis is CPU work that must not stall a call's audio clock.
// Protocol: {id, text, voice, rate} in; {id, wav} or {id, error} out.
import { parentPort } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const entry = require.resolve('espeak-ng');
const { default: ESpeakNg } = await import(entry);
// Compile the 18 MB WebAssembly once; each phrase then only instantiates it.
const wasmBinary = await readFile(entry.replace(/\.js$/, '.wasm'));
const wasmModule = await WebAssembly.compile(wasmBinary);

// One phrase at a time: every phrase instantiates the module with a linear memory of its own
// (tens of MB), so phrases rendered side by side multiply the memory while gaining no speed on
// one thread. A flood of distinct greetings queued 100 of them at once and took the gateway past 10 GB.
let queue = Promise.resolve();
parentPort.on('message', (message) => {
  queue = queue.then(() => render(message));
});

async function render({ id, text, voice, rate }) {
  try {
    const espeak = await ESpeakNg({
      arguments: ['-v', voice, '-s', String(rate), '-w', 'out.wav', text],
      instantiateWasm(imports, done) {
        WebAssembly.instantiate(wasmModule, imports).then((instance) => done(instance, wasmModule));
        return {};
      },
      print() {},
      printErr() {},
    });
    const wav = espeak.FS.readFile('out.wav');
    parentPort.postMessage({ id, wav }, [wav.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.message ?? error) });
  }
}
parentPort.postMessage({ ready: true });
