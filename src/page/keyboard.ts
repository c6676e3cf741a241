/**
 * Keyboard shortcuts: Space run/pause, S or → step, R reset. Keys typed into a field stay there.
 */
export interface ShortcutActions {
  toggleRun(): void;
  step(): void;
  reset(): void;
}

export const SHORTCUTS: Record<string, keyof ShortcutActions> = {
  ' ': 'toggleRun',
  s: 'step',
  S: 'step',
  ArrowRight: 'step',
  r: 'reset',
  R: 'reset',
};

export function bindShortcuts(target: Document, actions: ShortcutActions): void {
  target.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const el = e.target as HTMLElement | null;
    if (el && (el.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName))) return;
    // Space on a focused button already clicks it.
    if (el?.tagName === 'BUTTON' && e.key === ' ') return;
    const action = SHORTCUTS[e.key];
    if (!action) return;
    e.preventDefault();
    actions[action]();
  });
}
