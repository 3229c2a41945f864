//! `pagerproof keygen`: a minisign-compatible key pair for `package --sign`.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::KeygenArgs;
use crate::package::sign;

pub fn run(args: &KeygenArgs) -> Result<ExitCode> {
    let password = sign::password_from_env();
    if password.is_none() {
        eprintln!(
            "warning: {} is not set: the secret key is written UNENCRYPTED (mode 0600)",
            sign::PASSWORD_VAR
        );
    }
    let keys = sign::keygen(&args.out, password, args.force)?;
    let state = if keys.encrypted {
        "encrypted"
    } else {
        "unencrypted"
    };
    println!("secret key: {} ({state}, mode 0600)", keys.secret.display());
    println!(
        "public key: {} (key ID {})",
        keys.public.display(),
        keys.key_id
    );
    println!(
        "sign:   pagerproof package --sign {}",
        keys.secret.display()
    );
    println!(
        "verify: minisign -Vm <package>.zip -p {}",
        keys.public.display()
    );
    Ok(ExitCode::SUCCESS)
}
