use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = pagerproof::cli::Cli::parse();
    match pagerproof::commands::run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
