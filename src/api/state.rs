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
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    web: super::web::WebSettings,
    /// The tile cache's cap for every snapshot, this one and those a reload brings.
    tile_cache_bytes: usize,
    limits: crate::config::Limits,
    /// Permits for expensive requests running at once (`limits.max_expensive`).
    expensive: Arc<tokio::sync::Semaphore>,
    /// Origins allowed to call the API from a browser; empty: any origin.
    cors_origins: Vec<String>,
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

impl AppState {
    pub fn new(snapshot: Snapshot, data_dir: PathBuf, admin_token: Option<String>) -> Self {
        let state = AppState {
            snapshot: ArcSwap::from_pointee(snapshot),
            data_dir,
            admin_token: admin_token.filter(|t| !t.is_empty()),
            reloading: tokio::sync::Mutex::new(()),
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
            web: super::web::WebSettings::default(),
            tile_cache_bytes: crate::tiles::cache::DEFAULT_CAP_BYTES,
            limits: crate::config::Limits::default(),
            expensive: Arc::new(tokio::sync::Semaphore::new(0)),
            cors_origins: Vec::new(),
            metrics: super::metrics::Metrics::default(),
            started_at: unix_now(),
        };
        // The permits follow the limits: one place sets both.
        state.with_limits(crate::config::Limits::default())
    }

    pub fn with_limits(mut self, limits: crate::config::Limits) -> Self {
        self.expensive = Arc::new(tokio::sync::Semaphore::new(limits.max_expensive));
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> crate::config::Limits {
        self.limits
    }

    /// Origins allowed to call the API from a browser; none or `*` allows any.
    pub fn with_cors_origins(mut self, origins: Vec<String>) -> Self {
        self.cors_origins = origins.into_iter().filter(|o| o != "*").collect();
        self
    }

    pub fn cors_origins(&self) -> &[String] {
        &self.cors_origins
    }

    /// A permit to run an expensive request now, or `None` when all are taken.
    pub fn try_expensive(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.expensive.clone().try_acquire_owned().ok()
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
        let loaded = tokio::task::spawn_blocking(move || load::load_dir(&dir)).await;
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
                let snapshot =
                    tokio::task::spawn_blocking(move || Snapshot::new(loaded).with_tile_cache(cap))
                        .await;
                match snapshot {
                    Ok(snapshot) => {
                        let snapshot_id = snapshot.id.clone();
                        let snapshot = Arc::new(snapshot);
                        self.snapshot.store(snapshot.clone());
                        tokio::task::spawn_blocking(move || snapshot.pregenerate_tiles());
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
