import { useEffect, useRef, useState } from 'react';
import WaveSurfer from 'wavesurfer.js';
import { messageOf } from './components';
import { useApi } from './session';

/**
 * The call's two-sided recording: fetched with the key (an <audio> element cannot send it), played
 * by the page's own audio element, drawn by wavesurfer.js as two waveforms (callee left, agent right).
 */
export function RecordingPlayer({ url }: { url: string }) {
  const api = useApi();
  const audio = useRef<HTMLAudioElement>(null);
  const waves = useRef<HTMLDivElement>(null);
  const [source, setSource] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let objectUrl: string | undefined;
    let current = true;
    api.recording(url).then(
      (blob) => {
        if (!current) return;
        objectUrl = URL.createObjectURL(blob);
        setSource(objectUrl);
      },
      (caught: unknown) => current && setError(messageOf(caught)),
    );
    return () => {
      current = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [api, url]);

  useEffect(() => {
    if (!source || !audio.current || !waves.current) return;
    const surfer = WaveSurfer.create({
      container: waves.current,
      media: audio.current,
      url: source,
      height: 70,
      splitChannels: [
        { waveColor: '#2463eb', progressColor: '#1e3a8a' },
        { waveColor: '#1a7f37', progressColor: '#14532d' },
      ],
    });
    surfer.on('error', (caught) => setError(messageOf(caught)));
    return () => surfer.destroy();
  }, [source]);

  return (
    <div className="recording">
      {error && (
        <p className="error" role="alert">
          The recording could not be loaded: {error}
        </p>
      )}
      <div className="waves" ref={waves} aria-hidden="true" />
      <p className="legend">
        <span className="swatch callee" /> callee (left channel) <span className="swatch agent" /> agent (right channel)
      </p>
      <audio ref={audio} controls preload="auto" aria-label="Call recording" data-testid="recording" />
    </div>
  );
}
