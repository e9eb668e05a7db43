// The absence trend chart's geometry, drawn as SVG by AbsenceTrend.svelte:
// where a week and a percentage lie, the lines with their gaps, the axes'
// ticks and the interventions' marker shapes. Pure, so it is unit-tested;
// the component only lays out what these return. Why SVG and not a chart
// library on a canvas: docs/adr/0028-a-web-process-without-jit.md.

/** The drawing area inside the chart's box, in CSS pixels. */
export interface Frame {
  width: number;
  height: number;
  /** Room for the y axis' tick labels and title. */
  left: number;
  right: number;
  top: number;
  /** Room for the week ticks. */
  bottom: number;
}

/** The rows of intervention markers above the plot, one per kind. */
export const MARKER_ROW = 12;

/** The chart's box less its width (the component measures that): the
 * markers' rows on top, the week ticks below. */
export function frame(width: number, markerRows: number): Frame {
  return { width, height: 320, left: 56, right: 14, top: 14 + markerRows * MARKER_ROW, bottom: 30 };
}

/** Where week `i` of `weeks` and a percentage lie in the frame. */
export interface Scale {
  x: (i: number) => number;
  y: (pct: number) => number;
  /** The top of the y axis, a whole tick. */
  max: number;
  /** The y axis' ticks, 0 to `max`. */
  ticks: number[];
}

/** The y axis' step: ticks every 5 % up to 40 %, every 10 % above. */
function step(top: number): number {
  return top <= 40 ? 5 : 10;
}

/** The scale for `weeks` weeks and values up to `top` %. A single week sits
 * in the middle; the axis always reaches a whole tick above `top`. */
export function scale(weeks: number, top: number, frame: Frame): Scale {
  const s = step(top);
  const max = Math.min(100, Math.max(s, Math.ceil(top / s) * s));
  const ticks = Array.from({ length: max / s + 1 }, (_, i) => i * s);
  const innerW = Math.max(1, frame.width - frame.left - frame.right);
  const innerH = frame.height - frame.top - frame.bottom;
  const x = (i: number) => (weeks <= 1 ? frame.left + innerW / 2 : frame.left + (innerW * i) / (weeks - 1));
  const y = (pct: number) => frame.top + innerH * (1 - Math.min(Math.max(pct, 0), max) / max);
  return { x, y, max, ticks };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** An SVG path through the values, broken where a value is null (a week
 * without figures is a gap, never 0 %); a lone value between gaps is a
 * dot-sized segment so it still shows. */
export function path(values: readonly (number | null)[], s: Scale): string {
  const parts: string[] = [];
  let open = false;
  values.forEach((v, i) => {
    if (v == null) {
      open = false;
      return;
    }
    const xy = `${round(s.x(i))} ${round(s.y(v))}`;
    parts.push(open ? `L${xy}` : `M${xy}`);
    const alone = !open && (i + 1 >= values.length || values[i + 1] == null);
    if (alone) parts.push(`h0.1`);
    open = true;
  });
  return parts.join(' ');
}

/** Which weeks get a tick label: every `n`-th, so labels about `spacing`
 * pixels wide never overlap; the last week always when there is room. */
export function labelledWeeks(weeks: number, innerWidth: number, spacing = 64): number[] {
  if (weeks === 0) return [];
  const fits = Math.max(1, Math.floor(innerWidth / spacing));
  const every = Math.max(1, Math.ceil(weeks / fits));
  const shown = Array.from({ length: weeks }, (_, i) => i).filter((i) => i % every === 0);
  const last = weeks - 1;
  const lastShown = shown[shown.length - 1] ?? 0;
  if (lastShown !== last && last - lastShown >= every / 2) shown.push(last);
  return shown;
}

/** The marker shapes, one per kind of intervention (told apart by shape as
 * well as colour, for readers who do not see the colours). */
export type MarkerShape = 'diamond' | 'circle' | 'triangle' | 'square' | 'star';

/** An SVG path of `shape` centred on (x, y) with radius `r`. */
export function marker(shape: MarkerShape, x: number, y: number, r: number): string {
  const at = (pts: [number, number][]) => `M${pts.map(([px, py]) => `${round(x + px)} ${round(y + py)}`).join(' L')} Z`;
  switch (shape) {
    case 'diamond':
      return at([[0, -r], [r, 0], [0, r], [-r, 0]]);
    case 'square':
      return at([[-r * 0.8, -r * 0.8], [r * 0.8, -r * 0.8], [r * 0.8, r * 0.8], [-r * 0.8, r * 0.8]]);
    case 'triangle':
      return at([[0, -r], [r * 0.9, r * 0.7], [-r * 0.9, r * 0.7]]);
    case 'star':
      return at(
        Array.from({ length: 10 }, (_, i) => {
          const a = -Math.PI / 2 + (i * Math.PI) / 5;
          const len = i % 2 === 0 ? r * 1.15 : r * 0.5;
          return [len * Math.cos(a), len * Math.sin(a)] as [number, number];
        }),
      );
    case 'circle':
      return `M${round(x - r)} ${round(y)} a${r} ${r} 0 1 0 ${2 * r} 0 a${r} ${r} 0 1 0 ${-2 * r} 0 Z`;
  }
}
