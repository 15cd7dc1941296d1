use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Logging is set up by the command, which knows the log format asked for.
    wijkatlas::cli::run(wijkatlas::cli::Cli::parse())
}
