/**
 * The chapter's compare_energy_efficiency() (neuromorphic-computing-chapter.txt, section 18.1),
 * reproduced with its fixed table, and the same comparison computed from simulated activity:
 * energy per inference and accuracy per joule, in both energy families side by side.
 */
import { ModelError } from '../util/validate.js';
import { type Platform, PLATFORMS } from './constants.js';
import type { WorkCounts } from '../engine/work-counts.js';
import { arithmeticEnergy, checkCounts, type EnergyEstimate, systemEnergy } from './model.js';

export interface ChapterArchitecture {
  name: string;
  joulesPerInference: number;
  accuracy: number;
  /** accuracy / joules_per_inference. */
  efficiency: number;
}

/** The chapter's fixed table ("based on published benchmarks"), in its order. */
export const CHAPTER_ARCHITECTURES: readonly { name: string; joulesPerInference: number; accuracy: number }[] = Object.freeze([
  { name: 'GPU (NVIDIA V100)', joulesPerInference: 1.0, accuracy: 0.76 },
  { name: 'CPU (Intel Xeon)', joulesPerInference: 5.0, accuracy: 0.76 },
  { name: 'FPGA', joulesPerInference: 0.1, accuracy: 0.75 },
  { name: 'Loihi', joulesPerInference: 0.001, accuracy: 0.74 },
  { name: 'TrueNorth', joulesPerInference: 0.0001, accuracy: 0.7 },
]);

/**
 * compare_energy_efficiency(): the table with its efficiencies, and the lines the chapter's loop
 * prints, `f"{arch}: {efficiency:.1f} accuracy/joule"` (toFixed(1) rounds the exact binary value
 * half-up where Python rounds half-even; with these values no tie occurs).
 */
export function compareEnergyEfficiency(): { architectures: ChapterArchitecture[]; lines: string[] } {
  const architectures = CHAPTER_ARCHITECTURES.map((a) => ({ ...a, efficiency: a.accuracy / a.joulesPerInference }));
  return { architectures, lines: architectures.map((a) => `${a.name}: ${a.efficiency.toFixed(1)} accuracy/joule`) };
}

/** One simulated (or counted) way of doing the task. */
export interface EnergyRun {
  name: string;
  /** Test accuracy in [0, 1]. */
  accuracy: number;
  /** Work per inference (WorkCounts divided by the inferences counted). */
  counts: WorkCounts;
  platform: Platform;
  /** Crossbar runs: joules per read (per row tile, src/engine/work-counts.ts) from src/crossbar/energy.ts readEnergy. */
  crossbarReadJ?: number;
  /** Free text shown in the report (e.g. how accuracy was measured). */
  note?: string;
}

export interface EnergyRow {
  name: string;
  platform: Platform;
  accuracy: number;
  /**
   * accuracyPerJoule is NaN when joules is 0 (nothing priced; shown as "n/a") or when `unpriced`
   * is not empty (part of the work has no price there; shown as "— (COUNTS not priced)").
   */
  arithmetic: { joules: number; accuracyPerJoule: number; sramJ: number; unpriced: string[] };
  system: { joules: number; accuracyPerJoule: number; unpriced: string[] };
  counts: WorkCounts;
  note?: string;
}

export interface EnergyComparison {
  rows: EnergyRow[];
  markdown: string;
  json: string;
}

/**
 * accuracy / joules; NaN when nothing was priced (0 J) or when any nonzero count is unpriced in
 * this family on this platform (the joules then leave out part of the work, so the ratio would
 * flatter the run), so an incompletely priced run never looks best.
 */
export function efficiency(accuracy: number, e: EnergyEstimate): number {
  return e.joules > 0 && e.unpriced.length === 0 ? accuracy / e.joules : Number.NaN;
}

/** Energy per inference and accuracy per joule of each run, in both families (never summed). */
export function compareRuns(runs: EnergyRun[]): EnergyComparison {
  if (!Array.isArray(runs) || runs.length === 0) throw new ModelError('runs', 'must be a non-empty array of { name, accuracy, counts, platform }');
  const rows = runs.map((r, k): EnergyRow => {
    const field = `runs[${k}]`;
    if (typeof r.name !== 'string' || r.name === '') throw new ModelError(`${field}.name`, 'must be a non-empty string');
    if (typeof r.accuracy !== 'number' || !(r.accuracy >= 0 && r.accuracy <= 1)) throw new ModelError(`${field}.accuracy`, `must be in [0, 1], got ${String(r.accuracy)}`);
    if (!PLATFORMS.includes(r.platform)) throw new ModelError(`${field}.platform`, `must be one of ${PLATFORMS.join(', ')}, got ${String(r.platform)}`);
    checkCounts(r.counts, `${field}.counts`);
    const a = arithmeticEnergy(r.counts);
    const s = systemEnergy(r.counts, r.platform, { crossbarReadJ: r.crossbarReadJ });
    return {
      name: r.name,
      platform: r.platform,
      accuracy: r.accuracy,
      arithmetic: { joules: a.joules, accuracyPerJoule: efficiency(r.accuracy, a), sramJ: a.memory!.sramJ, unpriced: a.unpriced },
      system: { joules: s.joules, accuracyPerJoule: efficiency(r.accuracy, s), unpriced: s.unpriced },
      counts: { ...r.counts },
      ...(r.note ? { note: r.note } : {}),
    };
  });
  return { rows, markdown: comparisonMarkdown(rows), json: JSON.stringify({ rows }, null, 2) };
}

/** Three significant digits in engineering-style exponent form; "n/a" for NaN. */
export function sci(x: number): string {
  if (Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return x.toExponential(2).replace('e+', 'e');
}

/** An accuracy-per-joule cell: the number, "— (… not priced)" when a count is unpriced, "n/a" at 0 J. */
function efficiencyCell(e: { accuracyPerJoule: number; unpriced: string[] }): string {
  if (e.unpriced.length > 0) return `— (${e.unpriced.join(', ')} not priced)`;
  return sci(e.accuracyPerJoule);
}

function comparisonMarkdown(rows: EnergyRow[]): string {
  const lines = [
    '| Run | Platform | Accuracy | Arithmetic-only J/inference (Horowitz 45 nm) | Accuracy/J (arithmetic) | SRAM J/inference (beside) | System J/inference | Accuracy/J (system) | Not priced |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const unpriced = [...new Set([...r.arithmetic.unpriced.map((k) => `${k} (arith.)`), ...r.system.unpriced.map((k) => `${k} (system)`)])];
    lines.push(
      `| ${r.name} | ${r.platform} | ${(100 * r.accuracy).toFixed(2)} % | ${sci(r.arithmetic.joules)} | ${efficiencyCell(r.arithmetic)} | ${sci(r.arithmetic.sramJ)} | ${sci(r.system.joules)} | ${efficiencyCell(r.system)} | ${unpriced.join(', ') || '–'} |`,
    );
  }
  return lines.join('\n');
}

/** The chapter's table as Markdown, with the lines its loop prints. */
export function chapterMarkdown(): string {
  const { architectures, lines } = compareEnergyEfficiency();
  const table = ['| Architecture | J/inference | Accuracy | Accuracy/J |', '|---|---:|---:|---:|', ...architectures.map((a) => `| ${a.name} | ${a.joulesPerInference} | ${a.accuracy} | ${a.efficiency.toFixed(1)} |`)];
  return `${table.join('\n')}\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``;
}
