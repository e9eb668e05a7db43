//! `cert fingerprint|generate|renew|csr`: the server's certificate and the
//! key that devices pin (ADR 0038).

use super::{cert_path, CertCommand};
use crate::error::Result;
use crate::tls::{self, TlsFiles};
use std::path::Path;

pub(super) fn run(dir: &Path, command: &CertCommand) -> Result<()> {
    match command {
        CertCommand::Fingerprint { tls_cert } => print_pin(&cert_path(dir, tls_cert.clone())?),
        CertCommand::Generate { names, force } => {
            let files = TlsFiles::in_data_dir(dir);
            tls::generate_self_signed(&files, &or_default(names), *force)?;
            written(&files, "a new key", "server pin")
        }
        CertCommand::Renew { names, days, tls } => {
            let files = match (&tls.tls_cert, &tls.tls_key) {
                (Some(cert), Some(key)) => TlsFiles {
                    cert: cert.clone(),
                    key: key.clone(),
                },
                _ => TlsFiles::in_data_dir(dir),
            };
            tls::renew_self_signed(&files, &or_default(names), *days)?;
            written(
                &files,
                "the same key",
                "restart the server; server pin (unchanged)",
            )
        }
        CertCommand::Csr { names, tls_key } => {
            let key = tls_key
                .clone()
                .unwrap_or_else(|| TlsFiles::in_data_dir(dir).key);
            print!("{}", tls::signing_request(&key, names)?);
            Ok(())
        }
    }
}

fn or_default(names: &[String]) -> Vec<String> {
    if names.is_empty() {
        tls::default_names()
    } else {
        names.to_vec()
    }
}

/// Says what was written, then prints the pin.
fn written(files: &TlsFiles, key: &str, then: &str) -> Result<()> {
    eprintln!(
        "certificate {} written for {key} ({}); {then}:",
        files.cert.display(),
        files.key.display()
    );
    print_pin(&files.cert)
}

fn print_pin(cert: &Path) -> Result<()> {
    println!("{}", tls::key_pin(cert)?);
    Ok(())
}
