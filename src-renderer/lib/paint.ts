// Draws a uint8 HWC image (grayscale or RGB, as cellImages and datasetSamples send them) onto a
// canvas at its own size; CSS scales it up with pixelated rendering.
export function paintImage(canvas: HTMLCanvasElement, image: readonly number[], shape: readonly [number, number, number]): void {
  const [h, w, c] = shape;
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const data = ctx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const r = image[i * c];
    data.data[i * 4] = r;
    data.data[i * 4 + 1] = c === 3 ? image[i * c + 1] : r;
    data.data[i * 4 + 2] = c === 3 ? image[i * c + 2] : r;
    data.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(data, 0, 0);
}
