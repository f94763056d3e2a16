use super::*;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;

const PEM: &str = include_str!("../../../../tests/fixtures/test-certificate.pem");
/// `openssl x509 -in tests/fixtures/test-certificate.pem -noout -fingerprint -sha1`
const OPENSSL_SHA1_FINGERPRINT: &str = "11CE16E8413B05E98B1601F552FFE9E7D3CB700A";

fn segment(jwt: &str, index: usize) -> serde_json::Value {
    let part = jwt.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[test]
fn the_assertion_names_the_certificate_by_the_thumbprint_openssl_reports() {
    let certificate = SigningCertificate::from_pem(PEM).unwrap();
    let jwt = certificate.client_assertion("app-id", "https://login/t/token", 1_700_000_000, "j1");
    let header = segment(&jwt, 0);
    let x5t = URL_SAFE_NO_PAD
        .decode(header["x5t"].as_str().unwrap())
        .unwrap();
    let hex: String = x5t.iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(hex, OPENSSL_SHA1_FINGERPRINT);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(header["x5t#S256"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );
}

#[test]
fn the_assertion_carries_the_claims_entra_id_checks() {
    let certificate = SigningCertificate::from_pem(PEM).unwrap();
    let jwt = certificate.client_assertion("app-id", "https://login/t/token", 1_700_000_000, "j1");
    let claims = segment(&jwt, 1);
    assert_eq!(claims["aud"], "https://login/t/token");
    assert_eq!(claims["iss"], "app-id");
    assert_eq!(claims["sub"], "app-id");
    assert_eq!(claims["jti"], "j1");
    assert_eq!(claims["exp"], 1_700_000_000u64 + LIFETIME_SECONDS);
}

#[test]
fn the_signature_verifies_with_the_public_key_of_the_private_key() {
    let blocks = pem_blocks(PEM).unwrap();
    let der = &blocks.iter().find(|(l, _)| l == "PRIVATE KEY").unwrap().1;
    let public = RsaPrivateKey::from_pkcs8_der(der).unwrap().to_public_key();
    let certificate = SigningCertificate::from_pem(PEM).unwrap();
    let jwt = certificate.client_assertion("app-id", "aud", 1, "j");
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    let signature =
        Signature::try_from(URL_SAFE_NO_PAD.decode(signature).unwrap().as_slice()).unwrap();
    VerifyingKey::<Sha256>::new(public)
        .verify(input.as_bytes(), &signature)
        .expect("the signature verifies");
}

#[test]
fn a_pem_without_a_key_or_certificate_is_refused_with_what_is_missing() {
    let certificate_only: String = PEM
        .split_inclusive('\n')
        .skip_while(|line| !line.starts_with("-----BEGIN CERTIFICATE"))
        .collect();
    assert_eq!(
        SigningCertificate::from_pem(&certificate_only).unwrap_err(),
        CertificateError::NoPrivateKey
    );
    let key_only: String = PEM
        .split_inclusive('\n')
        .take_while(|line| !line.starts_with("-----BEGIN CERTIFICATE"))
        .collect();
    assert_eq!(
        SigningCertificate::from_pem(&key_only).unwrap_err(),
        CertificateError::NoCertificate
    );
    assert_eq!(
        SigningCertificate::from_pem(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"
        )
        .unwrap_err(),
        CertificateError::EncryptedKey
    );
}
