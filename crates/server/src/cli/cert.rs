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
            eprintln!(
                "certificate {} and key {} written; server pin:",
                files.cert.display(),
                files.key.display()
            );
            print_pin(&files.cert)
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
            eprintln!(
                "certificate {} written for the key {}; restart the server. Server pin (unchanged):",
                files.cert.display(),
                files.key.display()
            );
            print_pin(&files.cert)
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

fn print_pin(cert: &Path) -> Result<()> {
    println!("{}", tls::key_pin(cert)?);
    Ok(())
}
