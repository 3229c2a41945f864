//! `pagerproof package`: the deterministic BagIt zip of the site, its checksum file and (with
//! `--sign`) its minisign signature, all in `[output] dist`. The site is rendered straight into
//! the zip (`package::sink`); when `public/` already holds a build of the same inputs by this
//! binary, that build is bagged instead of rendering it again. Either way the zip is the same.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use tracing::info;

use super::{build, ms, progress};
use crate::cli::PackageArgs;
use crate::evidence::provenance::Provenance;
use crate::package::bagit::{BagInfo, Oxum, Prepared};
use crate::package::{archive, sign};

pub fn run(args: &PackageArgs) -> Result<ExitCode> {
    let config = crate::Config::load(&args.site.site)?;
    let out = config.out_dir();
    // Held until the bag is written: a concurrent build cannot swap the site mid-bagging.
    let _lock = crate::util::lock_beside(&out)?;
    let options = crate::commands::build::BuildOptions {
        quiet: args.quiet,
        allow_empty: args.allow_empty,
        reuse: true,
        ..Default::default()
    };
    let evaluated = build::evaluate(&config, &options)?;
    let provenance = &evaluated.evidence.provenance;
    let mtime = archive::zip_time_at(provenance.prepared_at)?;
    let mut info = BagInfo::from_config(&config);
    info.prepared = Some(prepared(&config, provenance));
    info.previous = evaluated
        .inputs
        .previous
        .as_ref()
        .map(super::previous::reference);
    let dist = config.path(&config.output.dist);
    let name = config.package_name();
    let id = if evaluated.is_built_in(&out) {
        info!(
            "reuse {}: built from the same inputs by this binary",
            out.display()
        );
        evaluated.done(&out);
        let phase = Instant::now();
        let bar = progress::bar(args.quiet, progress::SPINNER);
        bar.set_message("listing the site");
        let stage = |what: &str, done: Oxum, total: Oxum| {
            progress::bag_bytes(&bar, done, total, what);
        };
        let id = crate::package::write_package_with(&out, &dist, &name, &info, mtime, &stage)
            .with_context(|| format!("{}: cannot write the package", out.display()))?;
        bar.finish_and_clear();
        log_package(phase, &id);
        id
    } else {
        let answers = crate::model::request::answer_names(&evaluated.inputs.requests);
        let sink = crate::package::sink::BagSink::new(&dist, &name, mtime)?.keeping(answers);
        let bar = &evaluated.bar;
        bar.set_message("rendering into the package");
        bar.set_style(progress::style(progress::FILES));
        let phase = Instant::now();
        let phases = crate::render::render_site(
            &config,
            &evaluated.inputs,
            &evaluated.evidence,
            &sink,
            bar,
        )?;
        build::log_phases(&phases);
        info!(ms = ms(phase), "render");
        // The inputs and the evidence are done with: free them before the bag is assembled.
        evaluated.done(&out);
        crate::util::release_freed_memory();
        let phase = Instant::now();
        let bar = progress::bar(args.quiet, progress::SPINNER);
        bar.set_message("assembling the package");
        let stage = |what: &str, done: Oxum, total: Oxum| {
            progress::bag_bytes(&bar, done, total, what);
        };
        let id = crate::package::write_rendered_package(sink, &info, &stage)
            .with_context(|| format!("{}: cannot write the package", dist.display()))?;
        bar.finish_and_clear();
        log_package(phase, &id);
        id
    };

    println!("package: {}", id.zip.display());
    println!(
        "  bag:                    {} ({} payload files, {} bytes)",
        id.name, id.oxum.files, id.oxum.bytes
    );
    println!("  zip sha256:             {}", id.zip_sha256);
    println!("  tagmanifest-sha256.txt: {}", id.tagmanifest_sha256);
    println!("  checksum file:          {}", id.checksum_file.display());
    let signature = sign::signature_path(&id.zip);
    match &args.sign {
        Some(key) => {
            let comment = sign::trusted_comment(&info, &id);
            let phase = Instant::now();
            let path = sign::sign_zip(&id.zip, key, sign::password_from_env(), &comment)?;
            info!(ms = ms(phase), "sign");
            println!("  signature:              {}", path.display());
            println!("  trusted comment:        {}", comment.replace('\t', "  "));
        }
        None if signature.exists() => eprintln!(
            "warning: {} is from an earlier run and may not match this zip: \
             re-sign with --sign or delete it",
            signature.display()
        ),
        None => {}
    }
    Ok(ExitCode::SUCCESS)
}

fn log_package(phase: Instant, id: &crate::package::PackageIdentity) {
    info!(
        ms = ms(phase),
        files = id.oxum.files,
        bytes = id.oxum.bytes,
        peak_mib = crate::util::peak_rss_mib(),
        "write package"
    );
}

/// bag-info.txt's provenance fields from the build's.
pub fn prepared(config: &crate::Config, p: &Provenance) -> Prepared {
    Prepared {
        at: crate::util::utc_rfc3339(p.prepared_at),
        date: p.prepared_at.with_timezone(&config.tz()).date_naive(),
        from: p.prepared_from.clone(),
        preparer: p.preparer.clone(),
        content_commit: p.content_commit_text(),
    }
}
