//! Build benchmark: generates sites of 10k and 100k incidents (1M with PAGERPROOF_BENCH_1M=1),
//! then times generation and the full site build. Prints the median of 3 runs per size.
//!
//!     cargo bench --bench build
//!
//! Timing is measured here, never asserted in tests.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use pagerproof::Config;
use pagerproof_example_gen::{self as generate, Options};

const RUNS: usize = 3;

fn main() -> Result<()> {
    // `cargo bench` passes `--bench`; a filter argument (a size) limits the run.
    let filter: Option<usize> = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok());
    let mut sizes = vec![10_000, 100_000];
    if std::env::var_os("PAGERPROOF_BENCH_1M").is_some_and(|v| v != "0") {
        sizes.push(1_000_000);
    }
    println!(
        "{:>9}  {:>12}  {:>12}  {:>14}",
        "incidents", "generate", "build", "incidents/s"
    );
    for n in sizes.into_iter().filter(|n| filter.is_none_or(|f| f == *n)) {
        bench_size(n).with_context(|| format!("benchmark of {n} incidents"))?;
    }
    Ok(())
}

fn bench_size(n: usize) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let site = dir.path().join("site");
    let opts = Options {
        incidents: n,
        force: true,
        ..Options::default()
    };
    let generation = median(RUNS, || {
        let start = Instant::now();
        generate::generate(&opts, &site)?;
        Ok(start.elapsed())
    })?;
    let config = Config::load(&site)?;
    let build = median(RUNS, || {
        let out = dir.path().join("public");
        if out.exists() {
            std::fs::remove_dir_all(&out)?;
        }
        let start = Instant::now();
        pagerproof::commands::build::build_site(&config, &out, true, None)?;
        Ok(start.elapsed())
    });
    match build {
        Ok(build) => println!(
            "{n:>9}  {:>12}  {:>12}  {:>14.0}",
            secs(generation),
            secs(build),
            n as f64 / build.as_secs_f64()
        ),
        Err(e) => {
            println!(
                "{n:>9}  {:>12}  {:>12}  {:>14}",
                secs(generation),
                "failed",
                "-"
            );
            return Err(e);
        }
    }
    Ok(())
}

fn median(runs: usize, mut f: impl FnMut() -> Result<Duration>) -> Result<Duration> {
    let mut times = (0..runs).map(|_| f()).collect::<Result<Vec<_>>>()?;
    times.sort();
    Ok(times[runs / 2])
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}
