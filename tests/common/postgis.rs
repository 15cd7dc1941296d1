//! A throw-away PostgreSQL cluster with PostGIS, for the tests and the PostGIS bench.
//!
//! Debian's server binaries (`/usr/lib/postgresql/<version>/bin`) make a cluster in a
//! temporary folder, listening on a free loopback port and on a Unix socket in that
//! folder; it is stopped and removed when the [`Cluster`] is dropped. initdb refuses to
//! run as root, so as root (CI) the server runs as the `postgres` user Debian's package
//! creates. Without the binaries a test skips (`skip::cluster_or_skip`), except under
//! `CI`, where a PostGIS test that cannot run is a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const USER: &str = "wijkatlas";
pub const DATABASE: &str = "atlas";

pub struct Cluster {
    /// Holds the data directory, the socket and the log; removed after the stop.
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// The user the server runs as when we are root.
    run_as: Option<String>,
    pub port: u16,
    pub password: String,
}

/// Where the server binaries of a PostgreSQL with PostGIS are, newest version first.
fn find_binaries() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("WIJKATLAS_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            let postgis = Path::new("/usr/share/postgresql")
                .join(v.to_string())
                .join("extension/postgis.control");
            (bin.join("initdb").exists() && postgis.exists()).then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn user_exists(name: &str) -> bool {
    Command::new("id")
        .arg("-u")
        .arg(name)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Cluster {
    pub fn start() -> Result<Cluster, String> {
        let bin =
            find_binaries().ok_or("no PostgreSQL server with PostGIS under /usr/lib/postgresql")?;
        let run_as = if is_root() {
            Some(
                ["postgres", "nobody"]
                    .into_iter()
                    .find(|u| user_exists(u))
                    .ok_or("running as root and neither a postgres nor a nobody user exists")?
                    .to_string(),
            )
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("wijkatlas-pg")
            .tempdir()
            .map_err(|e| e.to_string())?;
        if let Some(user) = &run_as {
            let ok = Command::new("chown")
                .arg(format!("{user}:"))
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                return Err(format!("cannot hand {} to {user}", dir.path().display()));
            }
        }
        let password = format!("pw-{}-{}", std::process::id(), free_port());
        let pwfile = dir.path().join("pwfile");
        std::fs::write(&pwfile, &password).map_err(|e| e.to_string())?;
        let cluster = Cluster {
            dir,
            bin,
            run_as,
            port: free_port(),
            password,
        };
        if let Some(user) = &cluster.run_as {
            let _ = Command::new("chown")
                .arg(format!("{user}:"))
                .arg(&pwfile)
                .status();
        }
        let data = cluster.dir.path().join("data");
        // Unix-socket logins are trusted (only this folder's owner reaches the socket);
        // TCP logins need the password, so a wrong one is refused as in production.
        cluster.run(
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "-U",
                USER,
                "--pwfile",
                &pwfile.display().to_string(),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale",
            ],
        )?;
        let options = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            cluster.port,
            cluster.dir.path().display()
        );
        let log = cluster.dir.path().join("server.log");
        let started = cluster.run(
            "pg_ctl",
            &[
                "-D",
                &data.display().to_string(),
                "-l",
                &log.display().to_string(),
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        if let Err(e) = started {
            // The port may have been taken between our look and the server's bind.
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("{e}\n{log}"));
        }
        cluster.psql("postgres", &format!("CREATE DATABASE {DATABASE}"))?;
        cluster.psql(DATABASE, "CREATE EXTENSION postgis")?;
        Ok(cluster)
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.arg("-u").arg(user).arg("--").arg(path);
                c
            }
            None => Command::new(path),
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<Output, String> {
        let out = self
            .command(program)
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{program}: {e}"))?;
        if out.status.success() {
            Ok(out)
        } else {
            Err(format!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Runs SQL through the socket as the superuser; the output of psql.
    pub fn psql(&self, database: &str, sql: &str) -> Result<String, String> {
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .arg("-h")
            .arg(self.dir.path())
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", USER, "-d", database, "-c", sql])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "psql: {sql}: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// `psql` that panics on an error, for test set-up.
    pub fn sql(&self, sql: &str) -> String {
        self.psql(DATABASE, sql).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A URL with the password, over TCP, as an operator would set it.
    pub fn url(&self) -> String {
        format!(
            "postgresql://{USER}:{}@127.0.0.1:{}/{DATABASE}",
            self.password, self.port
        )
    }

    /// The same for GDAL's PostgreSQL driver.
    pub fn gdal(&self) -> String {
        format!(
            "PG:host=127.0.0.1 port={} dbname={DATABASE} user={USER} password={}",
            self.port, self.password
        )
    }

    /// Copies a GeoJSON file into `table` with ogr2ogr, as a GIS user would load it:
    /// column names as they are, the geometry in `geom`, a `gid` serial key.
    pub fn ogr2ogr(&self, file: &Path, table: &str, polygons: bool) {
        let mut c = Command::new("ogr2ogr");
        c.args(["-f", "PostgreSQL"])
            .arg(self.gdal())
            .arg(file)
            .args(["-nln", table])
            .args(["-lco", "GEOMETRY_NAME=geom", "-lco", "LAUNDER=NO"])
            .args(["-lco", "FID=gid", "-lco", "SPATIAL_INDEX=GIST"]);
        if polygons {
            c.args(["-nlt", "PROMOTE_TO_MULTI"]);
        }
        let out = c
            .output()
            .unwrap_or_else(|e| panic!("ogr2ogr (gdal-bin): {e}"));
        assert!(
            out.status.success(),
            "ogr2ogr {} → {table}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self
            .command("pg_ctl")
            .args(["-D", &data.display().to_string(), "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
