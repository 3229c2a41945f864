//! `pagerproof verify <zip|dir> [--pubkey FILE]`: prints every problem, or what was verified.

use std::process::ExitCode;

use anyhow::Result;

use super::progress;
use crate::cli::VerifyArgs;
use crate::package::bagit::Oxum;
use crate::package::verify::{VerifyReport, verify_path_with};

pub fn run(args: &VerifyArgs) -> Result<ExitCode> {
    let bar = progress::bar(args.quiet, progress::SPINNER);
    bar.set_message(format!("reading {}", args.path.display()));
    let checked = |done: Oxum, total: Oxum| progress::bag_bytes(&bar, done, total, "checked");
    let report = verify_path_with(&args.path, args.pubkey.as_deref(), &checked);
    bar.finish_and_clear();
    if report.is_ok() {
        print_success(&args.path.display().to_string(), &report);
        if args.rebuild {
            return super::rebuild::run(&args.path, &report.bag, args.quiet);
        }
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &report.problems {
        eprintln!("FAIL {problem}");
    }
    eprintln!(
        "{}: verification failed: {} problem(s)",
        args.path.display(),
        report.problems.len()
    );
    Ok(ExitCode::FAILURE)
}

fn print_success(path: &str, r: &VerifyReport) {
    println!("verified {path}: BagIt 1.0 bag `{}`", r.bag);
    println!(
        "  payload:        {} files, {} bytes (Payload-Oxum {} matches)",
        r.payload.files, r.payload.bytes, r.payload
    );
    println!(
        "  manifests:      {} ({} lines, every payload file in each)",
        r.manifest_algorithms.join(", "),
        r.manifest_lines
    );
    println!(
        "  tag manifests:  {} ({} lines, every tag file in each)",
        r.tagmanifest_algorithms.join(", "),
        r.tagmanifest_lines
    );
    if let Some(sha) = &r.zip_sha256 {
        println!("  zip sha256:             {sha}");
    }
    if let Some(sha) = &r.tagmanifest_sha256 {
        println!("  tagmanifest-sha256.txt: {sha}");
    }
    match &r.signature {
        Some(sig) => {
            println!("  signature:      valid, key ID {}", sig.key_id);
            println!(
                "  trusted comment: {}",
                sig.trusted_comment.replace('\t', "  ")
            );
        }
        None => println!("  signature:      not checked (give --pubkey FILE)"),
    }
}
