export interface Bar {
  label: string;
  value: number;
}

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A plain horizontal bar chart as SVG text: readable in a browser and on GitHub, no dependency. */
export function barChart(title: string, unit: string, bars: readonly Bar[]): string {
  const width = 720;
  const labelWidth = 200;
  const barHeight = 26;
  const top = 40;
  const height = top + bars.length * (barHeight + 10) + 20;
  const max = Math.max(...bars.map((bar) => bar.value), 1);
  const rows = bars.map((bar, i) => {
    const y = top + i * (barHeight + 10);
    const length = Math.max(1, ((width - labelWidth - 120) * bar.value) / max);
    const shown = bar.value >= 100 ? Math.round(bar.value).toLocaleString("en-US") : bar.value.toFixed(2);
    return [
      `<text x="${labelWidth - 8}" y="${y + 18}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${i === 0 ? "#2b6cb0" : "#a0aec0"}"/>`,
      `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + 18}">${shown} ${escape(unit)}</text>`,
    ].join("\n  ");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="14">`,
    `  <rect width="100%" height="100%" fill="white"/>`,
    `  <text x="12" y="24" font-size="16" font-weight="bold">${escape(title)}</text>`,
    `  ${rows.join("\n  ")}`,
    `</svg>`,
    "",
  ].join("\n");
}
