//! Reaching the database of the PostGIS sources: the connection string from the
//! environment or the manifest, and a description of it that never holds the password.

use super::PostgisError;
use crate::load::manifest::{PostgisSettings, DATABASE_URL_ENV};
use postgres::config::{Host, SslMode};
use postgres::{Client, Config, NoTls};
use std::time::Duration;

/// A connection string that gives no time limit gets this one: a database that does not
/// answer should fail a load, not hang it (and with it a reload).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed connection string, and how to name it in messages.
pub struct Target {
    config: Config,
    /// `user@host:port/dbname`: what a message may say about the database.
    described: String,
    /// The password, only to strip it from messages that might echo it.
    password: Option<String>,
}

impl Target {
    /// The connection string from `[postgis] url_env` (by default
    /// `WIJKATLAS_DATABASE_URL`), else from `[postgis] url`.
    pub fn from_settings(settings: &PostgisSettings) -> Result<Target, PostgisError> {
        let variable = settings.url_env.as_deref().unwrap_or(DATABASE_URL_ENV);
        let from_env = std::env::var(variable)
            .ok()
            .filter(|v| !v.trim().is_empty());
        match (from_env, &settings.url) {
            (Some(url), _) => Target::parse(&url, &format!("${variable}")),
            (None, Some(url)) => {
                let target = Target::parse(url, "[postgis] url in the manifest")?;
                if target.password.is_some() {
                    return Err(PostgisError::PasswordInManifest {
                        variable: variable.to_string(),
                    });
                }
                Ok(target)
            }
            (None, None) => Err(PostgisError::NoUrl {
                variable: variable.to_string(),
            }),
        }
    }

    /// Reads a URL (`postgresql://user@host:5432/db`) or key=value connection string;
    /// `origin` says where it came from in an error.
    pub fn parse(url: &str, origin: &str) -> Result<Target, PostgisError> {
        let mut config: Config = url.parse().map_err(|e: postgres::Error| {
            // The parser may quote the text it stumbled on, which can be the password.
            PostgisError::BadUrl {
                origin: origin.to_string(),
                message: redact(&message(&e), password_in(url).as_deref()),
            }
        })?;
        if config.get_ssl_mode() == SslMode::Require {
            return Err(PostgisError::TlsRequired {
                target: describe(&config),
            });
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("wijkatlas");
        }
        let password = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned());
        Ok(Target {
            described: describe(&config),
            config,
            password,
        })
    }

    pub fn described(&self) -> &str {
        &self.described
    }

    pub fn connect(&self) -> Result<Client, PostgisError> {
        self.config
            .connect(NoTls)
            .map_err(|e| PostgisError::Connect {
                target: self.described.clone(),
                message: self.redact(&message(&e)),
            })
    }

    /// A driver message with the password (should the server or driver have echoed it)
    /// replaced.
    pub fn redact(&self, message: &str) -> String {
        redact(message, self.password.as_deref())
    }
}

/// The server's own message when there is one (it names the column, relation or user),
/// else the driver's with its causes: its `Display` alone says only "db error".
pub fn message(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.to_string();
    }
    let mut out = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// `user@host:port/dbname`, from what the string gave; never the password.
fn describe(config: &Config) -> String {
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(name) => name.clone(),
            Host::Unix(dir) => dir.display().to_string(),
        })
        .collect();
    let host = if hosts.is_empty() {
        "localhost".to_string()
    } else {
        hosts.join(",")
    };
    let port = match config.get_ports() {
        [] => String::new(),
        ports => format!(
            ":{}",
            ports
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    let db = config.get_dbname().unwrap_or("(default database)");
    format!("postgresql://{user}{host}{port}/{db}")
}

/// A password as a connection string would give it, for redacting messages about a
/// string that could not be parsed (so its password is not known from the parser).
fn password_in(url: &str) -> Option<String> {
    if let Some(rest) = url
        .strip_prefix("postgresql://")
        .or_else(|| url.strip_prefix("postgres://"))
    {
        let userinfo = rest.split('@').next().filter(|_| rest.contains('@'))?;
        return userinfo.split_once(':').map(|(_, p)| p.to_string());
    }
    url.split_whitespace()
        .find_map(|kv| kv.strip_prefix("password="))
        .map(|p| p.trim_matches('\'').to_string())
}

fn redact(message: &str, password: Option<&str>) -> String {
    match password {
        // Replacing a one- or two-letter password would garble the message and hide
        // nothing: no driver or server message quotes a password, this is a safety net.
        Some(p) if p.chars().count() >= 3 => message.replace(p, "***"),
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_and_errors_hold_no_password() {
        let t = Target::parse(
            "postgresql://atlas:s3cr3t-pw@db.example:5433/wijken",
            "test",
        )
        .unwrap();
        assert_eq!(t.described(), "postgresql://atlas@db.example:5433/wijken");
        assert_eq!(t.redact("echo s3cr3t-pw"), "echo ***");
        let t = Target::parse("host=/run/postgresql user=atlas dbname=w", "test").unwrap();
        assert_eq!(t.described(), "postgresql://atlas@/run/postgresql/w");

        let err = Target::parse("postgresql://atlas:s3cr3t-pw@db:notaport/w", "$X")
            .err()
            .unwrap()
            .to_string();
        assert!(!err.contains("s3cr3t-pw"), "{err}");
        assert!(err.contains("$X"), "{err}");
        let err = Target::parse("host=db password=s3cr3t-pw sslmode=require", "$X")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("TLS") && !err.contains("s3cr3t-pw"), "{err}");
    }

    #[test]
    fn a_password_in_the_manifest_is_refused() {
        let settings = PostgisSettings {
            url_env: Some("WIJKATLAS_TEST_UNSET_DATABASE_URL".into()),
            url: Some("postgresql://atlas:geheim@db/w".into()),
            notify_channel: None,
        };
        let err = Target::from_settings(&settings).err().unwrap().to_string();
        assert!(err.contains("WIJKATLAS_TEST_UNSET_DATABASE_URL"), "{err}");
        assert!(!err.contains("geheim"), "{err}");
        let settings = PostgisSettings {
            url_env: Some("WIJKATLAS_TEST_UNSET_DATABASE_URL".into()),
            url: None,
            notify_channel: None,
        };
        let err = Target::from_settings(&settings).err().unwrap().to_string();
        assert!(err.contains("WIJKATLAS_TEST_UNSET_DATABASE_URL"), "{err}");
    }

    #[test]
    fn passwords_are_found_in_both_forms() {
        assert_eq!(password_in("postgres://u:pw1@h/d").as_deref(), Some("pw1"));
        assert_eq!(password_in("postgres://u@h/d"), None);
        assert_eq!(
            password_in("host=h password='pw4 2'").as_deref(),
            Some("pw4")
        );
        assert_eq!(password_in("host=h password=pw3").as_deref(), Some("pw3"));
    }
}
