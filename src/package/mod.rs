//! Audit package: BagIt manifests, deterministic zip, minisign signature, verify.
