//! The validation report: what each source held, what was kept, and why anything was not.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// At most this many issues are listed per source; the counts stay exact beyond it.
pub const MAX_LISTED_ISSUES: usize = 500;

/// What the loader did about a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The whole record was left out.
    Rejected,
    /// The record was kept after its geometry was mended.
    Repaired,
    /// The record was kept but one value was set to missing.
    ValueDropped,
    /// The record was kept as it is; something about it deserves a look.
    Warning,
}

/// One problem with one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// 1-based position of the feature, or the line number in a CSV file.
    pub record: u64,
    /// The record's code or id, when it has one.
    pub id: Option<String>,
    pub field: Option<String>,
    pub action: Action,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SourceStatus {
    Loaded,
    /// The file could not be read at all; nothing of it is loaded.
    Failed {
        error: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceReport {
    pub name: String,
    pub path: PathBuf,
    pub kind: &'static str,
    #[serde(flatten)]
    pub status: SourceStatus,
    pub read: u64,
    pub kept: u64,
    pub rejected: u64,
    /// Kept records whose geometry was mended.
    pub repaired: u64,
    /// Single values set to missing (out of range, not a number).
    pub values_dropped: u64,
    pub warnings: u64,
    /// Per column, how many CBS nodata codes or empty values were read as missing.
    pub nodata: BTreeMap<String, u64>,
    /// Up to [`MAX_LISTED_ISSUES`] issues in file order; when there are more, every
    /// rejected record is listed before any lesser issue.
    pub issues: Vec<Issue>,
    pub elapsed_ms: u64,
}

impl SourceReport {
    pub fn new(name: &str, path: PathBuf, kind: &'static str) -> Self {
        SourceReport {
            name: name.to_string(),
            path,
            kind,
            status: SourceStatus::Loaded,
            read: 0,
            kept: 0,
            rejected: 0,
            repaired: 0,
            values_dropped: 0,
            warnings: 0,
            nodata: BTreeMap::new(),
            issues: Vec::new(),
            elapsed_ms: 0,
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self.status, SourceStatus::Failed { .. })
    }

    /// Records a problem and keeps the counters in step with it.
    ///
    /// `Rejected` also moves one record from kept to rejected, so callers count a
    /// record as kept when they read it and `read = kept + rejected` always holds.
    pub fn issue(&mut self, issue: Issue) {
        match issue.action {
            Action::Rejected => {
                self.rejected += 1;
                self.kept = self.kept.saturating_sub(1);
            }
            Action::Repaired => self.repaired += 1,
            Action::ValueDropped => self.values_dropped += 1,
            Action::Warning => self.warnings += 1,
        }
        if self.issues.len() < MAX_LISTED_ISSUES {
            self.issues.push(issue);
        } else if issue.action == Action::Rejected {
            // A full list makes room for a lost record by dropping a lesser issue.
            if let Some(i) = self
                .issues
                .iter()
                .rposition(|i| i.action != Action::Rejected)
            {
                self.issues.remove(i);
                self.issues.push(issue);
            }
        }
    }

    pub fn count_nodata(&mut self, column: &str) {
        *self.nodata.entry(column.to_string()).or_default() += 1;
    }

    pub fn issue_total(&self) -> u64 {
        self.rejected + self.repaired + self.values_dropped + self.warnings
    }
}

/// Facilities that lie outside every loaded area are kept, and listed here.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PlacementReport {
    pub facilities: u64,
    /// Per level, how many facilities fall inside an area of that level.
    pub inside: BTreeMap<String, u64>,
    pub outside_every_area: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LoadReport {
    pub data_dir: PathBuf,
    pub sources: Vec<SourceReport>,
    pub placement: PlacementReport,
    pub elapsed_ms: u64,
}

impl LoadReport {
    pub fn failed_sources(&self) -> impl Iterator<Item = &SourceReport> {
        self.sources.iter().filter(|s| s.failed())
    }

    pub fn has_failures(&self) -> bool {
        self.failed_sources().next().is_some()
    }

    /// One line per failed source, for refusing to start.
    pub fn failure_summary(&self) -> String {
        self.failed_sources()
            .filter_map(|s| match &s.status {
                SourceStatus::Failed { error } => Some(format!("source '{}': {error}", s.name)),
                SourceStatus::Loaded => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The report as a plain-text table for a terminal, listing up to `issues_per_source`.
    pub fn to_table(&self, issues_per_source: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Data directory: {}", self.data_dir.display());
        let _ = writeln!(
            out,
            "\n{:<34} {:<13} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8}  status",
            "source", "kind", "read", "kept", "rejected", "repaired", "dropped", "warnings"
        );
        for s in &self.sources {
            let status = match &s.status {
                SourceStatus::Loaded => "ok".to_string(),
                SourceStatus::Failed { .. } => "FAILED".to_string(),
            };
            let _ = writeln!(
                out,
                "{:<34} {:<13} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8}  {}",
                truncate(&s.name, 34),
                s.kind,
                s.read,
                s.kept,
                s.rejected,
                s.repaired,
                s.values_dropped,
                s.warnings,
                status
            );
        }
        let (read, kept, rejected) = self.sources.iter().fold((0, 0, 0), |acc, s| {
            (acc.0 + s.read, acc.1 + s.kept, acc.2 + s.rejected)
        });
        let _ = writeln!(
            out,
            "{:<34} {:<13} {:>7} {:>7} {:>8}",
            "total", "", read, kept, rejected
        );

        for s in &self.sources {
            if let SourceStatus::Failed { error } = &s.status {
                let _ = writeln!(out, "\n{}: could not be read\n  {error}", s.name);
                continue;
            }
            if s.issues.is_empty() && s.nodata.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{} ({})", s.name, s.path.display());
            if !s.nodata.is_empty() {
                let cols: Vec<String> = s.nodata.iter().map(|(c, n)| format!("{c} {n}")).collect();
                let _ = writeln!(
                    out,
                    "  missing values (CBS nodata codes or empty): {}",
                    cols.join(", ")
                );
            }
            for issue in s.issues.iter().take(issues_per_source) {
                let _ = writeln!(
                    out,
                    "  {:<13} record {}{}{}: {}",
                    format!("{:?}", issue.action).to_lowercase(),
                    issue.record,
                    issue
                        .id
                        .as_deref()
                        .map(|id| format!(" ({id})"))
                        .unwrap_or_default(),
                    issue
                        .field
                        .as_deref()
                        .map(|f| format!(", field '{f}'"))
                        .unwrap_or_default(),
                    issue.problem
                );
            }
            let total = s.issue_total() as usize;
            if total > issues_per_source.min(s.issues.len()) {
                let _ = writeln!(
                    out,
                    "  … {} more (full list: wijkatlas check --json)",
                    total - issues_per_source.min(s.issues.len())
                );
            }
        }

        let p = &self.placement;
        if p.facilities > 0 {
            let inside: Vec<String> = p.inside.iter().map(|(l, n)| format!("{l} {n}")).collect();
            let _ = writeln!(
                out,
                "\nVoorzieningen placed in areas: {} facilities; inside a {}",
                p.facilities,
                inside.join(", a ")
            );
            if !p.outside_every_area.is_empty() {
                let _ = writeln!(
                    out,
                    "  {} lie outside every loaded area (kept): {}",
                    p.outside_every_area.len(),
                    p.outside_every_area.join(", ")
                );
            }
        }
        let _ = writeln!(out, "\nLoaded in {} ms.", self.elapsed_ms);
        out
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(action: Action) -> Issue {
        Issue {
            record: 1,
            id: None,
            field: None,
            action,
            problem: "x".into(),
        }
    }

    #[test]
    fn a_full_list_keeps_the_rejections() {
        let mut r = SourceReport::new("s", "f".into(), "areas");
        for _ in 0..MAX_LISTED_ISSUES {
            r.issue(issue(Action::Warning));
        }
        r.issue(issue(Action::Rejected));
        r.issue(issue(Action::Warning));
        assert_eq!(r.issues.len(), MAX_LISTED_ISSUES);
        assert_eq!(
            r.issues
                .iter()
                .filter(|i| i.action == Action::Rejected)
                .count(),
            1
        );
        assert_eq!(r.warnings, MAX_LISTED_ISSUES as u64 + 1);
    }

    #[test]
    fn read_equals_kept_plus_rejected() {
        let mut r = SourceReport::new("s", "f".into(), "areas");
        for _ in 0..5 {
            r.read += 1;
            r.kept += 1;
        }
        r.issue(issue(Action::Rejected));
        r.issue(issue(Action::Repaired));
        r.issue(issue(Action::Rejected));
        assert_eq!((r.read, r.kept, r.rejected, r.repaired), (5, 3, 2, 1));
    }
}
