/**
 * ActivityTracker.rewind: after the playground resumes from a checkpoint behind the steps the
 * figures already counted (a lost GPU, src/page/session.ts resumeOnCpu), the re-run steps are
 * counted once, so bins and totals equal those of an uninterrupted run.
 */
import { describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { ActivityTracker } from '../src/page/activity.js';

function network(): Network {
  const net = new Network({ dt: 0.1, seed: 9 });
  const drive = net.addSource('drive', 40, { kind: 'poisson', rate_hz: 300 });
  const e = net.addLIF('e', 30, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 10, t_ref: 1, receptors: { x: { kind: 'exp_current', tau: 3 } } });
  net.connect(drive, e, { kind: 'fixed_probability', p: 0.5, weight: 4 }, { receptor: 'x', delay: 1 });
  net.monitorSpikes(drive);
  net.monitorSpikes(e);
  return net;
}

/** Runs `sim` to `end` in batches of `batch`, updating the tracker after each (as the page does). */
function runTo(sim: CpuSimulation, tracker: ActivityTracker, end: number, batch: number): void {
  while (sim.stepsDone < end) {
    sim.runSync(Math.min(batch, end - sim.stepsDone));
    tracker.update(sim);
  }
}

describe('ActivityTracker.rewind', () => {
  it('resuming from a checkpoint 23 steps behind, in batches of 7: bins and totals equal the uninterrupted run', () => {
    const net = network();
    const plan = lowerNetwork(net);
    const reference = new ActivityTracker(net, 0.1);
    runTo(new CpuSimulation(plan), reference, 140, 7);
    expect(reference.spikes).toBeGreaterThan(0);

    const tracker = new ActivityTracker(net, 0.1);
    const lost = new CpuSimulation(plan);
    runTo(lost, tracker, 49, 7);
    lost.runSync(1);
    tracker.update(lost);
    const checkpoint = lost.exportState(); // step 50, recordings included
    runTo(lost, tracker, 73, 7); // counted up to 73, then the device is "lost"
    const countedBefore = tracker.spikes;
    const resumed = new CpuSimulation(plan);
    resumed.importStateSync(checkpoint);
    tracker.rewind(50, lost);
    // Only steps [0, 50) are left, with the bins past step 50 dropped.
    const partial = new ActivityTracker(net, 0.1);
    partial.update(resumed);
    expect(tracker.spikes).toBe(partial.spikes);
    expect(tracker.spikes).toBeLessThan(countedBefore);
    expect(tracker.populations.map((p) => p.bins)).toEqual(partial.populations.map((p) => p.bins));
    runTo(resumed, tracker, 140, 7);
    expect(tracker.populations.map((p) => ({ bins: p.bins, total: p.total }))).toEqual(reference.populations.map((p) => ({ bins: p.bins, total: p.total })));
    expect(tracker.synapticEvents).toBe(reference.synapticEvents);
  });

  it('refuses a step past those counted, and a simulation without the counted steps', () => {
    const net = network();
    const plan = lowerNetwork(net);
    const tracker = new ActivityTracker(net, 0.1);
    const sim = new CpuSimulation(plan);
    runTo(sim, tracker, 20, 10);
    expect(() => tracker.rewind(21, sim)).toThrow('ActivityTracker.rewind: step must be an integer in [0, 20], got 21');
    expect(() => tracker.rewind(10, new CpuSimulation(plan))).toThrow('ActivityTracker.rewind: drive has 0 recorded steps; steps up to 20 were counted');
    tracker.rewind(0, sim);
    expect(tracker.spikes).toBe(0);
    expect(tracker.populations.every((p) => p.bins.length === 0)).toBe(true);
  });
});
