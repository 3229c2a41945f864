//! `pagerproof sample`: draw the auditor's sample and record it in `content/samples/`.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::cli;
use crate::cli::SampleArgs;
use crate::config::Config;
use crate::evidence::sample::draw;
use crate::ingest::samples::to_json;
use crate::model::sample::Stratify;

pub fn run(args: &SampleArgs) -> Result<ExitCode> {
    if args.size == 0 {
        bail!("--size must be at least 1");
    }
    let config = Config::load(&args.site.site)?;
    let inputs = crate::ingest::load(&config)?;
    let evidence = crate::evidence::evaluate(&config, &inputs);
    let stratify = args.stratify.map(|s| match s {
        cli::Stratify::Severity => Stratify::Severity,
        cli::Stratify::Quarter => Stratify::Quarter,
    });
    let mut record = draw(&config, &inputs, &evidence, &args.seed, args.size, stratify);
    record.drawn_by = args.drawn_by.clone().filter(|s| !s.trim().is_empty());
    // `sample` records a fact about today (unlike `build`, which never reads the clock).
    record.drawn_on = Some(
        args.drawn_on
            .unwrap_or_else(|| chrono::Utc::now().with_timezone(&config.tz()).date_naive()),
    );
    let strat = match stratify {
        None => String::new(),
        Some(Stratify::Severity) => "-by-severity".into(),
        Some(Stratify::Quarter) => "-by-quarter".into(),
    };
    let seed_slug = crate::util::slug(&args.seed);
    let seed_slug = if seed_slug.is_empty() {
        crate::util::sha256_hex(args.seed.as_bytes())[..12].to_string()
    } else {
        seed_slug
    };
    let dir = config.path(&config.inputs.samples);
    let path = dir.join(format!("sample-{seed_slug}-{}{strat}.json", args.size));
    let text = to_json(&record);
    if path.exists() {
        let existing = std::fs::read_to_string(&path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        // The same draw again (who and when aside) keeps the record as first written.
        let same_draw = crate::ingest::samples::parse("", &existing).is_ok_and(|mut old| {
            old.drawn_by = record.drawn_by.clone();
            old.drawn_on = record.drawn_on;
            to_json(&old) == text
        });
        if same_draw {
            println!("{}: this sample is already recorded", path.display());
            return Ok(ExitCode::SUCCESS);
        }
        if existing != text {
            bail!(
                "{}: a different sample with this seed and size is already recorded (the population changed?); \
                 move it aside to record a new one",
                path.display()
            );
        }
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    std::fs::write(&path, &text).with_context(|| format!("{}: cannot write", path.display()))?;
    println!(
        "sample of {} from {} in-period incidents (population SHA-256 {}), seed {:?}:",
        record.picks.len(),
        record.population.count,
        record.population.sha256,
        record.seed
    );
    for p in &record.picks {
        match &p.stratum {
            Some(s) => println!("  #{} ({s})", p.number),
            None => println!("  #{}", p.number),
        }
    }
    println!(
        "recorded in {}; build the site to show it on sample.html",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
