/** A camera that orbits a point: drag to turn, wheel to zoom. Matrices from wgpu-matrix. */
import { mat4, type Mat4 } from 'wgpu-matrix';

export class OrbitCamera {
  azimuth = 0.6;
  elevation = 0.55;
  distance = 3.2;
  private readonly viewProjection = mat4.create();

  /** Calls `changed` after every move, so the owner can redraw on demand. */
  constructor(
    element: HTMLElement,
    private readonly changed: () => void,
  ) {
    let last: { x: number; y: number } | null = null;
    element.addEventListener('pointerdown', (e) => {
      last = { x: e.clientX, y: e.clientY };
      element.setPointerCapture(e.pointerId);
    });
    element.addEventListener('pointermove', (e) => {
      if (!last) return;
      this.azimuth -= (e.clientX - last.x) * 0.01;
      this.elevation = Math.max(-1.5, Math.min(1.5, this.elevation + (e.clientY - last.y) * 0.01));
      last = { x: e.clientX, y: e.clientY };
      this.changed();
    });
    element.addEventListener('pointerup', () => (last = null));
    element.addEventListener('pointercancel', () => (last = null));
    element.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        this.distance = Math.max(1, Math.min(20, this.distance * Math.exp(e.deltaY * 0.001)));
        this.changed();
      },
      { passive: false },
    );
  }

  /** Projection × view for a viewport of the given aspect ratio (WebGPU clip space, z in [0, 1]). */
  matrix(aspect: number): Mat4 {
    const eye = [
      this.distance * Math.cos(this.elevation) * Math.sin(this.azimuth),
      this.distance * Math.sin(this.elevation),
      this.distance * Math.cos(this.elevation) * Math.cos(this.azimuth),
    ];
    const projection = mat4.perspective(Math.PI / 4, aspect, 0.05, 100);
    const view = mat4.lookAt(eye, [0, 0, 0], [0, 1, 0]);
    return mat4.multiply(projection, view, this.viewProjection);
  }
}
