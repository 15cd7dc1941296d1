// Dutch number, distance and time formatting.

const nl = (digits: number) => new Intl.NumberFormat('nl-NL', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

export function number(v: unknown, digits = 0): string {
  return typeof v === 'number' && Number.isFinite(v) ? nl(digits).format(v) : '—';
}

export function signed(v: number, digits = 2): string {
  const s = nl(digits).format(Math.abs(v));
  return v > 0 ? `+${s}` : v < 0 ? `−${s}` : s;
}

export function distance(m: unknown): string {
  if (typeof m !== 'number' || !Number.isFinite(m)) return '—';
  return m < 1000 ? `${nl(0).format(Math.round(m / 10) * 10)} m` : `${nl(1).format(m / 1000)} km`;
}

// Walking 5 km/h and cycling 15 km/h over the estimated road distance.
export const WALK_M_PER_MIN = 5000 / 60;
export const CYCLE_M_PER_MIN = 15000 / 60;

export function minutes(m: number, perMinute: number): string {
  const t = Math.max(1, Math.round(m / perMinute));
  if (t > 180) return 'meer dan 3 uur';
  return t < 60 ? `${t} min` : `${Math.floor(t / 60)} u ${t % 60} min`;
}

export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
