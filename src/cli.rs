//! The command line: `wijkatlas serve` and `wijkatlas check`.

use crate::api::{self, AppState, Basemap, Snapshot, WebSettings};
use crate::load::{self, LoadError};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "wijkatlas",
    version,
    about = "Maps the gaps in care and welfare coverage across Dutch neighbourhoods"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the data as GeoJSON layers over HTTP.
    Serve {
        /// Data directory with a wijkatlas.toml manifest [default: the bundled data]
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Bearer token that enables POST /admin/reload; without it admin endpoints are off.
        #[arg(long, env = "WIJKATLAS_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// XYZ raster tiles under the web map, e.g. PDOK's BRT-Achtergrondkaart:
        /// https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png
        /// [default: none; the map draws only its own layers]
        #[arg(long, env = "WIJKATLAS_BASEMAP_URL", value_name = "URL")]
        basemap_url: Option<String>,
        /// The attribution the basemap's licence asks for, shown on the map.
        #[arg(
            long,
            env = "WIJKATLAS_BASEMAP_ATTRIBUTION",
            default_value = "Achtergrondkaart: © Kadaster / PDOK (CC BY 4.0)"
        )]
        basemap_attribution: String,
        /// Memory for encoded vector tiles, in MiB, per data snapshot; 0 keeps none
        /// (every tile is made when asked, as in the cold-cache bench).
        #[arg(
            long,
            env = "WIJKATLAS_TILE_CACHE_MB",
            default_value_t = 128,
            value_name = "MIB"
        )]
        tile_cache_mb: usize,
    },
    /// Load the data, print the validation report, and exit non-zero if a source failed.
    Check {
        /// Data directory with a wijkatlas.toml manifest [default: the bundled data]
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Print the full report as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// How many issues to list per source in the table.
        #[arg(long, default_value_t = 20)]
        issues: usize,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("{count} source(s) could not be read:\n{summary}")]
    SourcesFailed { count: usize, summary: String },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("server stopped: {0}")]
    Serve(#[source] std::io::Error),
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Serve {
            data,
            addr,
            admin_token,
            basemap_url,
            basemap_attribution,
            tile_cache_mb,
        } => {
            let web = WebSettings {
                basemap: basemap_url
                    .filter(|u| !u.trim().is_empty())
                    .map(|tiles| Basemap {
                        tiles,
                        attribution: basemap_attribution,
                    }),
            };
            serve(
                data,
                addr,
                admin_token,
                web,
                tile_cache_mb.saturating_mul(1024 * 1024),
            )
        }
        Command::Check { data, json, issues } => check(data, json, issues),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn load_reporting(dir: &std::path::Path) -> Result<load::Loaded, CliError> {
    eprintln!("loading {} …", dir.display());
    let loaded = load::load_dir(dir)?;
    let r = &loaded.report;
    let kept: u64 = r.sources.iter().map(|s| s.kept).sum();
    eprintln!(
        "loaded {} sources, {} records kept, in {:.2} s",
        r.sources.len(),
        kept,
        r.elapsed_ms as f64 / 1000.0
    );
    Ok(loaded)
}

fn failures(report: &load::LoadReport) -> Result<(), CliError> {
    if report.has_failures() {
        return Err(CliError::SourcesFailed {
            count: report.failed_sources().count(),
            summary: report.failure_summary(),
        });
    }
    Ok(())
}

fn check(data: Option<PathBuf>, json: bool, issues: usize) -> Result<(), CliError> {
    let dir = data.unwrap_or_else(load::default_data_dir);
    let loaded = load_reporting(&dir)?;
    if json {
        // Serialising our own report types cannot fail: they hold only strings and numbers.
        println!(
            "{}",
            serde_json::to_string_pretty(&loaded.report).unwrap_or_default()
        );
    } else {
        print!("{}", loaded.report.to_table(issues));
        print_circuity(&loaded.dataset);
    }
    failures(&loaded.report)
}

/// The circuity factor fitted to CBS's road distances, beside the default it replaces
/// nothing of: the user decides.
fn print_circuity(dataset: &crate::model::Dataset) {
    let fits = crate::analysis::calibrate::circuity(dataset);
    println!(
        "\ncircuity (road distance / straight line): default {}",
        crate::analysis::config::DEFAULT_CIRCUITY
    );
    if fits.is_empty() {
        println!(
            "  no fit: the data has no CBS distance figure next to voorzieningen of its category"
        );
    }
    for f in fits {
        println!(
            "  fitted {:.2} from {} areas at level {}: CBS {} against the nearest loaded {} (median of the ratios)",
            f.factor, f.areas, f.level, f.figure, f.category
        );
    }
}

fn serve(
    data: Option<PathBuf>,
    addr: SocketAddr,
    admin_token: Option<String>,
    web: WebSettings,
    tile_cache_bytes: usize,
) -> Result<(), CliError> {
    let dir = data.unwrap_or_else(load::default_data_dir);
    let loaded = load_reporting(&dir)?;
    failures(&loaded.report)?;
    let snapshot = Snapshot::new(loaded).with_tile_cache(tile_cache_bytes);
    let state = Arc::new(
        AppState::new(snapshot, dir, admin_token)
            .with_web(web)
            .with_tile_cache(tile_cache_bytes),
    );
    let runtime = tokio::runtime::Runtime::new().map_err(CliError::Runtime)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| CliError::Bind { addr, source })?;
        let local = listener.local_addr().map_err(CliError::Serve)?;
        // Tests and scripts read this line to find the port.
        println!("wijkatlas listening on {}", api::display_addr(local));
        eprintln!(
            "  kaart (planners): {0}/kaart   bewoners: {0}/bewoner   API: {0}/",
            api::display_addr(local).trim_end_matches('/')
        );
        tracing::info!(addr = %local, "serving");
        let ahead = state.snapshot();
        tokio::task::spawn_blocking(move || ahead.pregenerate_tiles());
        api::serve(listener, state).await.map_err(CliError::Serve)
    })
}
