//! TLS: the certificate and key files, a self-signed pair for a server
//! without one, and the SHA-256 fingerprint that enrolment codes carry.

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
        "{0} exists already (use --force to replace it; enrolled devices pin the old fingerprint)"
    )]
    Exists(PathBuf),
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

/// SHA-256 of the DER of the leaf certificate, lowercase hex: what clients
/// pin (see `brygga_protocol::api::EnrollCode`).
pub fn fingerprint(cert_path: &Path) -> Result<String, TlsError> {
    let certs = load_certs(cert_path)?;
    Ok(brygga_protocol::auth::sha256_hex(certs[0].as_ref()))
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
    fn a_generated_pair_loads_and_has_a_stable_fingerprint() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = TlsFiles::resolve(dir.path(), None, None).expect("generate");
        let fp = fingerprint(&files.cert).expect("fingerprint");
        assert_eq!(fp.len(), 64);
        // Reused on the next start, not made again.
        let again = TlsFiles::resolve(dir.path(), None, None).expect("reuse");
        assert_eq!(fingerprint(&again.cert).expect("fingerprint"), fp);
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
}
