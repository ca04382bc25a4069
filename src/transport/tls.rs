//! The TLS layer: ureq's rustls connector, with its handshake failures
//! reported as TLS errors.
//!
//! ureq completes the handshake while connecting, before any request byte
//! is written, but a failure there (an untrusted or expired certificate, a
//! plain-http server) reaches us as a bare `io::Error` wrapping the rustls
//! error, indistinguishable from a connection lost after the request was
//! sent. Unwrapped here, it becomes `ureq::Error::Rustls`: `MXREG_RESULT_TLS`,
//! never "outcome unknown".

use ureq::Error;
use ureq::unversioned::transport::{ConnectionDetails, Connector, RustlsConnector, Transport};

#[derive(Debug, Default)]
pub(crate) struct HandshakeErrors(RustlsConnector);

impl<In: Transport> Connector<In> for HandshakeErrors {
    type Out = <RustlsConnector as Connector<In>>::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        self.0.connect(details, chained).map_err(unwrap_rustls)
    }
}

fn unwrap_rustls(err: Error) -> Error {
    match err {
        Error::Io(io)
            if io
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>()) =>
        {
            match io
                .into_inner()
                .map(|inner| inner.downcast::<rustls::Error>())
            {
                Some(Ok(tls)) => Error::Rustls(*tls),
                _ => Error::Tls("TLS handshake failed"),
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn a_wrapped_rustls_error_is_unwrapped() {
        let wrapped = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::NoCertificatesPresented,
        );
        assert!(matches!(
            unwrap_rustls(Error::Io(wrapped)),
            Error::Rustls(rustls::Error::NoCertificatesPresented)
        ));
    }

    #[test]
    fn other_io_errors_pass_through() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(matches!(unwrap_rustls(Error::Io(refused)), Error::Io(_)));
    }
}
