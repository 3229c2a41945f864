//! Build benchmark: generates sites of 10k and 100k incidents (1M with PAGERPROOF_BENCH_1M=1),
//! then times generation, the full site build and `package` from scratch (build + bag + zip,
//! no earlier build to reuse). Prints the median of 3 runs per size.
//!
//!     cargo bench --bench build
//!
//! Whole-process figures with peak memory, next to Hugo's: `benches/compare.sh`.
//!
//! Timing is measured here, never asserted in tests.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use pagerproof::Config;
use pagerproof::cli::{PackageArgs, SiteArg};
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
        "{:>9}  {:>12}  {:>12}  {:>12}  {:>14}",
        "incidents", "generate", "build", "package", "incidents/s"
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
    let out = config.out_dir();
    let fresh = || -> Result<()> {
        // Neither run may find an earlier build to reuse.
        if out.exists() {
            std::fs::remove_dir_all(&out)?;
        }
        let (parent, name) = pagerproof::util::beside(&out);
        let _ = std::fs::remove_file(parent.join(format!(".{name}.pagerproof-build")));
        Ok(())
    };
    let build = median(RUNS, || {
        fresh()?;
        let start = Instant::now();
        pagerproof::commands::build::build_site(&config, &out, true, None)?;
        Ok(start.elapsed())
    });
    let args = PackageArgs {
        site: SiteArg { site: site.clone() },
        sign: None,
        allow_empty: false,
        quiet: true,
    };
    let package = median(RUNS, || {
        fresh()?;
        let start = Instant::now();
        pagerproof::commands::package::run(&args)?;
        Ok(start.elapsed())
    });
    match (build, package) {
        (Ok(build), Ok(package)) => println!(
            "{n:>9}  {:>12}  {:>12}  {:>12}  {:>14.0}",
            secs(generation),
            secs(build),
            secs(package),
            n as f64 / build.as_secs_f64()
        ),
        (build, package) => {
            println!(
                "{n:>9}  {:>12}  {:>12}  {:>12}  {:>14}",
                secs(generation),
                "failed",
                "failed",
                "-"
            );
            build?;
            package?;
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
