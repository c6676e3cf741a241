/**
 * runResilient's recovery itself is guarded: a loss while restoring on the new device, or a
 * factory that cannot make a simulation, counts as a recovery and is retried (or falls back to
 * the CPU) instead of rejecting with a raw error; resumeFrom must carry voltage recordings too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DeviceLostError, gpuOrCpu, type ResilientEvent, runResilient } from '../src/engine/resilient.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { acquireGpu, type GpuContext, NoAdapterError } from '../src/webgpu/device.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { type NetworkPlan } from '../src/plan/types.js';
import { testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

function network(voltageOnly = false): Network {
  const net = new Network({ dt: 0.1, seed: 23 });
  const drive = net.addSource('drive', 80, { kind: 'poisson', rate_hz: 200 });
  const e = net.addLIF('e', 60, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 20, t_ref: 2, receptors: { exc: { kind: 'exp_current', tau: 5 } } });
  net.connect(drive, e, { kind: 'fixed_indegree', k: 15, weight: 3 }, { receptor: 'exc', delay: 2 });
  net.connect(e, e, { kind: 'fixed_probability', p: 0.1, weight: 1 }, { receptor: 'exc', delay: 3 });
  if (!voltageOnly) net.monitorSpikes(e);
  net.monitorVoltage(e, [0, 30, 59]);
  return net;
}

const STEPS = 120;

type Factory = Parameters<typeof runResilient>[0];

/** An onEvent that records every event and destroys the first GPU at the checkpoint of step 40. */
function recordAndLoseAt40(events: ResilientEvent[], first: () => GpuContext | undefined): (ev: ResilientEvent) => void {
  return (ev) => {
    events.push(ev);
    if (ev.kind === 'checkpoint' && ev.step === 40) first()!.device.destroy();
  };
}

/** Wraps a factory so that, on the attempts `when` picks, the new GPU is lost as soon as it starts to restore. */
function lostOnImport(inner: Factory, device: () => GpuContext, when: (attempt: number) => boolean): Factory {
  return async (info) => {
    const sim = await inner(info);
    if (when(info.attempt) && sim instanceof GpuSimulation) {
      const importState = sim.importState.bind(sim);
      sim.importState = async (s) => {
        device().device.destroy();
        return importState(s);
      };
    }
    return sim;
  };
}

function reference(): CpuSimulation {
  const sim = new CpuSimulation(lowerNetwork(network()));
  sim.runSync(STEPS);
  return sim;
}

const label = (e: ResilientEvent) => (e.kind === 'lost' ? `lost@${e.checkpointStep}` : e.kind === 'resumed' ? `resumed:${e.backend}@${e.step}` : e.kind === 'checkpoint' ? `ck${e.step}` : e.kind);

/**
 * A factory whose attempt 0 is a GPU simulation lost after its checkpoint at step 40, and whose
 * later attempts do what `later` says.
 */
function faulty(plan: NetworkPlan, later: (attempt: number) => Promise<GpuContext>): { factory: ReturnType<typeof gpuOrCpu>; first: () => GpuContext | undefined } {
  let first: GpuContext | undefined;
  const factory = gpuOrCpu(plan, {
    gpu: { chunkSteps: 16 },
    acquire: async (attempt) => {
      if (attempt === 0) return (first = await acquireGpu());
      return later(attempt);
    },
  });
  return { factory, first: () => first };
}

describe('runResilient: failures during recovery', () => {
  it('a second loss while importing on the new device is one more recovery; the run ends on the CPU identical to the undisturbed run', async () => {
    const ref = reference();
    const plan = lowerNetwork(network());
    let doomed: GpuContext | undefined;
    const { factory: inner, first } = faulty(plan, async (attempt) => {
      if (attempt >= 2) throw new NoAdapterError('test: no GPU left');
      return (doomed = await acquireGpu());
    });
    // Attempt 1's device is lost as soon as it starts to restore the checkpoint.
    const factory = lostOnImport(inner, () => doomed!, (attempt) => attempt === 1);
    const events: ResilientEvent[] = [];
    const result = await runResilient(factory, STEPS, {
      checkpointEvery: 40,
      onEvent: recordAndLoseAt40(events, first),
    });
    expect(events.map(label)).toEqual(['started', 'ck40', 'lost@40', 'lost@40', 'resumed:cpu@40', 'ck80', 'ck120', 'done']);
    expect(result.recoveries).toBe(2);
    const sim = result.simulation;
    expect(sim.backend).toBe('cpu');
    expect(ref.spikes('e').total()).toBeGreaterThan(0);
    expect(Array.from(sim.spikes('e').bits)).toEqual(Array.from(ref.spikes('e').bits));
    expect(Array.from(sim.voltage('e').values)).toEqual(Array.from(ref.voltage('e').values));
    sim.dispose();
  }, 60_000);

  it('a factory that fails to make the new simulation falls back to the CPU', async () => {
    const ref = reference();
    const plan = lowerNetwork(network());
    const { factory: inner, first } = faulty(plan, async () => acquireGpu());
    const factory: typeof inner = async (info) => {
      if (info.attempt === 1) throw new Error('test: GpuSimulation.create failed');
      return inner(info);
    };
    const events: ResilientEvent[] = [];
    const result = await runResilient(factory, STEPS, {
      checkpointEvery: 40,
      onEvent: recordAndLoseAt40(events, first),
    });
    expect(events.map(label)).toEqual(['started', 'ck40', 'lost@40', 'resumed:cpu@40', 'ck80', 'ck120', 'done']);
    expect(result.recoveries).toBe(1);
    expect(Array.from(result.simulation.spikes('e').bits)).toEqual(Array.from(ref.spikes('e').bits));
    result.simulation.dispose();
  }, 60_000);

  it('a loss during recovery past maxRecoveries gives up with a DeviceLostError naming the count', async () => {
    const plan = lowerNetwork(network());
    let doomed: GpuContext | undefined;
    const { factory: inner, first } = faulty(plan, async () => (doomed = await acquireGpu()));
    const factory = lostOnImport(inner, () => doomed!, (attempt) => attempt >= 1);
    const events: ResilientEvent[] = [];
    const run = runResilient(factory, STEPS, {
      checkpointEvery: 40,
      maxRecoveries: 2,
      onEvent: recordAndLoseAt40(events, first),
    });
    await expect(run).rejects.toThrow(DeviceLostError);
    await expect(run).rejects.toThrow(/\(gave up after 2 recoveries\)$/);
    // Each restore was lost before it finished: nothing resumed on a lost device.
    expect(events.map(label)).toEqual(['started', 'ck40', 'lost@40', 'lost@40', 'lost@40']);
  }, 60_000);
});

describe('runResilient: resumeFrom', () => {
  it('refuses a snapshot without recordings for a network with only voltage monitors', async () => {
    const plan = lowerNetwork(network(true));
    const a = new CpuSimulation(plan);
    a.runSync(30);
    const bare = a.exportState({ recordings: false });
    await expect(runResilient(async () => new CpuSimulation(plan), 10, { checkpointEvery: 5, resumeFrom: bare })).rejects.toThrow(
      'resumeFrom: must carry the recordings so far (export it with recordings); e has 0 of 30 steps',
    );
    const full = a.exportState();
    const result = await runResilient(async () => new CpuSimulation(plan), 10, { checkpointEvery: 5, resumeFrom: full });
    expect(result.simulation.voltage('e').steps).toBe(40);
  });
});
