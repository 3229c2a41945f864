//! Generates a realistic example site (a fictional SaaS company's audit year).
//!
//!     cargo run --release --example generate -- --incidents 2000 --seed 2026 --out DIR
//!
//! The repository's own example is `--out . --force` with the defaults (`--period fy2026`);
//! `--period fy2025` writes the smaller year before it, which CI packages and chains the example
//! to (`.ci/archive-check.sh`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use pagerproof_example_gen::{self as generate, Options, Period};

/// Write site.toml and content/ for a seeded, synthetic but realistic audit year.
#[derive(Debug, Parser)]
struct Args {
    /// The audit year: fy2026 (the repository's example) or fy2025 (the smaller year before it).
    #[arg(long, default_value = "fy2026", value_parser = parse_period)]
    period: Period,
    /// Incidents created in the period [default: 2000 for fy2026, 1200 for fy2025]
    /// (benchmarks: 10000, 100000, 1000000).
    #[arg(long)]
    incidents: Option<usize>,
    /// Seed: the same seed and options always give byte-identical files [default: the year].
    #[arg(long)]
    seed: Option<u64>,
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

fn parse_period(s: &str) -> Result<Period, String> {
    Period::parse(s).ok_or_else(|| format!("unknown period {s:?} (fy2025 or fy2026)"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let opts = Options {
        period: args.period,
        incidents: args.incidents.unwrap_or(args.period.default_incidents()),
        seed: args.seed.unwrap_or(args.period.default_seed()),
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
