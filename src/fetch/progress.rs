//! How far a download has come: a redrawn bar on a terminal, plain lines in a log.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// A terminal is redrawn this often; a log gets a line this often.
const REDRAW: Duration = Duration::from_millis(200);
const LOG_EVERY: Duration = Duration::from_secs(10);
const BAR: usize = 24;

pub struct Progress {
    label: String,
    total: Option<u64>,
    /// Bytes already on disk when this transfer started (a resumed download).
    resumed_from: u64,
    started: Instant,
    last: Instant,
    terminal: bool,
}

impl Progress {
    pub fn new(label: &str, total: Option<u64>, resumed_from: u64) -> Self {
        let now = Instant::now();
        Progress {
            label: label.to_string(),
            total,
            resumed_from,
            started: now,
            last: now,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// `done` counts every byte of the file, the resumed ones too.
    pub fn update(&mut self, done: u64) {
        let every = if self.terminal { REDRAW } else { LOG_EVERY };
        if self.last.elapsed() < every {
            return;
        }
        self.last = Instant::now();
        self.draw(done, false);
    }

    pub fn finish(&mut self, done: u64) {
        self.draw(done, true);
    }

    fn draw(&self, done: u64, last: bool) {
        let line = self.line(done, self.started.elapsed());
        let mut err = std::io::stderr().lock();
        // A failed write to the terminal is no reason to stop a download.
        let _ = if self.terminal {
            write!(err, "\r\x1b[2K{line}{}", if last { "\n" } else { "" })
        } else {
            writeln!(err, "{line}")
        };
        let _ = err.flush();
    }

    fn line(&self, done: u64, elapsed: Duration) -> String {
        let fresh = done.saturating_sub(self.resumed_from);
        let rate = fresh as f64 / elapsed.as_secs_f64().max(1e-3);
        let mut out = format!("{}  {}", self.label, megabytes(done));
        if let Some(total) = self.total.filter(|t| *t > 0) {
            let share = (done as f64 / total as f64).clamp(0.0, 1.0);
            let filled = (share * BAR as f64).round() as usize;
            out = format!(
                "{}  [{}{}] {} of {} ({:.0}%)",
                self.label,
                "#".repeat(filled),
                " ".repeat(BAR - filled),
                megabytes(done),
                megabytes(total),
                share * 100.0
            );
            if rate > 0.0 && done < total {
                let left = Duration::from_secs_f64((total - done) as f64 / rate);
                out.push_str(&format!(
                    ", {}/s, {} left",
                    megabytes(rate as u64),
                    span(left)
                ));
            } else {
                out.push_str(&format!(", {}/s", megabytes(rate as u64)));
            }
        } else {
            out.push_str(&format!(", {}/s", megabytes(rate as u64)));
        }
        out
    }
}

pub fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / 1e6;
    if mb >= 100.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

fn span(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_has_bytes_rate_and_time_left() {
        let p = Progress::new("netherlands-latest.osm.pbf", Some(1_300_000_000), 0);
        let line = p.line(650_000_000, Duration::from_secs(65));
        assert!(line.contains("650 MB of 1300 MB (50%)"), "{line}");
        assert!(line.contains("10.0 MB/s"), "{line}");
        assert!(line.contains("1 min 5 s left"), "{line}");
    }

    #[test]
    fn a_resumed_transfer_counts_only_its_own_bytes_in_the_rate() {
        let p = Progress::new("f", Some(100_000_000), 50_000_000);
        let line = p.line(60_000_000, Duration::from_secs(10));
        assert!(line.contains("1.0 MB/s"), "{line}");
    }
}
