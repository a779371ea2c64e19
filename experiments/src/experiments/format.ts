/** A number for labels, keys and captions: `digits` significant digits, no trailing zeros (1/3 → "0.3333"). */
export function fmt(v: number, digits = 4): string {
  return String(Number(v.toPrecision(digits)));
}
