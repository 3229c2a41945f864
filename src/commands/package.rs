//! `pagerproof package`: build the site, then write the deterministic BagIt zip, its checksum
//! file and (with `--sign`) its minisign signature, all in `[output] dist`.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::PackageArgs;
use crate::package::{archive, bagit::BagInfo, sign};

pub fn run(args: &PackageArgs) -> Result<ExitCode> {
    let config = crate::Config::load(&args.site.site)?;
    let out = config.out_dir();
    // Held until the bag is written: a concurrent build cannot swap the site mid-bagging.
    let _lock = crate::util::lock_beside(&out)?;
    let options = crate::commands::build::BuildOptions {
        quiet: false,
        allow_empty: args.allow_empty,
    };
    crate::commands::build::build_site_locked(&config, &out, options)?;

    let epoch = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => Some(archive::parse_source_date_epoch(&value)?),
        Err(_) => None,
    };
    let mtime = archive::zip_time(config.period.as_of(), epoch)?;
    let info = BagInfo::from_config(&config);
    let dist = config.path(&config.output.dist);
    let id = crate::package::write_package(&out, &dist, &config.package_name(), &info, mtime)
        .with_context(|| format!("{}: cannot write the package", out.display()))?;

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
            let path = sign::sign_zip(&id.zip, key, sign::password_from_env(), &comment)?;
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
