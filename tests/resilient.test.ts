import { describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from '../src/engine/checkpoint/file.js';
import { DeviceLostError, gpuOrCpu, type ResilientEvent, runResilient } from '../src/engine/resilient.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { acquireGpu, type GpuContext, NoAdapterError } from '../src/webgpu/device.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';

/**
 * A recurrent network with delays, Poisson drive and a function source; the function source is
 * the fault injector: at step `killAt` it destroys whatever device `target()` names (once).
 */
function network(fault: { killAt: number; target: () => GpuContext | undefined; fired: boolean }) {
  const net = new Network({ dt: 0.1, seed: 17 });
  const drive = net.addSource('drive', 100, { kind: 'poisson', rate_hz: 150 });
  const pulse = net.addSource('pulse', 32, {
    kind: 'function',
    fn: (t: number) => {
      const step = Math.round(t / 0.1);
      if (step === fault.killAt && !fault.fired) {
        const ctx = fault.target();
        if (ctx) {
          fault.fired = true;
          ctx.device.destroy();
        }
      }
      return Array.from({ length: 32 }, (_, i) => (step % 50 === i ? 1 : 0));
    },
  });
  const e = net.addLIF('e', 200, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 20, t_ref: 2, receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'exp_current', tau: 10 } } });
  net.connect(drive, e, { kind: 'fixed_indegree', k: 20, weight: 3 }, { receptor: 'exc', delays: { low: 1, high: 15 } });
  net.connect(pulse, e, { kind: 'fixed_probability', p: 0.3, weight: 6 }, { receptor: 'exc', delay: 2 });
  net.connect(e, e, { kind: 'fixed_probability', p: 0.05, weight: -2 }, { receptor: 'inh', delay: 4 });
  net.monitorSpikes(e);
  net.monitorVoltage(e, [0, 1, 2]);
  return net;
}

describe('runResilient: device loss mid-run loses nothing', () => {
  it('GPU lost mid-segment → new GPU device; lost again → no GPU left → CPU; recordings equal the undisturbed run', async () => {
    const steps = 600;
    const reference = new CpuSimulation(lowerNetwork(network({ killAt: -1, target: () => undefined, fired: true })));
    reference.runSync(steps);
    expect(reference.spikes('e').total()).toBeGreaterThan(50);

    let current: GpuContext | undefined;
    const fault = { killAt: 250, target: () => current, fired: false };
    const plan = lowerNetwork(network(fault));
    const acquired: string[] = [];
    const factory = gpuOrCpu(plan, {
      gpu: { chunkSteps: 32 },
      acquire: async (attempt) => {
        // The third attempt finds no GPU (as after a driver crash): the run must go on on the CPU.
        if (attempt >= 2) throw new NoAdapterError('test: no GPU after the second loss');
        current = await acquireGpu();
        acquired.push(current.adapterName);
        return current;
      },
    });
    const events: ResilientEvent[] = [];
    let files = 0;
    const result = await runResilient(factory, steps, {
      checkpointEvery: 100,
      onEvent: (ev) => {
        events.push(ev);
        // Second fault: destroy the second device right after its checkpoint at step 400.
        if (ev.kind === 'checkpoint' && ev.step === 400 && current) current.device.destroy();
      },
      onCheckpoint: (snap) => {
        expect(readCheckpoint(writeCheckpoint(snap)).step).toBe(snap.step);
        files++;
      },
    });
    expect(fault.fired).toBe(true);
    expect(acquired.length).toBe(2);
    expect(result.recoveries).toBe(2);
    const kinds = events.map((e) => (e.kind === 'lost' ? `lost@${e.checkpointStep}` : e.kind === 'resumed' ? `resumed:${e.backend}@${e.step}` : e.kind === 'checkpoint' ? `ck${e.step}` : e.kind));
    expect(kinds).toEqual(['started', 'ck100', 'ck200', 'lost@200', 'resumed:gpu@200', 'ck300', 'ck400', 'lost@400', 'resumed:cpu@400', 'ck500', 'ck600', 'done']);
    const lost = events.filter((e) => e.kind === 'lost');
    expect(lost.every((e) => e.kind === 'lost' && e.backend === 'gpu' && /lost|destroy|Abort/i.test(e.reason))).toBe(true);
    expect(files).toBe(result.checkpoints);
    const sim = result.simulation;
    expect(sim.backend).toBe('cpu');
    expect(sim.stepsDone).toBe(steps);
    expect(sim.spikes('e').steps).toBe(steps);
    expect(Array.from(sim.spikes('e').bits)).toEqual(Array.from(reference.spikes('e').bits));
    expect(Array.from(sim.voltage('e').values)).toEqual(Array.from(reference.voltage('e').values));
    sim.dispose();
  }, 120_000);

  it('resumes from a checkpoint file (a killed batch job) and finishes identically; CPU only', async () => {
    const net = () => network({ killAt: -1, target: () => undefined, fired: true });
    const reference = new CpuSimulation(lowerNetwork(net()));
    reference.runSync(300);
    let saved: Uint8Array | undefined;
    const plan = lowerNetwork(net());
    await runResilient(async () => new CpuSimulation(plan), 180, { checkpointEvery: 60, onCheckpoint: (s) => void (saved = writeCheckpoint(s)) });
    // A new process: a new plan object, the file read back.
    const plan2 = lowerNetwork(net());
    const result = await runResilient(async () => new CpuSimulation(plan2), 120, { checkpointEvery: 50, resumeFrom: readCheckpoint(saved!) });
    expect(result.simulation.stepsDone).toBe(300);
    expect(Array.from(result.simulation.spikes('e').bits)).toEqual(Array.from(reference.spikes('e').bits));
  });

  it('errors that are not a device loss propagate at once; bad options are refused by name', async () => {
    const net = new Network({ dt: 0.1 });
    const src = net.addSource('s', 2, { kind: 'function', fn: (t: number) => (t >= 1 ? [2, 0] : [0, 0]) });
    const e = net.addLIF('e', 2);
    net.connect(src, e, { kind: 'one_to_one', weight: 1 }, { delay: 1 });
    let made = 0;
    const factory = async () => {
      made++;
      return new CpuSimulation(lowerNetwork(net));
    };
    await expect(runResilient(factory, 100, { checkpointEvery: 5 })).rejects.toThrow(/populations.s.source.fn: must return 0\/1 values/);
    expect(made).toBe(1);
    await expect(runResilient(factory, 10, { checkpointEvery: 0 })).rejects.toThrow(/checkpointEvery: must be an integer >= 1, got 0/);
    expect(new DeviceLostError('x').message).toBe('GPU device lost: x');
  });
});
