/** Saving what the page shows: canvases as PNG, figures as SVG (or PNG), the network as a file. */

export function download(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A canvas as PNG. `redraw` runs first, in the same task: a WebGPU canvas's picture is only
 * guaranteed readable until the browser presents it, so it is drawn and captured together.
 */
export function canvasPng(canvas: HTMLCanvasElement, redraw: () => void): Promise<Blob> {
  redraw();
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png'));
}

export function svgBlob(svg: string): Blob {
  return new Blob([svg], { type: 'image/svg+xml' });
}

/** Rasterises SVG text to PNG at its own size (times `scale`). */
export async function svgPng(svg: string, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(svgBlob(svg));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth * scale;
    canvas.height = image.naturalHeight * scale;
    canvas.getContext('2d')!.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await canvasPng(canvas, () => {});
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function textBlob(text: string, type = 'application/json'): Blob {
  return new Blob([text], { type });
}
