//! One module per subcommand; each takes its parsed arguments and returns the exit code.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Command, FetchCommand};

pub mod build;
pub mod check;
pub mod fetch;
pub mod init;
pub mod keygen;
pub mod package;
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
        Command::Sample(args) => sample::run(&args),
        Command::Fetch(FetchCommand::Pagerduty(args)) => fetch::pagerduty(&args),
        Command::Fetch(FetchCommand::Jira(args)) => fetch::jira(&args),
    }
}
