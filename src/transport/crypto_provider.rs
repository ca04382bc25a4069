//! The rustls crypto provider used when the application installs none:
//! *ring*'s cipher suites, key exchange groups and signature verification
//! algorithms, all of them, without what only a client that authenticates
//! itself with a certificate needs.
//!
//! A client certificate is never sent (the configuration is built with no
//! client auth), so the provider's private-key loader is never called. The
//! one in rustls's *ring* provider would still keep *ring*'s RSA, ECDSA and
//! Ed25519 signing in the library, since the provider points at it (and a
//! copy of that provider changed afterwards still references it): this one
//! is built from the parts, with a loader that refuses every key, and the
//! linker drops the signing code.
//!
//! Kept, with why:
//! - TLS 1.3 and 1.2 (ECDHE with RSA or ECDSA) suites with AES-GCM and
//!   ChaCha20-Poly1305: a server may support only some of them.
//! - X25519, P-256 and P-384 key exchange: P-384 shares its code with P-384
//!   certificate verification, so leaving it out would save nothing.
//! - Every verification algorithm webpki has with *ring*: RSA PKCS#1 and
//!   PSS, ECDSA P-256 and P-384, Ed25519. Any of them may sign a server's
//!   certificate chain or its handshake.

use std::sync::Arc;

use ::ring::rand::SecureRandom as _;
use rustls::SignatureScheme;
use rustls::crypto::ring as ring_provider;
use rustls::crypto::{
    CryptoProvider, GetRandomFailed, KeyProvider, SecureRandom, WebPkiSupportedAlgorithms,
};
use rustls::pki_types::PrivateKeyDer;
use rustls::sign::SigningKey;
use webpki::ring as algs;

/// *ring*'s suites, groups and verification algorithms; no private keys.
pub(crate) fn client_provider() -> CryptoProvider {
    CryptoProvider {
        cipher_suites: ring_provider::ALL_CIPHER_SUITES.to_vec(),
        kx_groups: ring_provider::ALL_KX_GROUPS.to_vec(),
        signature_verification_algorithms: VERIFICATION_ALGORITHMS,
        secure_random: &SystemRandom,
        key_provider: &NoClientKeys,
    }
}

/// The algorithms, and the handshake signature schemes they verify in the
/// order the client offers them, of rustls's *ring* provider (a test holds
/// the two equal).
static VERIFICATION_ALGORITHMS: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[
        algs::ECDSA_P256_SHA256,
        algs::ECDSA_P256_SHA384,
        algs::ECDSA_P384_SHA256,
        algs::ECDSA_P384_SHA384,
        algs::ED25519,
        algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        algs::RSA_PKCS1_2048_8192_SHA256,
        algs::RSA_PKCS1_2048_8192_SHA384,
        algs::RSA_PKCS1_2048_8192_SHA512,
        algs::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
        algs::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
        algs::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    ],
    // In TLS 1.2 an ECDSA scheme does not fix the curve: either may sign.
    #[rustfmt::skip] // One scheme per line: a table.
    mapping: &[
        (SignatureScheme::ECDSA_NISTP384_SHA384, &[algs::ECDSA_P384_SHA384, algs::ECDSA_P256_SHA384]),
        (SignatureScheme::ECDSA_NISTP256_SHA256, &[algs::ECDSA_P256_SHA256, algs::ECDSA_P384_SHA256]),
        (SignatureScheme::ED25519, &[algs::ED25519]),
        (SignatureScheme::RSA_PSS_SHA512, &[algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY]),
        (SignatureScheme::RSA_PSS_SHA384, &[algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY]),
        (SignatureScheme::RSA_PSS_SHA256, &[algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY]),
        (SignatureScheme::RSA_PKCS1_SHA512, &[algs::RSA_PKCS1_2048_8192_SHA512]),
        (SignatureScheme::RSA_PKCS1_SHA384, &[algs::RSA_PKCS1_2048_8192_SHA384]),
        (SignatureScheme::RSA_PKCS1_SHA256, &[algs::RSA_PKCS1_2048_8192_SHA256]),
    ],
};

/// *ring*'s generator, as in rustls's provider.
#[derive(Debug)]
struct SystemRandom;

impl SecureRandom for SystemRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        ::ring::rand::SystemRandom::new()
            .fill(buf)
            .map_err(|_| GetRandomFailed)
    }
}

/// Refuses every private key: this client never signs.
#[derive(Debug)]
struct NoClientKeys;

impl KeyProvider for NoClientKeys {
    fn load_private_key(
        &self,
        _key_der: PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn SigningKey>, rustls::Error> {
        Err(rustls::Error::General(
            "client certificates are not supported".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_and_verifies_what_the_ring_provider_does() {
        let theirs = ring_provider::default_provider();
        let ours = client_provider();
        let suites = |p: &CryptoProvider| {
            p.cipher_suites
                .iter()
                .map(|s| s.suite())
                .collect::<Vec<_>>()
        };
        assert_eq!(suites(&ours), suites(&theirs));
        let groups = |p: &CryptoProvider| p.kx_groups.iter().map(|g| g.name()).collect::<Vec<_>>();
        assert_eq!(groups(&ours), groups(&theirs));
        let (ours, theirs) = (
            ours.signature_verification_algorithms,
            theirs.signature_verification_algorithms,
        );
        assert_eq!(ours.supported_schemes(), theirs.supported_schemes());
        // The algorithms, compared by what they verify.
        let ids = |a: &WebPkiSupportedAlgorithms| {
            a.all
                .iter()
                .map(|alg| (alg.public_key_alg_id(), alg.signature_alg_id()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&ours), ids(&theirs));
        for (scheme, algs) in theirs.mapping {
            let mine = ours.mapping.iter().find(|(s, _)| s == scheme).unwrap().1;
            let ids = |a: &[&dyn rustls::pki_types::SignatureVerificationAlgorithm]| {
                a.iter()
                    .map(|alg| (alg.public_key_alg_id(), alg.signature_alg_id()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(ids(mine), ids(algs), "{scheme:?}");
        }
    }

    #[test]
    fn draws_random_bytes() {
        let mut buf = [0u8; 32];
        client_provider().secure_random.fill(&mut buf).unwrap();
        assert_ne!(buf, [0u8; 32]);
    }

    #[test]
    fn refuses_private_keys() {
        let key = PrivateKeyDer::Pkcs8(vec![0x30, 0x00].into());
        assert!(
            client_provider()
                .key_provider
                .load_private_key(key)
                .is_err()
        );
    }
}
