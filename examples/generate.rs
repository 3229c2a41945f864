//! Generates a realistic example site (a fictional SaaS company's audit year).
//!
//!     cargo run --release --example generate -- --incidents 2000 --seed 2026 --out DIR
//!
//! The repository's own example is `--out . --force` with the defaults.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use pagerproof_example_gen::{self as generate, Options};

/// Write site.toml and content/ for a seeded, synthetic but realistic audit year.
#[derive(Debug, Parser)]
struct Args {
    /// Incidents created in the period (benchmarks: 10000, 100000, 1000000).
    #[arg(long, default_value_t = generate::DEFAULT_INCIDENTS)]
    incidents: usize,
    /// Seed: the same seed and options always give byte-identical files.
    #[arg(long, default_value_t = generate::DEFAULT_SEED)]
    seed: u64,
    /// Site directory to write.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Organization name.
    #[arg(long, default_value = generate::company::ORG)]
    org: String,
    /// Replace the generated parts of an existing site in DIR.
    #[arg(long)]
    force: bool,
    /// Do not print the summary.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let opts = Options {
        incidents: args.incidents,
        seed: args.seed,
        org: args.org,
        force: args.force,
    };
    match generate::generate(&opts, &args.out) {
        Ok(summary) => {
            if !args.quiet {
                print!("{summary}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
