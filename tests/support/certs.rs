//! Certificates made at run time with `rcgen` (a dev-dependency; no openssl
//! CLI needed): a private CA that issues server certificates, and plain
//! self-signed ones.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, date_time_ymd};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::tls_server::Identity;

/// The names a loopback test server answers to.
pub const LOOPBACK_NAMES: &[&str] = &["127.0.0.1", "localhost"];

/// A certificate authority that exists only for one test.
pub struct TestCa {
    /// Its certificate, as the PEM text a caller would hand to mxreg.
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn identity(cert: &rcgen::Certificate, key: &KeyPair) -> Identity {
    Identity {
        chain: vec![CertificateDer::from(cert.der().to_vec())],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|name| (*name).to_owned()).collect()
}

impl TestCa {
    pub fn new(common_name: &str) -> Self {
        let key = KeyPair::generate().expect("a CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        let cert = params.self_signed(&key).expect("a CA certificate");
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for `server_names`, signed by this CA.
    pub fn issue(&self, server_names: &[&str]) -> Identity {
        let params = CertificateParams::new(names(server_names)).expect("leaf params");
        self.sign(params)
    }

    /// A server certificate for the loopback names that expired in 2020.
    pub fn issue_expired(&self) -> Identity {
        let mut params = CertificateParams::new(names(LOOPBACK_NAMES)).expect("leaf params");
        params.not_before = date_time_ymd(2019, 1, 1);
        params.not_after = date_time_ymd(2020, 1, 1);
        self.sign(params)
    }

    fn sign(&self, params: CertificateParams) -> Identity {
        let key = KeyPair::generate().expect("a leaf key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("a leaf certificate");
        identity(&cert, &key)
    }
}

/// A self-signed server certificate for the loopback names, and its PEM.
pub fn self_signed() -> (Identity, String) {
    let certified =
        rcgen::generate_simple_self_signed(names(LOOPBACK_NAMES)).expect("a certificate");
    (
        identity(&certified.cert, &certified.signing_key),
        certified.cert.pem(),
    )
}
