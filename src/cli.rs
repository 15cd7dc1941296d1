//! The command line: `wijkatlas serve`, `check`, `export` and `fetch`.

use crate::api::{self, AppState, Basemap, Snapshot, WebSettings};
use crate::config::{ConfigError, FileConfig, Limits, LogFormat};
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
    /// Serve the data as OGC API layers, vector tiles, the analysis API and the web map.
    ///
    /// Every option can also come from its environment variable or from the config
    /// file (--config); a flag wins over its variable, which wins over the file, which
    /// wins over the default.
    Serve(Box<ServeArgs>),
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
    /// Load the data and write its layers, with the analysis indicators, as tables a GIS
    /// opens directly: a GeoPackage file or tables in PostGIS (EPSG:28992).
    Export(ExportArgs),
    /// Download CBS's Wijk- en Buurtkaart (PDOK) or an OpenStreetMap extract (Geofabrik),
    /// verify it, stage it in a data directory with its manifest entries, then check it.
    ///
    /// Interrupted downloads resume (here and on the next run); proxies come from
    /// HTTPS_PROXY and NO_PROXY; without internet, download the file by hand and give it
    /// with --from-file.
    Fetch(FetchArgs),
}

#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    #[command(subcommand)]
    pub what: FetchWhat,
    /// The data directory to stage into, made if missing; `serve --data DIR` serves it
    #[arg(long, value_name = "DIR", default_value = "landelijk", global = true)]
    pub data: PathBuf,
    /// Stage a file downloaded by hand instead of downloading (same checks)
    #[arg(long, value_name = "PATH", global = true)]
    pub from_file: Option<PathBuf>,
    /// The MD5 the --from-file file must have [default: from PATH.md5 if it is there]
    #[arg(long, value_name = "HEX", global = true)]
    pub md5: Option<String>,
    /// A server with the publisher's paths, e.g. a gemeente's own mirror
    /// [default: https://service.pdok.nl, https://download.geofabrik.de]
    #[arg(long, env = "WIJKATLAS_MIRROR", value_name = "URL", global = true)]
    pub mirror: Option<String>,
    /// How often a broken transfer is resumed before giving up (the next run resumes too)
    #[arg(long, default_value_t = 5, global = true)]
    pub retries: u32,
    /// Seconds to wait before a retry, times the attempt number
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS", global = true)]
    pub retry_wait_s: f64,
    /// Stage only; do not run `check` afterwards
    #[arg(long, global = true)]
    pub no_check: bool,
}

#[derive(Debug, Subcommand)]
pub enum FetchWhat {
    /// CBS Wijk- en Buurtkaart: gemeenten, wijken and buurten with ~200 key figures each,
    /// CBS's distances to GP, pharmacy, hospital, school … among them (CC BY 4.0)
    Cbs {
        /// The edition; PDOK's Atom feed says which years it serves
        #[arg(long)]
        year: u16,
    },
    /// OpenStreetMap extract from Geofabrik: the care and welfare places in it (ODbL)
    Osm {
        /// nederland, or a province: drenthe, flevoland, friesland, gelderland, groningen,
        /// limburg, noord-brabant, noord-holland, overijssel, utrecht, zeeland, zuid-holland
        #[arg(long, default_value = "nederland")]
        region: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Data directory with a wijkatlas.toml manifest [default: the bundled data]
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// gpkg: a GeoPackage file (--out); postgis: tables in the database named by
    /// --database-url-env
    #[arg(long, value_enum)]
    pub to: ExportTo,
    /// The GeoPackage file to write (with --to gpkg)
    #[arg(long, value_name = "FILE", required_if_eq("to", "gpkg"))]
    pub out: Option<PathBuf>,
    /// The schema the tables go in, made if missing (with --to postgis)
    #[arg(long, default_value = "public")]
    pub schema: String,
    /// The environment variable holding the connection string (with --to postgis)
    #[arg(long, value_name = "VARIABLE", default_value = load::DATABASE_URL_ENV)]
    pub database_url_env: String,
    /// Write over an existing file or existing tables
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportTo {
    #[value(alias = "geopackage")]
    Gpkg,
    Postgis,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// A TOML settings file with any of the keys below (see wijkatlas.example.toml).
    #[arg(long, env = "WIJKATLAS_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory with a wijkatlas.toml manifest [default: the bundled data]
    #[arg(long, env = "WIJKATLAS_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port [default: 127.0.0.1:8080]
    #[arg(long, env = "WIJKATLAS_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Bearer token that enables POST /admin/reload and GET /admin/status; without it
    /// the admin endpoints are off.
    #[arg(long, env = "WIJKATLAS_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// XYZ raster tiles under the web map, loaded by the browser, or `off` for none (the
    /// map then draws only its own layers, and loads nothing from elsewhere)
    /// [default: PDOK's BRT-Achtergrondkaart in grey:
    /// https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png;
    /// where the browser cannot reach it the map says so and draws its own base]
    #[arg(long, env = "WIJKATLAS_BASEMAP_URL", value_name = "URL")]
    pub basemap_url: Option<String>,
    /// The attribution the basemap's licence asks for, shown on the map
    /// [default: "Achtergrondkaart: © Kadaster / PDOK (CC BY 4.0)"]
    #[arg(long, env = "WIJKATLAS_BASEMAP_ATTRIBUTION")]
    pub basemap_attribution: Option<String>,
    /// A raster MBTiles file that this server serves as the basemap (`/basemap/{z}/{x}/{y}`),
    /// for a closed network or offline use; instead of --basemap-url. Its attribution
    /// comes from the file's metadata unless --basemap-attribution is given
    #[arg(long, env = "WIJKATLAS_BASEMAP_FILE", value_name = "MBTILES")]
    pub basemap_file: Option<PathBuf>,
    /// Memory for encoded vector tiles, in MiB, per data snapshot; 0 keeps none
    /// (every tile is made when asked, as in the cold-cache bench) [default: 128]
    #[arg(long, env = "WIJKATLAS_TILE_CACHE_MB", value_name = "MIB")]
    pub tile_cache_mb: Option<usize>,
    /// Origins a browser may call the API from (repeat, or comma-separate in the
    /// variable); `*` is any [default: any; the layers are open data]
    #[arg(
        long = "cors-origin",
        env = "WIJKATLAS_CORS_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    pub cors_origins: Vec<String>,
    /// Log lines for people (text) or a log collector (json) [default: text]
    #[arg(long, env = "WIJKATLAS_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// What to log, as tracing's filter syntax, e.g. "info" or "debug,geo=error"
    /// [default: "info,geo=error"]
    #[arg(long, env = "WIJKATLAS_LOG", value_name = "FILTER")]
    pub log: Option<String>,
    /// Seconds after which a request still running is answered 503 [default: 30]
    #[arg(long, env = "WIJKATLAS_REQUEST_TIMEOUT_S", value_name = "SECONDS")]
    pub request_timeout_s: Option<u64>,
    /// The largest request body taken, in KiB (what-if scenarios) [default: 256]
    #[arg(long, env = "WIJKATLAS_MAX_BODY_KB", value_name = "KIB")]
    pub max_body_kb: Option<usize>,
    /// Expensive requests (what-if, suggestions, CSV exports) at once; more are answered
    /// 503 with Retry-After [default: the number of cores]
    #[arg(long, env = "WIJKATLAS_MAX_EXPENSIVE", value_name = "N")]
    pub max_expensive: Option<usize>,
    /// Expensive requests waiting for a turn; more are answered 503 with Retry-After
    /// [default: 4 × --max-expensive]
    #[arg(long, env = "WIJKATLAS_MAX_QUEUED", value_name = "N")]
    pub max_queued: Option<usize>,
    /// The largest answer, in MiB, estimated before it is built; a request for more is
    /// answered 400 [default: 256]
    #[arg(long, env = "WIJKATLAS_MAX_RESPONSE_MB", value_name = "MIB")]
    pub max_response_mb: Option<usize>,
    /// Seconds a connection may take to send a request head, sit idle between requests,
    /// or leave its answer unread before it is closed [default: 20]
    #[arg(long, env = "WIJKATLAS_IDLE_TIMEOUT_S", value_name = "SECONDS")]
    pub idle_timeout_s: Option<u64>,
    /// Connections open at once; more wait to be accepted (keep it below `ulimit -n`)
    /// [default: 1000]
    #[arg(long, env = "WIJKATLAS_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,
}

/// The serve settings with every source of settings applied.
struct ServeSettings {
    data: Option<PathBuf>,
    addr: SocketAddr,
    admin_token: Option<String>,
    web: WebSettings,
    tile_cache_bytes: usize,
    cors_origins: Vec<String>,
    limits: Limits,
    log_format: LogFormat,
    log: String,
}

impl ServeArgs {
    /// Flags and variables (read by clap) over the config file over the defaults.
    fn resolve(self) -> Result<ServeSettings, CliError> {
        let file = match &self.config {
            Some(path) => FileConfig::read(path)?,
            None => FileConfig::default(),
        };
        let addr = self
            .addr
            .or(file.addr)
            .unwrap_or(crate::config::DEFAULT_ADDR);
        let web = basemap_settings(
            self.basemap_url.or(file.basemap_url),
            self.basemap_file.or(file.basemap_file),
            self.basemap_attribution.or(file.basemap_attribution),
        )?;
        let cors_origins = if self.cors_origins.is_empty() {
            file.cors_origins.unwrap_or_default()
        } else {
            self.cors_origins
        };
        let fl = &file.limits;
        let limits = Limits::from_file(&crate::config::FileLimits {
            request_timeout_s: self.request_timeout_s.or(fl.request_timeout_s),
            max_body_kb: self.max_body_kb.or(fl.max_body_kb),
            max_expensive: self.max_expensive.or(fl.max_expensive),
            max_queued: self.max_queued.or(fl.max_queued),
            max_response_mb: self.max_response_mb.or(fl.max_response_mb),
            idle_timeout_s: self.idle_timeout_s.or(fl.idle_timeout_s),
            max_connections: self.max_connections.or(fl.max_connections),
        })?;
        let log = self
            .log
            .or(file.log)
            .unwrap_or_else(|| DEFAULT_LOG_FILTER.to_string());
        // A filter with a typo would silently log at the default level instead.
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&log) {
            return Err(CliError::Config(ConfigError::LogFilter {
                filter: log,
                message: e.to_string(),
            }));
        }
        Ok(ServeSettings {
            data: self.data.or(file.data),
            addr,
            admin_token: self.admin_token.or(file.admin_token),
            web,
            tile_cache_bytes: self
                .tile_cache_mb
                .or(file.tile_cache_mb)
                .unwrap_or(crate::config::DEFAULT_TILE_CACHE_MB)
                .saturating_mul(1024 * 1024),
            cors_origins,
            limits,
            log_format: self
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Text),
            log,
        })
    }
}

/// The basemap: a file served here, another server's tiles (PDOK's by default), or none.
fn basemap_settings(
    url: Option<String>,
    file: Option<PathBuf>,
    attribution: Option<String>,
) -> Result<WebSettings, CliError> {
    let Some(path) = file else {
        let attribution =
            attribution.unwrap_or_else(|| crate::config::DEFAULT_BASEMAP_ATTRIBUTION.to_string());
        return Ok(WebSettings {
            basemap: crate::config::basemap_tiles(url)
                .map(|tiles| Basemap::remote(tiles, attribution)),
            basemap_file: None,
        });
    };
    if url.is_some() {
        return Err(CliError::Config(ConfigError::Invalid {
            key: "basemap_file",
            what: "given without basemap_url (one basemap: a file served here, or tiles from elsewhere)",
        }));
    }
    let tiles = crate::basemap::MbTiles::open(&path)?;
    let attribution = match attribution.or_else(|| tiles.attribution.clone()) {
        Some(a) => a,
        None => return Err(crate::basemap::BasemapError::NoAttribution { path }.into()),
    };
    tracing::info!(
        file = %tiles.path().display(),
        zoom = %format!("{}–{}", tiles.minzoom, tiles.maxzoom),
        "serving the basemap from a file"
    );
    Ok(WebSettings {
        basemap: Some(Basemap::local(&tiles, attribution)),
        basemap_file: Some(std::sync::Arc::new(tiles)),
    })
}

const DEFAULT_LOG_FILTER: &str = "info,geo=error";

/// Logs go to standard error, as text or one JSON object a line.
fn init_logging(format: LogFormat, filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests that run the CLI twice in one process) is harmless.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
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
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error(transparent)]
    Basemap(#[from] crate::basemap::BasemapError),
}

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Serve(args) => args.resolve().and_then(|settings| {
            init_logging(settings.log_format, &settings.log);
            serve(settings)
        }),
        Command::Check { data, json, issues } => {
            init_logging(
                LogFormat::Text,
                &std::env::var("WIJKATLAS_LOG").unwrap_or_else(|_| DEFAULT_LOG_FILTER.into()),
            );
            check(data, json, issues)
        }
        Command::Export(args) => {
            init_logging(
                LogFormat::Text,
                &std::env::var("WIJKATLAS_LOG").unwrap_or_else(|_| DEFAULT_LOG_FILTER.into()),
            );
            export(args)
        }
        Command::Fetch(args) => {
            init_logging(
                LogFormat::Text,
                &std::env::var("WIJKATLAS_LOG").unwrap_or_else(|_| DEFAULT_LOG_FILTER.into()),
            );
            fetch(args)
        }
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
        print_circuity(&loaded.dataset, &loaded.analysis);
    }
    failures(&loaded.report)
}

fn fetch(args: FetchArgs) -> Result<(), CliError> {
    use crate::fetch::{Dataset, FetchError, FetchRequest};
    let dataset = match args.what {
        FetchWhat::Cbs { year } => Dataset::cbs(year),
        FetchWhat::Osm { region } => Dataset::osm(&region),
    }
    .map_err(FetchError::Arguments)?;
    if !(args.retry_wait_s.is_finite() && args.retry_wait_s >= 0.0) {
        return Err(FetchError::Arguments("--retry-wait-s must be 0 or more".into()).into());
    }
    let staged = crate::fetch::fetch(&FetchRequest {
        dataset,
        data: args.data.clone(),
        from_file: args.from_file,
        mirror: args.mirror,
        md5: args.md5,
        retries: args.retries,
        backoff: std::time::Duration::from_secs_f64(args.retry_wait_s),
    })?;
    eprintln!(
        "staged {} ({}{}) and its entries in {}",
        staged.path.display(),
        crate::fetch::megabytes(staged.bytes),
        staged
            .md5
            .as_deref()
            .map(|m| format!(", MD5 {m} as published"))
            .unwrap_or_default(),
        args.data.join(crate::fetch::MANIFEST).display()
    );
    if args.no_check {
        return Ok(());
    }
    check(Some(args.data.clone()), false, 20)?;
    eprintln!(
        "serve it with: wijkatlas serve --data {}",
        args.data.display()
    );
    Ok(())
}

fn export(args: ExportArgs) -> Result<(), CliError> {
    let dir = args.data.unwrap_or_else(load::default_data_dir);
    let loaded = load_reporting(&dir)?;
    failures(&loaded.report)?;
    let tables =
        crate::export::tables(&loaded.dataset, &loaded.analysis, loaded.routing.as_deref());
    let sources = &loaded.dataset.sources;
    let written: Vec<(String, usize)> = match (args.to, args.out) {
        (ExportTo::Gpkg, Some(out)) => {
            crate::export::geopackage::write(&out, &tables, sources, args.replace)?;
            let mut written: Vec<(String, usize)> = tables
                .iter()
                .map(|t| (format!("{}:{}", out.display(), t.name), t.rows.len()))
                .collect();
            written.push((
                format!("{}:{}", out.display(), crate::export::SOURCES_TABLE),
                sources.len(),
            ));
            written
        }
        // clap requires --out with --to gpkg; this arm is never taken.
        (ExportTo::Gpkg, None) => Vec::new(),
        (ExportTo::Postgis, _) => {
            let target = load::postgis::Target::from_settings(&load::PostgisSettings {
                url_env: Some(args.database_url_env),
                ..Default::default()
            })
            .map_err(crate::export::ExportError::from)?;
            eprintln!("writing to {} …", target.described());
            crate::export::postgis::write(&target, &args.schema, &tables, sources, args.replace)?
        }
    };
    for (table, rows) in written {
        println!("{table}: {rows} rows");
    }
    Ok(())
}

/// The circuity factor fitted to CBS's road distances, beside the default it replaces
/// nothing of: the user decides.
fn print_circuity(
    dataset: &crate::model::Dataset,
    config: &crate::analysis::config::AnalysisConfig,
) {
    let fits = crate::analysis::calibrate::circuity(dataset);
    let default = crate::analysis::config::DEFAULT_CIRCUITY;
    println!(
        "\ncircuity (road distance / straight line): {} in force{}",
        config.circuity,
        if config.circuity == default {
            " (the default)".to_string()
        } else {
            format!(" (set in the manifest; the default is {default})")
        }
    );
    if fits.is_empty() {
        println!(
            "  no fit: the data has no CBS distance figure next to voorzieningen of its category"
        );
    }
    for f in fits {
        println!(
            "  fitted {:.2} from {} areas at level {}: CBS {} against the nearest loaded {}, same definition (median of the ratios)",
            f.factor, f.areas, f.level, f.figure, f.category
        );
    }
    for source in &dataset.sources {
        if let Some(c) = &source.coverage {
            println!(
                "dekking of {}: {} ({:?})",
                source.name, c.described, c.origin
            );
        }
    }
}

fn serve(settings: ServeSettings) -> Result<(), CliError> {
    let ServeSettings {
        data,
        addr,
        admin_token,
        web,
        tile_cache_bytes,
        cors_origins,
        limits,
        ..
    } = settings;
    api::memory::tune();
    let dir = data.unwrap_or_else(load::default_data_dir);
    // Read once for what the server sets up around the load; a manifest that cannot be
    // read is reported by the load itself.
    let manifest = load::read_manifest(&dir).ok();
    api::memory::huge_pages(
        manifest
            .as_ref()
            .is_some_and(load::Manifest::builds_routing_graphs),
    );
    let loaded = load_reporting(&dir)?;
    failures(&loaded.report)?;
    // Its channel, if any, is listened on from the start.
    let notify = manifest.and_then(|m| {
        let channel = m.postgis.notify_channel.clone()?;
        Some((m.postgis, channel))
    });
    let snapshot = Snapshot::new(loaded).with_tile_cache(tile_cache_bytes);
    // What reading the sources took and no longer needs.
    api::memory::give_back();
    let state = Arc::new(
        AppState::new(snapshot, dir, admin_token)
            .with_web(web)
            .with_tile_cache(tile_cache_bytes)
            .with_limits(limits)
            .with_cors_origins(cors_origins),
    );
    let runtime = tokio::runtime::Runtime::new().map_err(CliError::Runtime)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| CliError::Bind { addr, source })?;
        let local = listener.local_addr().map_err(CliError::Serve)?;
        // Tests and scripts read this line to find the port.
        println!("wijkatlas listening on {}", api::display_addr(local));
        eprintln!("{}", startup_help(local));
        tracing::info!(addr = %local, "serving");
        let ahead = state.snapshot();
        tokio::task::spawn_blocking(move || {
            ahead.pregenerate_tiles();
            api::memory::give_back();
        });
        if let Some((settings, channel)) = notify {
            // A thread of its own: it blocks on the database for the life of the process,
            // and the runtime must not wait for it when it shuts down.
            let (state, handle) = (state.clone(), tokio::runtime::Handle::current());
            std::thread::spawn(move || {
                load::postgis::watch(&settings, &channel, || {
                    handle.block_on(state.reload());
                })
            });
        }
        api::serve(listener, state).await.map_err(CliError::Serve)
    })
}

/// What a person who just started the server needs next: the three addresses worth
/// opening (the map, the resident page, the OpenAPI document) and how to stop it or
/// move it to another port. On stderr, so the listening line stays alone on stdout.
fn startup_help(local: std::net::SocketAddr) -> String {
    let base = api::display_addr(local);
    let base = base.trim_end_matches('/');
    format!(
        "  map for planners:   {base}/kaart\n\
         \x20 page for residents: {base}/bewoner\n\
         \x20 API (OpenAPI 3.0):  {base}/api   landing page: {base}/\n\
         \x20 stop with Ctrl-C; another port: --addr 127.0.0.1:8081 (or WIJKATLAS_ADDR)"
    )
}

#[cfg(test)]
mod tests {
    use super::startup_help;

    #[test]
    fn the_startup_help_points_at_the_map_the_resident_page_and_the_openapi_document() {
        let text = startup_help("127.0.0.1:8080".parse().expect("address"));
        for want in [
            "http://127.0.0.1:8080/kaart\n",
            "http://127.0.0.1:8080/bewoner\n",
            "http://127.0.0.1:8080/api ",
            "Ctrl-C",
            "--addr",
        ] {
            assert!(text.contains(want), "{want:?} missing from:\n{text}");
        }
        assert!(text.lines().all(|l| l.starts_with("  ")), "{text}");
    }
}
