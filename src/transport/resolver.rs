//! Name resolution without a thread per request.
//!
//! ureq resolves the host before every request, even one that reuses a pooled
//! connection, and its default resolver enforces the resolve timeout by
//! spawning a thread per lookup. This cache answers IP literals directly
//! and keeps each looked-up name for [`NAME_LIFETIME`] (curl's default DNS
//! cache time), so only the first request to a host name, and one a minute
//! after, pays for a lookup (ureq's, plugged in by `ureq_adapter`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::http::uri::Scheme;

/// How long a looked-up name is reused.
pub(crate) const NAME_LIFETIME: Duration = Duration::from_secs(60);

/// A client talks to one homeserver (and perhaps a proxy): a few names.
const MAX_CACHED_NAMES: usize = 8;

struct CachedName {
    host_and_port: String,
    resolved_at: Instant,
    addrs: Vec<SocketAddr>,
}

#[derive(Default)]
pub(crate) struct CachingResolver {
    names: Mutex<Vec<CachedName>>,
}

impl std::fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachingResolver").finish_non_exhaustive()
    }
}

impl CachingResolver {
    /// The addresses of `host` (as in a URL) at `port`: an IP literal's own,
    /// a name's from the cache, or else from `look_up`, then kept.
    pub(crate) fn resolve<E>(
        &self,
        host: &str,
        port: u16,
        look_up: impl FnOnce() -> Result<Vec<SocketAddr>, E>,
    ) -> Result<Vec<SocketAddr>, E> {
        if let Some(ip) = ip_literal(host) {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let host_and_port = format!("{host}:{port}");
        if let Some(addrs) = self.cached(&host_and_port) {
            return Ok(addrs);
        }
        let addrs = look_up()?;
        self.remember(host_and_port, &addrs);
        Ok(addrs)
    }

    fn cached(&self, host_and_port: &str) -> Option<Vec<SocketAddr>> {
        let names = self
            .names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        names
            .iter()
            .find(|name| {
                name.host_and_port == host_and_port && name.resolved_at.elapsed() < NAME_LIFETIME
            })
            .map(|name| name.addrs.clone())
    }

    fn remember(&self, host_and_port: String, addrs: &[SocketAddr]) {
        let mut names = self
            .names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        names.retain(|name| {
            name.host_and_port != host_and_port && name.resolved_at.elapsed() < NAME_LIFETIME
        });
        if names.len() >= MAX_CACHED_NAMES {
            names.remove(0);
        }
        names.push(CachedName {
            host_and_port,
            resolved_at: Instant::now(),
            addrs: addrs.to_vec(),
        });
    }
}

/// The port a URL without one means.
pub(crate) fn default_port(scheme: &Scheme) -> Option<u16> {
    if *scheme == Scheme::HTTPS {
        Some(443)
    } else if *scheme == Scheme::HTTP {
        Some(80)
    } else {
        None
    }
}

/// The address in `host` when it is an IP literal (`[::1]` keeps its brackets
/// in a URI authority).
fn ip_literal(host: &str) -> Option<IpAddr> {
    let bare = host
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    /// Resolve with a lookup that answers `looked_up` and counts its calls.
    fn resolve(
        resolver: &CachingResolver,
        host: &str,
        port: u16,
        looked_up: &[SocketAddr],
        lookups: &mut usize,
    ) -> Vec<SocketAddr> {
        resolver
            .resolve::<()>(host, port, || {
                *lookups += 1;
                Ok(looked_up.to_vec())
            })
            .unwrap()
    }

    #[test]
    fn ip_literals_resolve_to_themselves() {
        let resolver = CachingResolver::default();
        let mut lookups = 0;
        assert_eq!(
            resolve(&resolver, "127.0.0.1", 8008, &[], &mut lookups),
            vec![addr("127.0.0.1:8008")]
        );
        assert_eq!(
            resolve(&resolver, "[::1]", 443, &[], &mut lookups),
            vec![addr("[::1]:443")]
        );
        assert_eq!(lookups, 0, "no lookup");
        assert!(
            resolver.names.lock().unwrap().is_empty(),
            "literals are not cached"
        );
        assert_eq!(default_port(&Scheme::HTTPS), Some(443));
        assert_eq!(default_port(&Scheme::HTTP), Some(80));
    }

    #[test]
    fn names_are_looked_up_once_then_reused() {
        let resolver = CachingResolver::default();
        let mut lookups = 0;
        let first = [addr("127.0.0.1:8448")];
        assert_eq!(
            resolve(&resolver, "localhost", 8448, &first, &mut lookups),
            first
        );
        let other = [addr("127.9.9.9:8448")];
        assert_eq!(
            resolve(&resolver, "localhost", 8448, &other, &mut lookups),
            first,
            "the second answer comes from the cache"
        );
        assert_eq!(lookups, 1);
        assert_eq!(
            resolve(&resolver, "localhost", 9000, &other, &mut lookups),
            other,
            "another port is another entry"
        );
        let err = resolver.resolve("elsewhere", 1, || Err("lookup failed"));
        assert_eq!(err, Err("lookup failed"), "failures are not cached");
        assert_eq!(resolver.names.lock().unwrap().len(), 2);
    }

    #[test]
    fn expired_names_are_looked_up_again() {
        let resolver = CachingResolver::default();
        let mut lookups = 0;
        resolve(
            &resolver,
            "localhost",
            8448,
            &[addr("127.0.0.1:8448")],
            &mut lookups,
        );
        let Some(long_ago) = Instant::now().checked_sub(NAME_LIFETIME + Duration::from_secs(1))
        else {
            return; // a monotonic clock this young cannot express the past
        };
        resolver.names.lock().unwrap()[0].resolved_at = long_ago;
        let again = [addr("127.0.0.2:8448")];
        assert_eq!(
            resolve(&resolver, "localhost", 8448, &again, &mut lookups),
            again
        );
        assert_eq!(lookups, 2);
    }
}
