//! One module per subcommand; each takes its parsed arguments and returns the exit code.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use tracing::level_filters::LevelFilter;

use crate::cli::{Command, FetchCommand};

pub mod archive;
pub mod build;
pub mod check;
pub mod completions;
pub mod fetch;
pub mod init;
pub mod keygen;
pub mod man;
pub mod package;
pub mod previous;
pub mod progress;
pub mod rebuild;
pub mod sample;
pub mod serve;
pub mod verify;

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Build(args) => build::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Package(args) => package::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Keygen(args) => keygen::run(&args),
        Command::Archive(args) => archive::run(&args),
        Command::Sample(args) => sample::run(&args),
        Command::Fetch(FetchCommand::Pagerduty(args)) => fetch::pagerduty(&args),
        Command::Fetch(FetchCommand::Jira(args)) => fetch::jira(&args),
        Command::Fetch(FetchCommand::Statuspage(args)) => fetch::statuspage(&args),
        Command::Fetch(FetchCommand::Github(args)) => fetch::github(&args),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => man::run(&args),
    }
}

/// Sends `tracing` events to stderr: each phase with its duration and counts at info level with
/// `--verbose`, only warnings otherwise, nothing at all with a command's `--quiet`. Lines carry no
/// timestamp or module path, so the same run logs the same words (only the durations vary).
pub fn init_logging(verbose: bool, command: &Command) {
    let level = if quiet(command) {
        LevelFilter::OFF
    } else if verbose {
        LevelFilter::INFO
    } else {
        LevelFilter::WARN
    };
    // Fails only if a subscriber is already set (a second call in one process): keep that one.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .without_time()
        .with_target(false)
        .try_init();
}

fn quiet(command: &Command) -> bool {
    match command {
        Command::Build(args) => args.quiet,
        Command::Package(args) => args.quiet,
        Command::Verify(args) => args.quiet,
        Command::Fetch(FetchCommand::Pagerduty(args)) => args.quiet,
        Command::Fetch(FetchCommand::Jira(args)) => args.quiet,
        Command::Fetch(FetchCommand::Statuspage(args)) => args.quiet,
        Command::Fetch(FetchCommand::Github(args)) => args.quiet,
        _ => false,
    }
}

/// Milliseconds since `start`, for phase logs (timing goes to stderr only, never into output).
pub(crate) fn ms(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}
