use clap::Parser;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("WIJKATLAS_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,geo=error")),
        )
        .with_writer(std::io::stderr)
        .init();
    wijkatlas::cli::run(wijkatlas::cli::Cli::parse())
}
