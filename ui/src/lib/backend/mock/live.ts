/** The mock's show on air: the program, outputs, meters, preview, alerts, and its simulation. */
import type { Backend, SlateKind } from '../backend';
import { BackendError } from '../errors';
import type { LiveAlert } from '../generated/LiveAlert';
import type { LiveStatus } from '../generated/LiveStatus';
import { drawFrame, drawThumbnails } from './preview';
import { seedOutputs } from './seed';
import { emit, type MockOutput, type World } from './world';

const fail = (code: string, message: string): never => {
  throw new BackendError({ code, message });
};

export function liveStatus(world: World): LiveStatus {
  const live = world.live;
  const on = live.phase === 'live';
  const outputs = live.outputs.map((output) => ({
    id: output.id,
    name: output.name,
    kind: output.kind,
    display: output.display,
    state: output.state,
    reason: output.reason,
    health: output.dropped >= 5 ? 'error' : output.dropped >= 1 ? 'warn' : 'ok',
    bitrate_bps: output.bitrateBps,
    bytes_sent: output.bytesSent,
    dropped_percent: output.dropped,
    queue_ms: output.state === 'live' ? 40 + Math.round(world.random() * 30) : 0,
    reconnects: output.reconnects,
    srt_rtt_ms: output.rttMs,
    live_seconds: output.liveSeconds,
    file: output.file,
  }));
  return {
    phase: live.phase,
    show_id: on ? live.showId : null,
    started_ms: on ? live.startedMs : null,
    slots: [...live.slots],
    layout: on ? live.layout : null,
    encoder: on ? 'x264' : null,
    encoder_fps: on ? live.encoderFps : 0,
    bitrate_kbps: on ? Math.round((live.outputs[0]?.baseBps ?? 0) / 1000) : 0,
    cpu_percent: on ? 38 + Math.round(world.random() * 9) : 0,
    rss_mb: on ? 164 + Math.round(world.random() * 6) : 0,
    outputs: on ? outputs : outputs.filter((output) => output.kind === 'recording' && output.file),
    sources: live.sources.map((source) => ({ ...source })),
    channels: [...live.channels],
  };
}

export function alert(world: World, kind: string, severity: string, subject: string, message: string, atMs = world.now()): void {
  const value: LiveAlert = { kind, severity, subject, message, at_ms: atMs };
  emit(world.listeners.alert, value);
}

/** The program's slots and channels, from the profile (sources with a picture, then the slate). */
export function programFromProfile(world: World): void {
  const sources = world.profile.sources;
  const pictures = sources.filter((source) => !['microphone', 'tone'].includes(source.kind));
  world.live.slots = [...pictures.map((source) => source.name), 'Slate'];
  world.live.channels = sources.filter((source) => ['microphone', 'tone', 'file'].includes(source.kind)).map((source) => source.name);
  world.live.audio = world.live.channels.map(() => ({ gainDb: 0, muted: false }));
  world.live.sources = sources.map((source) => ({ name: source.name, state: 'active', reason: null }));
}

function setOutput(world: World, output: MockOutput, state: string, reason: string | null) {
  const before = output.state;
  output.state = state;
  output.reason = reason;
  if (state !== 'live') output.bitrateBps = 0;
  if (before === state) return;
  if (state === 'live' && (before === 'reconnecting' || before === 'connecting') && output.reconnects > 0) {
    alert(world, 'output_back', 'info', output.name, `${output.name} is back on air`);
  } else if (state === 'reconnecting') {
    alert(world, 'output_down', 'warn', output.name, `${output.name} lost the connection: ${reason ?? 'reconnecting'}`);
  } else if (state === 'failed') {
    alert(world, 'output_failed', 'error', output.name, `${output.name} stopped: ${reason ?? 'failed'}`);
  }
}

/** One second of the show: outputs move, reconnects play out. */
export function liveSecond(world: World): void {
  if (world.live.phase !== 'live') return;
  for (const output of world.live.outputs) {
    if (output.state === 'live') {
      output.bitrateBps = Math.round(output.baseBps * (0.94 + world.random() * 0.08));
      output.bytesSent += Math.round(output.bitrateBps / 8);
      output.liveSeconds += 1;
      if (output.kind !== 'recording') output.dropped = Math.max(0, +(output.dropped + (world.random() - 0.52) * 0.05).toFixed(2));
    } else if (output.state === 'reconnecting' || output.state === 'connecting') {
      if (output.backIn !== null) {
        output.backIn -= 1;
        if (output.backIn <= 0) {
          output.backIn = null;
          setOutput(world, output, 'live', null);
          // The backup drops again a while later: a flaky ingest, as on a real night.
          if (output.id === 'out-dacast' && world.simulate) output.backIn = -45;
        }
      } else if (output.state === 'connecting') {
        setOutput(world, output, 'live', null);
      }
    }
    if (output.backIn !== null && output.backIn < 0 && output.state === 'live') {
      output.backIn += 1;
      if (output.backIn >= 0) {
        output.reconnects += 1;
        output.backIn = 12;
        setOutput(world, output, 'reconnecting', 'connection reset by the server; next try in 2 s');
      }
    }
  }
  emit(world.listeners.live, liveStatus(world));
}

/** Twenty times a second: the level of each channel and of the program. */
export function meters(world: World) {
  const t = world.now() / 1000;
  const channel_peak: number[] = [];
  const channel_rms: number[] = [];
  world.live.channels.forEach((_, index) => {
    const audio = world.live.audio[index] ?? { gainDb: 0, muted: false };
    if (audio.muted) {
      channel_peak.push(-100);
      channel_rms.push(-100);
      return;
    }
    const base = index === 0 ? -16 : index === 1 ? -21 : -27;
    const wobble = Math.sin(t * (2.1 + index)) * 4 + (world.random() - 0.5) * 5;
    const rms = Math.min(0, base + wobble + audio.gainDb);
    // The ring microphone peaks now and then: a punch lands near it.
    const punch = index === 0 && world.random() < 0.012 ? 14 : 0;
    channel_rms.push(+rms.toFixed(1));
    channel_peak.push(+Math.min(0, rms + 8 + world.random() * 3 + punch).toFixed(1));
  });
  const loudest = Math.max(-100, ...channel_peak);
  const loudestRms = Math.max(-100, ...channel_rms);
  return {
    program_peak: [loudest, +(loudest - 0.8).toFixed(1)],
    program_rms: [loudestRms, +(loudestRms - 0.6).toFixed(1)],
    channel_peak,
    channel_rms,
  };
}

export function liveApi(world: World, started: () => void): Pick<
  Backend,
  'liveStatus' | 'goLive' | 'endShow' | 'setLayout' | 'showSlate' | 'setAudio' | 'retryOutput' | 'onLiveStatus' | 'onMeters' | 'onPreview' | 'onThumbnails' | 'onAlert'
> {
  const live = world.live;
  const checkSlot = (slot: number, field: string) => {
    if (!Number.isInteger(slot) || slot < 0 || slot >= live.slots.length) fail('media.bad_value', `${field}: no slot ${slot} (the program has ${live.slots.length})`);
  };
  const onAir = () => {
    if (live.phase !== 'live') fail('media.state', 'the show is not on air');
  };
  return {
    liveStatus: async () => liveStatus(world),
    goLive: async (showId) => {
      if (live.phase === 'live') fail('media.state', 'the show is already on air');
      if (showId !== null && !world.shows.some((show) => show.id === showId)) fail('store.not_found', `no show ${showId}`);
      if (world.profile.sources.length === 0) fail('profile.invalid', 'sources: the profile has no source');
      programFromProfile(world);
      live.phase = 'live';
      live.showId = showId;
      live.startedMs = world.now();
      live.layout = { layout: 'single', slot: 0 };
      live.slate = null;
      const show = world.shows.find((candidate) => candidate.id === showId) ?? null;
      const videos = world.live.outputs.find((output) => output.kind === 'recording')?.display ?? '/home/regie/Vidéos/Showdesk';
      const seeded = seedOutputs('idle', videos, show);
      live.outputs = [
        ...world.profile.destinations
          .filter((destination) => destination.enabled !== false)
          .map((destination, index): MockOutput => ({
            ...(seeded[index % 3] as MockOutput),
            id: `out-${index}`,
            name: destination.name,
            kind: destination.url?.startsWith('srt') || destination.url_keyring?.includes('srt') ? 'srt' : 'rtmp',
            display: destination.url ? `${destination.url}/****` : `(${destination.url_keyring ?? destination.url_env ?? 'keyring'})`,
            state: 'connecting',
            reason: null,
            bitrateBps: 0,
            bytesSent: 0,
            dropped: 0,
            reconnects: 0,
            liveSeconds: 0,
            backIn: 2 + index,
          })),
        ...(world.profile.recording.enabled === false ? [] : [{ ...(seeded[3] as MockOutput), bytesSent: 0, liveSeconds: 0 }]),
      ];
      alert(world, 'program', 'info', 'Program', 'On air');
      started();
      emit(world.listeners.live, liveStatus(world));
      return liveStatus(world);
    },
    endShow: async () => {
      onAir();
      live.phase = 'off';
      live.slate = 'ended';
      for (const output of live.outputs) {
        output.state = 'stopped';
        output.bitrateBps = 0;
        output.reason = null;
      }
      alert(world, 'program', 'info', 'Program', 'The show ended; the recording is finalised');
      world.drill = false; // as the shell: the drill ends with the show
      const status = liveStatus(world);
      emit(world.listeners.live, status);
      return status;
    },
    setLayout: async (layout) => {
      onAir();
      if (layout.layout === 'single') checkSlot(layout.slot, 'slot');
      else {
        checkSlot(layout.main, 'main');
        checkSlot(layout.inset, 'inset');
        if (layout.main === layout.inset) fail('media.bad_value', 'inset: the same slot as the main picture');
        if (!['top_left', 'top_right', 'bottom_left', 'bottom_right'].includes(layout.corner)) fail('media.bad_value', `corner: ${layout.corner}`);
        if (layout.size_percent < 10 || layout.size_percent > 50) fail('media.bad_value', 'size_percent: between 10 and 50');
      }
      live.layout = layout;
      emit(world.listeners.live, liveStatus(world));
    },
    showSlate: async (kind: SlateKind) => {
      if (!['countdown', 'starting_soon', 'be_right_back', 'ended'].includes(kind)) fail('invalid', `kind: ${JSON.stringify(kind)} is not a slate (countdown, starting_soon, be_right_back, ended)`);
      onAir();
      live.slate = kind;
      live.layout = { layout: 'single', slot: live.slots.length - 1 };
      emit(world.listeners.live, liveStatus(world));
    },
    setAudio: async (channel, gainDb, muted) => {
      if (!Number.isInteger(channel) || channel < 0 || channel >= live.channels.length) fail('media.bad_value', `channel: no channel ${channel}`);
      if (!Number.isFinite(gainDb) || gainDb < -60 || gainDb > 24) fail('invalid', `gainDb: ${gainDb} dB is outside −60…+24 dB`);
      live.audio[channel] = { gainDb, muted };
    },
    retryOutput: async (outputId) => {
      onAir();
      const output = live.outputs.find((candidate) => candidate.id === outputId);
      if (!output) return fail('media.bad_command', `no output ${outputId}`);
      if (output.state === 'live') return;
      output.reconnects += 1;
      const keyRefused = output.state === 'failed' && (output.reason ?? '').includes('refused the stream key');
      output.state = 'connecting';
      output.reason = null;
      output.backIn = null;
      emit(world.listeners.live, liveStatus(world));
      // A refused key is refused again: "retry" does not fix a wrong key, and the window says why.
      const later = () => {
        if (live.phase !== 'live') return;
        if (keyRefused) setOutput(world, output, 'failed', 'the server refused the stream key (publish rejected: NetStream.Publish.BadName); check the key in Setup');
        else setOutput(world, output, 'live', null);
        emit(world.listeners.live, liveStatus(world));
      };
      if (world.simulate) setTimeout(later, 1_500);
      else later();
    },
    onLiveStatus: async (handler) => {
      world.listeners.live.add(handler);
      return () => world.listeners.live.delete(handler);
    },
    onMeters: async (handler) => {
      world.listeners.meters.add(handler);
      return () => world.listeners.meters.delete(handler);
    },
    onPreview: async (handler) => {
      world.listeners.preview.add(handler);
      if (live.phase === 'live') handler(drawFrame(world));
      return () => world.listeners.preview.delete(handler);
    },
    onThumbnails: async (handler) => {
      world.listeners.thumbnails.add(handler);
      if (live.phase === 'live') drawThumbnails(world).forEach(handler);
      return () => world.listeners.thumbnails.delete(handler);
    },
    onAlert: async (handler) => {
      world.listeners.alert.add(handler);
      return () => world.listeners.alert.delete(handler);
    },
  };
}
