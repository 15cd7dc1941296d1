//! The served snapshot and how it is replaced on reload.
//!
//! A reload loads the new data beside the old and swaps the pointer atomically: every
//! request holds the `Arc<Snapshot>` it started with, so requests in flight finish on
//! the old data, and a reload that fails validation leaves the old data in place.

use super::Snapshot;
use crate::load::{self, LoadReport};
use arc_swap::ArcSwap;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug)]
pub struct AppState {
    snapshot: ArcSwap<Snapshot>,
    data_dir: PathBuf,
    /// Bearer token for the admin endpoints; without one they do not exist.
    admin_token: Option<String>,
    /// One reload at a time; a second request waits rather than loading twice at once.
    reloading: tokio::sync::Mutex<()>,
    /// Reloads started by the admin endpoint, the latest last (a few are kept to poll).
    reload_jobs: std::sync::Mutex<std::collections::VecDeque<ReloadJob>>,
    next_job: AtomicU64,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    web: super::web::WebSettings,
    /// The tile cache's cap for every snapshot, this one and those a reload brings.
    tile_cache_bytes: usize,
    limits: crate::config::Limits,
    /// Expensive requests running and waiting (`limits.max_expensive`, `max_queued`).
    admission: Arc<super::admission::Admission>,
    /// Which origins may call the API from a browser, and its headers made once.
    cors: super::cors::Cors,
    pub metrics: super::metrics::Metrics,
    /// When this process started, seconds since the Unix epoch.
    pub started_at: u64,
}

/// What a reload did, as served to the operator.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReloadOutcome {
    /// The new data is being served.
    Swapped {
        snapshot_id: String,
        elapsed_ms: u64,
    },
    /// The new data failed validation; the old snapshot stays.
    Rejected {
        reason: String,
        report: Option<Box<LoadReport>>,
    },
}

/// A reload started by `POST /admin/reload`: it runs on its own task, so no request
/// time limit or client that hangs up can throw its result away.
#[derive(Debug, Clone)]
pub struct ReloadJob {
    pub id: u64,
    pub started_at: u64,
    done: tokio::sync::watch::Receiver<Option<ReloadOutcome>>,
}

impl ReloadJob {
    /// The outcome, once the reload has ended.
    pub fn outcome(&self) -> Option<ReloadOutcome> {
        self.done.borrow().clone()
    }

    /// The outcome if the reload ends within `limit`.
    pub async fn wait(&mut self, limit: std::time::Duration) -> Option<ReloadOutcome> {
        let ended = tokio::time::timeout(limit, self.done.wait_for(Option::is_some)).await;
        match ended {
            Ok(Ok(outcome)) => outcome.clone(),
            _ => None,
        }
    }
}

/// Reload jobs kept for polling.
const KEPT_JOBS: usize = 16;

impl AppState {
    /// Starts a reload in the background, or joins the one the admin endpoint already
    /// started and is still running.
    pub fn start_reload(self: &Arc<Self>) -> ReloadJob {
        let mut jobs = self
            .reload_jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(running) = jobs.back().filter(|j| j.outcome().is_none()) {
            return running.clone();
        }
        let (tx, rx) = tokio::sync::watch::channel(None);
        let job = ReloadJob {
            id: self.next_job.fetch_add(1, Ordering::Relaxed),
            started_at: unix_now(),
            done: rx,
        };
        let state = self.clone();
        tokio::spawn(async move {
            let outcome = state.reload().await;
            let _ = tx.send(Some(outcome));
        });
        jobs.push_back(job.clone());
        while jobs.len() > KEPT_JOBS {
            jobs.pop_front();
        }
        job
    }

    /// A reload job still kept, by its id.
    pub fn reload_job(&self, id: u64) -> Option<ReloadJob> {
        self.reload_jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .find(|j| j.id == id)
            .cloned()
    }

    pub fn new(snapshot: Snapshot, data_dir: PathBuf, admin_token: Option<String>) -> Self {
        let state = AppState {
            snapshot: ArcSwap::from_pointee(snapshot),
            data_dir,
            admin_token: admin_token.filter(|t| !t.is_empty()),
            reloading: tokio::sync::Mutex::new(()),
            reload_jobs: Default::default(),
            next_job: AtomicU64::new(1),
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
            web: super::web::WebSettings::default(),
            tile_cache_bytes: crate::tiles::cache::DEFAULT_CAP_BYTES,
            limits: crate::config::Limits::default(),
            admission: Arc::new(super::admission::Admission::new(0, 0)),
            cors: super::cors::Cors::new(&[]),
            metrics: super::metrics::Metrics::default(),
            started_at: unix_now(),
        };
        // The permits follow the limits: one place sets both.
        state.with_limits(crate::config::Limits::default())
    }

    pub fn with_limits(mut self, limits: crate::config::Limits) -> Self {
        self.admission = Arc::new(super::admission::Admission::new(
            limits.max_expensive,
            limits.max_queued,
        ));
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> crate::config::Limits {
        self.limits
    }

    /// Origins allowed to call the API from a browser; none or `*` allows any.
    pub fn with_cors_origins(mut self, origins: Vec<String>) -> Self {
        let named: Vec<String> = origins.into_iter().filter(|o| o != "*").collect();
        self.cors = super::cors::Cors::new(&named);
        self
    }

    pub fn cors(&self) -> &super::cors::Cors {
        &self.cors
    }

    /// Admission for expensive requests (see `admission`).
    pub(crate) fn admission(&self) -> &super::admission::Admission {
        &self.admission
    }

    /// The tile cache cap of the snapshots a reload brings (give the first snapshot the
    /// same with `Snapshot::with_tile_cache`).
    pub fn with_tile_cache(mut self, bytes: usize) -> Self {
        self.tile_cache_bytes = bytes;
        self
    }

    /// The web map's settings (basemap), which a reload does not change.
    pub fn with_web(mut self, web: super::web::WebSettings) -> Self {
        self.web = web;
        self
    }

    pub fn web(&self) -> &super::web::WebSettings {
        &self.web
    }

    /// The snapshot a request works on from start to finish.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }

    pub fn reload_counts(&self) -> (u64, u64) {
        (
            self.reloads_ok.load(Ordering::Relaxed),
            self.reloads_failed.load(Ordering::Relaxed),
        )
    }

    /// Loads the data directory again and swaps it in if every source could be read.
    pub async fn reload(&self) -> ReloadOutcome {
        let _one_at_a_time = self.reloading.lock().await;
        let dir = self.data_dir.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            let loaded = load::load_dir(&dir);
            // The sources' text and parse trees, freed on this thread.
            super::memory::give_back();
            loaded
        })
        .await;
        let outcome = match loaded {
            Err(join) => ReloadOutcome::Rejected {
                reason: format!("the loader stopped unexpectedly: {join}"),
                report: None,
            },
            Ok(Err(e)) => ReloadOutcome::Rejected {
                reason: e.to_string(),
                report: None,
            },
            Ok(Ok(loaded)) if loaded.report.has_failures() => ReloadOutcome::Rejected {
                reason: loaded.report.failure_summary(),
                report: Some(Box::new(loaded.report)),
            },
            Ok(Ok(loaded)) => {
                let elapsed_ms = loaded.report.elapsed_ms;
                // Serialising the layers is CPU work; keep it off the async workers.
                let cap = self.tile_cache_bytes;
                let snapshot = tokio::task::spawn_blocking(move || {
                    let snapshot = Snapshot::new(loaded).with_tile_cache(cap);
                    super::memory::give_back();
                    snapshot
                })
                .await;
                match snapshot {
                    Ok(snapshot) => {
                        let snapshot_id = snapshot.id.clone();
                        let snapshot = Arc::new(snapshot);
                        self.snapshot.store(snapshot.clone());
                        tokio::task::spawn_blocking(move || {
                            snapshot.pregenerate_tiles();
                            drop(snapshot);
                            // The previous snapshot is gone by now unless a request
                            // still holds it; its memory goes back to the system.
                            super::memory::give_back();
                        });
                        ReloadOutcome::Swapped {
                            snapshot_id,
                            elapsed_ms,
                        }
                    }
                    Err(join) => ReloadOutcome::Rejected {
                        reason: format!("building the snapshot stopped unexpectedly: {join}"),
                        report: None,
                    },
                }
            }
        };
        match &outcome {
            ReloadOutcome::Swapped {
                snapshot_id,
                elapsed_ms,
            } => {
                self.reloads_ok.fetch_add(1, Ordering::Relaxed);
                tracing::info!(snapshot = %snapshot_id, ms = elapsed_ms, "reloaded");
            }
            ReloadOutcome::Rejected { reason, .. } => {
                self.reloads_failed.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(%reason, "reload rejected; still serving the previous data");
            }
        }
        outcome
    }
}

/// Seconds since the Unix epoch, for snapshot ids and status.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
