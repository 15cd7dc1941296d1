//! What can go wrong while fetching, each with what a planner needs to fix it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    #[error("{0}")]
    Arguments(String),
    /// No connection at all: offline, DNS, a firewall, a proxy that refuses.
    #[error(
        "cannot reach {host}: {reason}\n\
         If this machine has no internet (or only through a proxy: set HTTPS_PROXY, and \
         NO_PROXY for local hosts), download the file by hand on another machine:\n  {url}\n\
         then stage it here with the same checks:\n  wijkatlas fetch {command} --from-file PATH"
    )]
    Unreachable {
        host: String,
        reason: String,
        url: String,
        command: String,
    },
    #[error("{url}: the server answered HTTP {status}{hint}")]
    Status {
        url: String,
        status: u16,
        hint: String,
    },
    #[error("{url}: the transfer failed after {attempts} attempt(s): {reason}; {kept}")]
    Transfer {
        url: String,
        attempts: u32,
        reason: String,
        /// What was kept for the next run.
        kept: String,
    },
    #[error("{url}: {message}")]
    Protocol { url: String, message: String },
    #[error("{}: {message}; the file was not staged", path.display())]
    Verification { path: PathBuf, message: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot write the manifest: {message}", path.display())]
    Manifest { path: PathBuf, message: String },
}

impl FetchError {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> FetchError {
        let path = path.into();
        move |source| FetchError::Io { path, source }
    }
}
