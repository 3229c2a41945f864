//! `pagerproof archive --out DIR ZIP...`: verify each package and gather every period in DIR.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ArchiveArgs;
use crate::package::collection;

pub fn run(args: &ArchiveArgs) -> Result<ExitCode> {
    let rows = collection::build(&args.out, &args.zips, args.pubkey.as_deref())?;
    let links = collection::links(&rows);
    println!("archive: {}", args.out.join("index.html").display());
    for (row, link) in rows.iter().zip(&links) {
        let chain = match link {
            collection::Link::First => "first".to_string(),
            collection::Link::Intact { previous } => format!("follows {previous}"),
            collection::Link::Broken { previous, .. } => format!("BREAK after {previous}"),
            collection::Link::NotHeld { identifier, .. } => {
                format!("follows {identifier} (not held)")
            }
        };
        println!(
            "  {}  {}  sha256 {}  signature {}  {}",
            row.bag,
            row.period,
            row.zip_sha256,
            row.signature.text(),
            chain
        );
    }
    let status = collection::chain_status(&links);
    println!("  {status}");
    if links.iter().any(collection::Link::is_break) {
        eprintln!("{}: the hash chain is broken", args.out.display());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
