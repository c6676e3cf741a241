/**
 * The event-camera panel of the playground: a webcam (getUserMedia), a video file, or a synthetic
 * moving pattern when neither is there, downsampled to a small sensor, runs through the DVS
 * emulator (GPU when WebGPU is available, else the CPU twin); the frames and the event stream are
 * drawn side by side, live, and every few frames the events drive the direction-selective network
 * (src/dvs/direction.ts, CPU backend), whose spike counts are shown. Independent of main.ts: it
 * has its own elements (#dvs-*) and its own GPU device.
 */
import { DvsEmulator } from '../dvs/emulator.js';
import { detectDirection } from '../dvs/direction.js';
import { GpuDvsEmulator } from '../dvs/gpu-emulator.js';
import { concatEvents } from '../dvs/emulator.js';
import { syntheticVideo, type PatternKind } from '../dvs/video.js';
import { cameraTimeUs, maxFrameIntervalUs, MAX_FRAME_INTERVAL_US } from '../dvs/params.js';
import type { EventStream } from '../events/stream.js';
import { acquireGpu, type GpuContext } from '../webgpu/device.js';

const W = 64;
const H = 48;
/** The synthetic video's clock: 30 frames per second of sensor time. */
const SYNTH_FRAME_US = 33333;
/** Frames of events per network run. */
const CHUNK_FRAMES = 12;
/** The synthetic pattern turns around after this many frames. */
const TURN_FRAMES = 40;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;

interface Emulator {
  push(frame: Uint8Array, tUs: number): Promise<EventStream>;
  destroy(): void;
}

class Panel {
  private running = false;
  private emulator: Emulator | null = null;
  private frameIndex = 0;
  private tUs = 0;
  private startMs = 0;
  /** Wall-clock time (µs) the camera clock skipped (a background tab), and the longest interval the emulator takes. */
  private clockLagUs = 0;
  private maxIntervalUs = MAX_FRAME_INTERVAL_US;
  private totals = { frames: 0, events: 0, inputSpikes: 0, networkSpikes: 0, right: 0, left: 0 };
  private chunk: EventStream[] = [];
  private chunkStart = 0;
  private readonly eventImage = new Float32Array(2 * W * H);
  private video: HTMLVideoElement | null = null;
  private stream: MediaStream | null = null;
  private readonly grab = document.createElement('canvas');
  private gpu: GpuContext | null = null;
  private gpuTried = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly frameCanvas: HTMLCanvasElement,
    private readonly eventCanvas: HTMLCanvasElement,
  ) {
    this.grab.width = W;
    this.grab.height = H;
    for (const c of [frameCanvas, eventCanvas]) {
      c.width = W;
      c.height = H;
    }
  }

  private setStatus(state: string, text: string): void {
    const s = $('dvs-status');
    if (s) {
      s.dataset.state = state;
      s.textContent = text;
    }
  }

  private source(): string {
    return ($('dvs-source') as HTMLSelectElement | null)?.value ?? 'bar';
  }

  async start(): Promise<void> {
    if (this.running) return;
    try {
      await this.openSource();
      this.emulator = await this.makeEmulator();
    } catch (e) {
      this.setStatus('error', (e as Error).message);
      return;
    }
    this.running = true;
    this.frameIndex = 0;
    this.tUs = 0;
    this.startMs = performance.now();
    this.clockLagUs = 0;
    this.chunk = [];
    this.chunkStart = 0;
    this.eventImage.fill(0);
    this.totals = { frames: 0, events: 0, inputSpikes: 0, networkSpikes: 0, right: 0, left: 0 };
    this.setStatus('running', 'running');
    void this.loop();
  }

  stop(): void {
    this.running = false;
    this.emulator?.destroy();
    this.emulator = null;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    this.video?.pause();
    this.setStatus('idle', 'stopped');
  }

  private async openSource(): Promise<void> {
    const src = this.source();
    this.video = null;
    if (src === 'webcam') {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser offers no camera (getUserMedia); choose a synthetic pattern');
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
      this.video = document.createElement('video');
      this.video.muted = true;
      this.video.srcObject = this.stream;
      await this.video.play();
    } else if (src === 'file') {
      const file = ($('dvs-file') as HTMLInputElement | null)?.files?.[0];
      if (!file) throw new Error('choose a video file first');
      this.video = document.createElement('video');
      this.video.muted = true;
      this.video.loop = true;
      this.video.src = URL.createObjectURL(file);
      await this.video.play();
    }
  }

  private async makeEmulator(): Promise<Emulator> {
    const preset = (($('dvs-preset') as HTMLSelectElement | null)?.value ?? 'clean') as 'clean' | 'noisy';
    this.maxIntervalUs = maxFrameIntervalUs(preset);
    const wantGpu = (($('dvs-backend') as HTMLSelectElement | null)?.value ?? 'gpu') === 'gpu';
    if (wantGpu && !this.gpuTried) {
      this.gpuTried = true;
      this.gpu = await acquireGpu().catch(() => null);
    }
    const backend = $('dvs-emulator-backend');
    if (wantGpu && this.gpu) {
      const g = await GpuDvsEmulator.create(this.gpu, W, H, preset);
      if (backend) backend.textContent = `GPU (${this.gpu.adapterName})`;
      return { push: (f, t) => g.pushFrame(f, t), destroy: () => g.destroy() };
    }
    const c = new DvsEmulator(W, H, preset);
    if (backend) backend.textContent = 'CPU';
    return { push: async (f, t) => c.pushFrame(f, t), destroy: () => {} };
  }

  /** The next frame, 8-bit gray, W x H; and its time (µs). */
  private nextFrame(): { frame: Uint8Array; tUs: number } {
    const g = this.grab.getContext('2d', { willReadFrequently: true })!;
    if (this.video) {
      g.drawImage(this.video, 0, 0, W, H);
      const rgba = g.getImageData(0, 0, W, H).data;
      const frame = new Uint8Array(W * H);
      for (let i = 0; i < W * H; i++) frame[i] = Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
      // Camera time: wall clock, at least 1 µs after the previous frame and at most the longest
      // interval the emulator accepts (a background tab pauses requestAnimationFrame); time
      // skipped by the clamp is dropped from the clock, so later frames continue from here.
      const wall = Math.round((performance.now() - this.startMs) * 1000) - this.clockLagUs;
      const t = cameraTimeUs(this.tUs, wall, this.maxIntervalUs);
      this.clockLagUs += Math.max(0, wall - t);
      return { frame, tUs: t };
    }
    const kind = (['bar', 'grating', 'dot'].includes(this.source()) ? this.source() : 'bar') as PatternKind;
    const k = this.frameIndex;
    const leg = Math.floor(k / TURN_FRAMES);
    const direction = leg % 2 === 0 ? 'right' : 'left';
    const video = syntheticVideo({ kind, width: W, height: H, frames: 1, speed: 1, size: 6, direction, start: (k % TURN_FRAMES) + 3 });
    const frame = new Uint8Array(W * H);
    const f = video.frames[0];
    for (let i = 0; i < W * H; i++) frame[i] = Math.round(255 * f[i]);
    return { frame, tUs: k * SYNTH_FRAME_US };
  }

  private async loop(): Promise<void> {
    while (this.running && this.emulator) {
      const { frame, tUs } = this.nextFrame();
      let events: EventStream;
      try {
        events = await this.emulator.push(frame, tUs);
      } catch (e) {
        // A push in flight when Stop destroyed the emulator is not an error.
        if (this.running) this.setStatus('error', (e as Error).message);
        this.running = false;
        return;
      }
      if (!this.running) return; // stopped while the frame was in flight: keep the last drawing
      if (this.frameIndex === 0) this.chunkStart = tUs;
      this.tUs = tUs;
      this.frameIndex++;
      this.totals.frames++;
      this.totals.events += events.t.length;
      this.drawFrame(frame);
      this.drawEvents(events);
      this.chunk.push(events);
      if (this.chunk.length >= CHUNK_FRAMES) await this.feedNetwork(tUs);
      this.publish();
      await new Promise((r) => requestAnimationFrame(() => r(null)));
    }
  }

  private async feedNetwork(tEnd: number): Promise<void> {
    const ev = concatEvents(W, H, this.chunk);
    const t0 = this.chunkStart;
    this.chunk = [];
    this.chunkStart = tEnd;
    const periodMs = this.video ? Math.max(1, (tEnd - t0) / 1000 / CHUNK_FRAMES) : SYNTH_FRAME_US / 1000;
    const r = await detectDirection(ev, { delay_ms: periodMs, duration_ms: (tEnd - t0) / 1000 + 2 * periodMs, t0_us: t0, dt: 0.5 });
    this.totals.inputSpikes += ev.t.length;
    this.totals.networkSpikes += r.relaySpikes + r.right + r.left;
    this.totals.right += r.right;
    this.totals.left += r.left;
    const out = $('dvs-network');
    if (out) {
      out.dataset.direction = r.direction;
      out.textContent = `last ${CHUNK_FRAMES} frames: ${ev.t.length} events in, ${r.relaySpikes} relay spikes, right detectors ${r.right}, left detectors ${r.left} → ${r.direction}`;
    }
  }

  private publish(): void {
    const d = this.root.dataset;
    d.frames = String(this.totals.frames);
    d.events = String(this.totals.events);
    d.inputSpikes = String(this.totals.inputSpikes);
    d.networkSpikes = String(this.totals.networkSpikes);
    d.right = String(this.totals.right);
    d.left = String(this.totals.left);
    const f = $('dvs-facts');
    if (f) f.textContent = `${this.totals.frames} frames, ${this.totals.events} events; network: ${this.totals.networkSpikes} spikes (right ${this.totals.right}, left ${this.totals.left})`;
  }

  private drawFrame(frame: Uint8Array): void {
    const g = this.frameCanvas.getContext('2d')!;
    const img = g.createImageData(W, H);
    for (let i = 0; i < W * H; i++) {
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = frame[i];
      img.data[4 * i + 3] = 255;
    }
    g.putImageData(img, 0, 0);
  }

  /** ON events green, OFF red, fading over a few frames. */
  private drawEvents(ev: EventStream): void {
    const im = this.eventImage;
    for (let k = 0; k < im.length; k++) im[k] *= 0.6;
    for (let k = 0; k < ev.t.length; k++) {
      const i = ev.y[k] * W + ev.x[k];
      im[2 * i + (ev.p[k] === 1 ? 0 : 1)] = 1;
    }
    const g = this.eventCanvas.getContext('2d')!;
    const img = g.createImageData(W, H);
    for (let i = 0; i < W * H; i++) {
      img.data[4 * i] = Math.round(255 * im[2 * i + 1]);
      img.data[4 * i + 1] = Math.round(255 * im[2 * i]);
      img.data[4 * i + 2] = 0;
      img.data[4 * i + 3] = 255;
    }
    g.putImageData(img, 0, 0);
  }
}

function init(): void {
  const root = $('dvs-panel');
  const frame = $<HTMLCanvasElement>('dvs-frame');
  const events = $<HTMLCanvasElement>('dvs-events');
  if (!root || !frame || !events) return;
  const panel = new Panel(root, frame, events);
  $('dvs-start')?.addEventListener('click', () => void panel.start());
  $('dvs-stop')?.addEventListener('click', () => panel.stop());
  const status = $('dvs-status');
  if (status) {
    status.dataset.state = 'idle';
    status.textContent = 'idle';
  }
}

init();
