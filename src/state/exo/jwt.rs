//! The signed client assertion of certificate authentication: an RS256 JWT whose header names
//! the certificate by its SHA-1 and SHA-256 thumbprints (`x5t`, `x5t#S256`), so that Entra ID
//! finds the public key it was registered with.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// How long an assertion is valid; Entra ID wants it short.
const LIFETIME_SECONDS: u64 = 600;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("it holds no CERTIFICATE block")]
    NoCertificate,
    #[error("it holds no PRIVATE KEY or RSA PRIVATE KEY block")]
    NoPrivateKey,
    #[error("its private key is encrypted; export it without a password (for example `openssl pkcs12 -in app.pfx -nodes -out app.pem`)")]
    EncryptedKey,
    #[error("its {block} block is not valid base64")]
    Base64 { block: String },
    #[error("its private key is not an RSA key auditform can read")]
    UnreadableKey,
}

/// A certificate and its RSA private key, read from one PEM file.
pub struct SigningCertificate {
    key: SigningKey<Sha256>,
    sha1_thumbprint: [u8; 20],
    sha256_thumbprint: [u8; 32],
}

impl std::fmt::Debug for SigningCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningCertificate")
            .field("x5t", &URL_SAFE_NO_PAD.encode(self.sha1_thumbprint))
            .finish_non_exhaustive()
    }
}

impl SigningCertificate {
    pub fn from_pem(text: &str) -> Result<SigningCertificate, CertificateError> {
        let blocks = pem_blocks(text)?;
        let find = |label: &str| blocks.iter().find(|(l, _)| l == label).map(|(_, der)| der);
        if find("ENCRYPTED PRIVATE KEY").is_some() {
            return Err(CertificateError::EncryptedKey);
        }
        let certificate = find("CERTIFICATE").ok_or(CertificateError::NoCertificate)?;
        let key = if let Some(der) = find("PRIVATE KEY") {
            RsaPrivateKey::from_pkcs8_der(der).map_err(|_| CertificateError::UnreadableKey)?
        } else if let Some(der) = find("RSA PRIVATE KEY") {
            RsaPrivateKey::from_pkcs1_der(der).map_err(|_| CertificateError::UnreadableKey)?
        } else {
            return Err(CertificateError::NoPrivateKey);
        };
        Ok(SigningCertificate {
            key: SigningKey::<Sha256>::new(key),
            sha1_thumbprint: Sha1::digest(certificate).into(),
            sha256_thumbprint: Sha256::digest(certificate).into(),
        })
    }

    /// The `client_assertion` for the token endpoint `audience`, valid from `now` (Unix
    /// seconds) for ten minutes. `jti` must be unique per assertion.
    pub fn client_assertion(&self, client_id: &str, audience: &str, now: u64, jti: &str) -> String {
        let header = serde_json::json!({
            "alg": "RS256",
            "typ": "JWT",
            "x5t": URL_SAFE_NO_PAD.encode(self.sha1_thumbprint),
            "x5t#S256": URL_SAFE_NO_PAD.encode(self.sha256_thumbprint),
        });
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": jti,
            "nbf": now,
            "iat": now,
            "exp": now + LIFETIME_SECONDS,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.key.sign(signing_input.as_bytes()).to_bytes();
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

/// Every `-----BEGIN X-----` block of a PEM file, decoded, in file order. Text outside blocks
/// (such as `Bag Attributes` lines that openssl writes) is ignored.
fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, CertificateError> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in text.lines().map(str::trim) {
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_suffix("-----"))
        {
            open = Some((label.to_string(), String::new()));
        } else if line.starts_with("-----END ") {
            if let Some((label, body)) = open.take() {
                let der =
                    STANDARD
                        .decode(body.as_bytes())
                        .map_err(|_| CertificateError::Base64 {
                            block: label.clone(),
                        })?;
                blocks.push((label, der));
            }
        } else if let Some((_, body)) = open.as_mut() {
            // Encrypted PKCS#1 keys carry `Proc-Type:` headers; they are refused below anyway.
            if line.contains(':') {
                return Err(CertificateError::EncryptedKey);
            }
            body.push_str(line);
        }
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests;
