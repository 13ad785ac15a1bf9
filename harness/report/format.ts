const MIB = 1024 * 1024;

export const fmtMs = (ms: number | undefined): string => (ms === undefined ? '–' : ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
export const fmtBytes = (b: number | undefined): string => (b === undefined ? '–' : b < MIB ? `${(b / 1024).toFixed(0)} KiB` : `${(b / MIB).toFixed(2)} MiB`);
export const fmtRate = (bps: number | undefined): string => (bps === undefined ? '–' : `${(bps / MIB).toFixed(2)} MiB/s`);
export const fmtDuration = (ms: number): string => (ms < 60_000 ? `${(ms / 1000).toFixed(0)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);
