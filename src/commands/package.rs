//! `pagerproof package`: build the site, then write the deterministic BagIt zip, its checksum
//! file and (with `--sign`) its minisign signature, all in `[output] dist`.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use tracing::info;

use super::ms;
use crate::cli::PackageArgs;
use crate::package::{archive, bagit::BagInfo, sign};

pub fn run(args: &PackageArgs) -> Result<ExitCode> {
    let config = crate::Config::load(&args.site.site)?;
    let out = config.out_dir();
    crate::commands::build::build_site(&config, &out, false)?;

    let epoch = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => Some(archive::parse_source_date_epoch(&value)?),
        Err(_) => None,
    };
    let mtime = archive::zip_time(config.period.as_of(), epoch)?;
    let info = BagInfo::from_config(&config);
    let dist = config.path(&config.output.dist);
    let phase = Instant::now();
    let id = crate::package::write_package(&out, &dist, &config.package_name(), &info, mtime)
        .with_context(|| format!("{}: cannot write the package", out.display()))?;
    info!(
        ms = ms(phase),
        files = id.oxum.files,
        bytes = id.oxum.bytes,
        "write package"
    );

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
