import type { TimelinePoint } from "./timeline";

interface Series {
  label: string;
  colour: string;
  points: Array<[number, number]>;
}

const width = 720;
const panelHeight = 150;
const left = 70;
const right = 20;

function panel(series: Series[], top: number, span: number, title: string): string {
  const values = series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
  const max = Math.max(1, ...values);
  const x = (t: number) => left + (t / span) * (width - left - right);
  const y = (v: number) => top + panelHeight - (v / max) * (panelHeight - 20);
  const lines = series.map((s) => {
    const d = s.points
      .filter(([, v]) => Number.isFinite(v))
      .map(([t, v], i) => `${i === 0 ? "M" : "L"}${x(t).toFixed(1)},${y(v).toFixed(1)}`)
      .join(" ");
    return `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.6"/>`;
  });
  const legend = series.map((s, i) => `<text x="${left + 48 + i * 230}" y="${top + 12}" fill="${s.colour}" font-size="11">${s.label}</text>`);
  return [
    `<text x="8" y="${top + 12}" font-size="11" font-weight="bold">${title}</text>`,
    `<line x1="${left}" y1="${top + panelHeight}" x2="${width - right}" y2="${top + panelHeight}" stroke="#999"/>`,
    `<line x1="${left}" y1="${top + 16}" x2="${left}" y2="${top + panelHeight}" stroke="#999"/>`,
    `<text x="${left - 6}" y="${top + 24}" font-size="10" text-anchor="end">${Math.round(max)}</text>`,
    `<text x="${left - 6}" y="${top + panelHeight}" font-size="10" text-anchor="end">0</text>`,
    ...lines,
    ...legend,
  ].join("\n");
}

/** Lag, replicas and deliveries/s over time for the fixed and the autoscaled run, as an SVG. */
export function scalingChart(fixed: TimelinePoint[], scaled: TimelinePoint[]): string {
  const span = Math.max(1, ...fixed.map((p) => p.t), ...scaled.map((p) => p.t));
  const panels = [
    panel(
      [
        { label: "fixed: 1 process", colour: "#888", points: fixed.map((p) => [p.t, p.deliveriesPerSecond]) },
        { label: "autoscaled", colour: "#1f77b4", points: scaled.map((p) => [p.t, p.deliveriesPerSecond]) },
      ],
      10,
      span,
      "deliveries/s",
    ),
    panel([{ label: "autoscaled: delivery processes", colour: "#2ca02c", points: scaled.map((p) => [p.t, p.replicas]) }], 190, span, "replicas"),
    panel([{ label: "autoscaled: group lag (messages)", colour: "#d62728", points: scaled.map((p) => [p.t, p.lagMessages]) }], 370, span, "lag"),
  ];
  const height = 560;
  const axis = `<text x="${width / 2}" y="${height - 8}" font-size="11" text-anchor="middle">seconds after the post was accepted (0–${Math.round(span)})</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${panels.join("\n")}\n${axis}\n</svg>\n`;
}
