//! TLS: the certificate and key files, a self-signed pair for a server
//! without one, a renewed certificate or a signing request for the same
//! key, and the key pin that enrolment codes carry (ADR 0038).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: no certificate found in the PEM file")]
    NoCertificate(PathBuf),
    #[error("{path}: not a usable PEM file: {reason}")]
    Pem { path: PathBuf, reason: String },
    #[error("give both --tls-cert and --tls-key, or neither (a self-signed pair is then kept in the data directory)")]
    HalfPair,
    #[error("making a self-signed certificate: {0}")]
    Generate(String),
    #[error("TLS configuration: {0}")]
    Config(String),
    #[error(
        "{0} exists already (use --force to replace it with a new key, which every enrolled device must then be enrolled again for; `cert renew` keeps the key)"
    )]
    Exists(PathBuf),
    #[error("{path}: not a usable private key: {reason}")]
    Key { path: PathBuf, reason: String },
}

/// Where the server's certificate chain and private key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    /// The self-signed pair of a data directory.
    pub fn in_data_dir(data_dir: &Path) -> TlsFiles {
        let dir = data_dir.join("tls");
        TlsFiles {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }

    /// The given pair, or the data directory's (made on first use).
    pub fn resolve(
        data_dir: &Path,
        cert: Option<PathBuf>,
        key: Option<PathBuf>,
    ) -> Result<TlsFiles, TlsError> {
        match (cert, key) {
            (Some(cert), Some(key)) => Ok(TlsFiles { cert, key }),
            (None, None) => {
                let files = TlsFiles::in_data_dir(data_dir);
                if !files.cert.exists() || !files.key.exists() {
                    generate_self_signed(&files, &default_names(), false)?;
                    tracing::info!(cert = %files.cert.display(), "made a self-signed certificate");
                }
                Ok(files)
            }
            _ => Err(TlsError::HalfPair),
        }
    }
}

/// The names a self-signed certificate is made for by default.
pub fn default_names() -> Vec<String> {
    vec!["localhost".into(), "127.0.0.1".into(), "::1".into()]
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TlsError + '_ {
    move |source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write_file(path: &Path, contents: &str, private: bool) -> Result<(), TlsError> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(if private { 0o600 } else { 0o644 })
        .open(&tmp)
        .map_err(io(&tmp))?;
    f.write_all(contents.as_bytes()).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// Makes a self-signed certificate (ECDSA P-256) for `names` (DNS names or
/// IP addresses) and writes the pair; the key file is readable by the owner
/// only. Refuses to replace an existing certificate unless `force`.
pub fn generate_self_signed(
    files: &TlsFiles,
    names: &[String],
    force: bool,
) -> Result<(), TlsError> {
    if !force && files.cert.exists() {
        return Err(TlsError::Exists(files.cert.clone()));
    }
    let certified = rcgen::generate_simple_self_signed(names.to_vec())
        .map_err(|e| TlsError::Generate(e.to_string()))?;
    write_file(&files.key, &certified.key_pair.serialize_pem(), true)?;
    write_file(&files.cert, &certified.cert.pem(), false)?;
    Ok(())
}

/// The certificate chain of a PEM file, leaf first.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| TlsError::Pem {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate(path.to_path_buf()));
    }
    Ok(certs)
}

/// The key pin of the leaf certificate: the SHA-256 (lowercase hex) of its
/// public key, what clients pin (see `brygga_protocol::pin`).
pub fn key_pin(cert_path: &Path) -> Result<String, TlsError> {
    let certs = load_certs(cert_path)?;
    brygga_protocol::pin::key_pin(certs[0].as_ref()).map_err(|e| TlsError::Pem {
        path: cert_path.to_path_buf(),
        reason: e.to_string(),
    })
}

fn load_key(path: &Path) -> Result<rcgen::KeyPair, TlsError> {
    let pem = std::fs::read_to_string(path).map_err(io(path))?;
    rcgen::KeyPair::from_pem(&pem).map_err(|e| TlsError::Key {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// What a certificate or a signing request names: `names` as subject
/// alternative names, the first as common name, valid from today for
/// `days` (None: without end, as a self-signed certificate made here).
fn params(names: &[String], days: Option<u32>) -> Result<rcgen::CertificateParams, TlsError> {
    let mut params = rcgen::CertificateParams::new(names.to_vec())
        .map_err(|e| TlsError::Generate(e.to_string()))?;
    if let Some(first) = names.first() {
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, first.as_str());
    }
    if let Some(days) = days {
        let ymd = |d: chrono::NaiveDate| {
            use chrono::Datelike;
            // month() and day() are at most 12 and 31.
            rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8)
        };
        let today = chrono::Utc::now().date_naive();
        params.not_before = ymd(today);
        params.not_after = ymd(today + chrono::Days::new(u64::from(days)));
    }
    Ok(params)
}

/// Writes a new self-signed certificate for the key the pair holds now, so
/// that enrolled devices, which pin the key, keep reaching the server.
pub fn renew_self_signed(
    files: &TlsFiles,
    names: &[String],
    days: Option<u32>,
) -> Result<(), TlsError> {
    let key = load_key(&files.key)?;
    let cert = params(names, days)?
        .self_signed(&key)
        .map_err(|e| TlsError::Generate(e.to_string()))?;
    write_file(&files.cert, &cert.pem(), false)
}

/// A certificate signing request (PEM) for the pair's key, for the
/// municipality's CA; the certificate it signs goes in place of the pair's.
pub fn signing_request(key_path: &Path, names: &[String]) -> Result<String, TlsError> {
    let key = load_key(key_path)?;
    params(names, None)?
        .serialize_request(&key)
        .and_then(|csr| csr.pem())
        .map_err(|e| TlsError::Generate(e.to_string()))
}

/// The rustls server configuration (ring, TLS 1.2 and 1.3, HTTP/1.1).
pub fn server_config(files: &TlsFiles) -> Result<rustls::ServerConfig, TlsError> {
    let certs = load_certs(&files.cert)?;
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| TlsError::Pem {
        path: files.key.clone(),
        reason: e.to_string(),
    })?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| TlsError::Config(e.to_string()))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_pair_loads_and_has_a_stable_pin() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = TlsFiles::resolve(dir.path(), None, None).expect("generate");
        let pin = key_pin(&files.cert).expect("pin");
        assert_eq!(pin.len(), 64);
        // Reused on the next start, not made again.
        let again = TlsFiles::resolve(dir.path(), None, None).expect("reuse");
        assert_eq!(key_pin(&again.cert).expect("pin"), pin);
        server_config(&files).expect("rustls accepts the pair");
        assert!(matches!(
            generate_self_signed(&files, &default_names(), false),
            Err(TlsError::Exists(_))
        ));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files.key)
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(matches!(
            TlsFiles::resolve(dir.path(), Some(files.cert.clone()), None),
            Err(TlsError::HalfPair)
        ));
    }

    #[test]
    fn a_renewed_certificate_keeps_the_key_pin_and_a_new_key_does_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = TlsFiles::resolve(dir.path(), None, None).expect("generate");
        let before = std::fs::read(&files.cert).expect("cert");
        let pin = key_pin(&files.cert).expect("pin");
        renew_self_signed(&files, &["brygga.example.se".into()], Some(365)).expect("renew");
        assert_ne!(std::fs::read(&files.cert).expect("cert"), before);
        assert_eq!(key_pin(&files.cert).expect("pin"), pin);
        server_config(&files).expect("rustls accepts the renewed pair");
        let csr = signing_request(&files.key, &["brygga.example.se".into()]).expect("csr");
        assert!(csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
        generate_self_signed(&files, &default_names(), true).expect("new key");
        assert_ne!(key_pin(&files.cert).expect("pin"), pin);
    }
}
