//! minisign-compatible keys and detached signatures (`<zip>.minisig`, beside the zip so the zip
//! stays reproducible). Verifies with the reference tool: `minisign -Vm <zip> -p <pubkey>`.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use minisign::{KeyPair, PublicKey, SecretKey, SecretKeyBox, SignatureBox};

use super::PackageIdentity;
use super::bagit::{BagInfo, one_line};

/// Environment variable holding the secret key's passphrase (never a flag: flags leak into
/// shell history and process lists).
pub const PASSWORD_VAR: &str = "PAGERPROOF_KEY_PASSWORD";

/// A key pair written by [`keygen`].
#[derive(Debug, Clone)]
pub struct KeyFiles {
    pub secret: PathBuf,
    pub public: PathBuf,
    /// minisign key ID, as the C tool prints it (`%016X`).
    pub key_id: String,
    pub encrypted: bool,
}

/// The public key goes beside the secret key: `pagerproof.key` → `pagerproof.pub`.
pub fn public_key_path(secret: &Path) -> PathBuf {
    secret.with_extension("pub")
}

/// `<zip>.minisig`, the file name `minisign -V` looks for.
pub fn signature_path(zip: &Path) -> PathBuf {
    let mut name = zip.as_os_str().to_owned();
    name.push(".minisig");
    PathBuf::from(name)
}

/// The passphrase from [`PASSWORD_VAR`]; unset and empty both mean none.
pub fn password_from_env() -> Option<String> {
    std::env::var(PASSWORD_VAR).ok().filter(|p| !p.is_empty())
}

/// Writes a new key pair: the secret key encrypted with `password` (scrypt, as minisign does)
/// or unencrypted without one; either way readable by its owner only (mode 0600).
pub fn keygen(secret: &Path, password: Option<String>, force: bool) -> Result<KeyFiles> {
    let public = public_key_path(secret);
    if public == secret {
        bail!(
            "{}: the secret key file must not end in `.pub`",
            secret.display()
        );
    }
    let encrypted = password.is_some();
    let pair = match password {
        Some(password) => KeyPair::generate_encrypted_keypair(Some(password)),
        None => KeyPair::generate_unencrypted_keypair(),
    }
    .map_err(|e| anyhow!("cannot generate a key pair: {e}"))?;
    let comment = if encrypted {
        "pagerproof encrypted secret key"
    } else {
        "pagerproof secret key (unencrypted)"
    };
    let secret_text = pair
        .sk
        .to_box(Some(comment))
        .map_err(|e| anyhow!("{e}"))?
        .to_string();
    let public_text = pair.pk.to_box().map_err(|e| anyhow!("{e}"))?.to_string();
    write_new(secret, secret_text.as_bytes(), 0o600, force)?;
    write_new(&public, public_text.as_bytes(), 0o644, force)?;
    Ok(KeyFiles {
        secret: secret.to_path_buf(),
        public,
        key_id: key_id(&pair.pk),
        encrypted,
    })
}

/// Creates `path` with `mode`; an existing file is an error unless `force`.
fn write_new(path: &Path, bytes: &[u8], mode: u32, force: bool) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).mode(mode);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).with_context(|| {
        if path.exists() && !force {
            format!(
                "{}: already exists (use --force to overwrite)",
                path.display()
            )
        } else {
            format!("{}: cannot create", path.display())
        }
    })?;
    // `mode` only applies to new files; an overwritten key must not keep wider permissions.
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("{}: cannot set permissions", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// minisign's key ID of a public key, `%016X` of the little-endian key number.
pub fn key_id(pk: &PublicKey) -> String {
    let bytes = pk.to_bytes();
    let mut keynum = [0u8; 8];
    keynum.copy_from_slice(&bytes[2..10]);
    format!("{:016X}", u64::from_le_bytes(keynum))
}

/// Loads a secret key; an encrypted one needs `password`. Never prompts.
pub fn load_secret_key(path: &Path, password: Option<String>) -> Result<SecretKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the secret key", path.display()))?;
    let key_box = SecretKeyBox::from_string(&text).map_err(|e| anyhow!("{e}"))?;
    match SecretKey::from_unencrypted_box(key_box.clone()) {
        Ok(sk) => return Ok(sk),
        // The crate tells an encrypted key from a broken one only by its message.
        Err(e) if e.to_string().contains("might be encrypted") => {}
        Err(e) => bail!("{}: not a usable minisign secret key: {e}", path.display()),
    }
    let Some(password) = password else {
        bail!(
            "{}: the secret key is encrypted: set {PASSWORD_VAR}",
            path.display()
        );
    };
    SecretKey::from_box(key_box, Some(password))
        .map_err(|e| anyhow!("{}: cannot open the secret key: {e}", path.display()))
}

/// The signed (trusted) comment: what the package is and its identity. Tab-separated
/// `key:value` fields like minisign's own default comment; nothing depends on the clock.
pub fn trusted_comment(info: &BagInfo, id: &PackageIdentity) -> String {
    format!(
        "file:{}\torganization:{}\tperiod:{} {}..{}\tsha256:{}\ttagmanifest-sha256:{}",
        id.zip_file_name(),
        one_line(&info.organization),
        one_line(&info.period),
        info.start,
        info.end,
        id.zip_sha256,
        id.tagmanifest_sha256
    )
}

/// The value of `key` in a trusted comment written by [`trusted_comment`].
pub fn comment_field<'a>(comment: &'a str, key: &str) -> Option<&'a str> {
    comment
        .split('\t')
        .find_map(|f| f.strip_prefix(key)?.strip_prefix(':'))
}

/// Signs `zip` with the secret key at `key` and writes `<zip>.minisig`.
pub fn sign_zip(
    zip: &Path,
    key: &Path,
    password: Option<String>,
    trusted: &str,
) -> Result<PathBuf> {
    let sk = load_secret_key(key, password)?;
    let pk = PublicKey::from_secret_key(&sk).map_err(|e| anyhow!("{}: {e}", key.display()))?;
    let file_name = zip
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    // The untrusted comment is not authenticated; keep it free of timestamps all the same.
    let untrusted = format!("pagerproof signature of {file_name}");
    let data =
        std::fs::File::open(zip).with_context(|| format!("{}: cannot read", zip.display()))?;
    let signature = minisign::sign(Some(&pk), &sk, data, Some(trusted), Some(&untrusted))
        .map_err(|e| anyhow!("{}: cannot sign: {e}", zip.display()))?;
    let path = signature_path(zip);
    std::fs::write(&path, signature.to_string())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(path)
}

/// A signature that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    pub key_id: String,
    pub trusted_comment: String,
}

/// Checks `signature` over `data` with the public key file `pubkey`, requiring a prehashed
/// signature (as `minisign -V -H` does) and a valid trusted-comment signature.
pub fn verify_signature(data: &Path, signature: &Path, pubkey: &Path) -> Result<SignatureCheck> {
    let text = std::fs::read_to_string(pubkey)
        .with_context(|| format!("{}: cannot read the public key", pubkey.display()))?;
    let pk = PublicKey::from_box(text.into())
        .map_err(|e| anyhow!("{}: not a minisign public key: {e}", pubkey.display()))?;
    let text = std::fs::read_to_string(signature)
        .with_context(|| format!("{}: cannot read", signature.display()))?;
    let sig = SignatureBox::from_string(&text)
        .map_err(|e| anyhow!("{}: not a minisign signature: {e}", signature.display()))?;
    let file =
        std::fs::File::open(data).with_context(|| format!("{}: cannot read", data.display()))?;
    minisign::verify(&pk, &sig, file, true, false, false)
        .map_err(|e| anyhow!("{}: {e}", signature.display()))?;
    let trusted_comment = sig.trusted_comment().map_err(|e| anyhow!("{e}"))?;
    Ok(SignatureCheck {
        key_id: key_id(&pk),
        trusted_comment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_fields_round_trip() {
        let c = "file:a.zip\torganization:Acme: Corp\tsha256:abc";
        assert_eq!(comment_field(c, "organization"), Some("Acme: Corp"));
        assert_eq!(comment_field(c, "sha256"), Some("abc"));
        assert_eq!(comment_field(c, "tagmanifest-sha256"), None);
    }

    #[test]
    fn paths_beside_the_key_and_zip() {
        assert_eq!(
            public_key_path(Path::new("k/pagerproof.key")),
            Path::new("k/pagerproof.pub")
        );
        assert_eq!(public_key_path(Path::new("mykey")), Path::new("mykey.pub"));
        assert_eq!(
            signature_path(Path::new("d/a-b.zip")),
            Path::new("d/a-b.zip.minisig")
        );
    }

    #[test]
    fn unencrypted_key_signs_and_verifies_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.key");
        let files = keygen(&key, None, false).unwrap();
        assert!(!files.encrypted);
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(
            keygen(&key, None, false)
                .unwrap_err()
                .to_string()
                .contains("already exists")
        );
        let data = dir.path().join("a.zip");
        std::fs::write(&data, b"payload").unwrap();
        let sig = sign_zip(&data, &key, None, "file:a.zip\tsha256:x").unwrap();
        let check = verify_signature(&data, &sig, &files.public).unwrap();
        assert_eq!(check.trusted_comment, "file:a.zip\tsha256:x");
        assert_eq!(check.key_id, files.key_id);
        std::fs::write(&data, b"payloaD").unwrap();
        assert!(verify_signature(&data, &sig, &files.public).is_err());
    }

    #[test]
    fn encrypted_key_needs_its_password() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.key");
        let files = keygen(&key, Some("s3cret".into()), false).unwrap();
        assert!(files.encrypted);
        let err = load_secret_key(&key, None).unwrap_err().to_string();
        assert!(err.contains(PASSWORD_VAR), "{err}");
        assert!(load_secret_key(&key, Some("wrong".into())).is_err());
        assert!(load_secret_key(&key, Some("s3cret".into())).is_ok());
        std::fs::write(&key, "untrusted comment: x\n").unwrap();
        let err = load_secret_key(&key, None).unwrap_err().to_string();
        assert!(err.contains("not a usable minisign secret key"), "{err}");
    }
}
