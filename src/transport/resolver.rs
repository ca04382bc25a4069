//! Name resolution for the agent without a thread per request.
//!
//! ureq resolves the host before every request, even one that reuses a pooled
//! connection, and its default resolver enforces the resolve timeout by
//! spawning a thread per lookup. This resolver answers IP literals directly
//! and keeps each looked-up name for [`NAME_LIFETIME`] (curl's default DNS
//! cache time), so only the first request to a host name, and one a minute
//! after, pays for a lookup.

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::Error;
use ureq::config::Config;
use ureq::http::Uri;
use ureq::http::uri::Scheme;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a looked-up name is reused.
pub(crate) const NAME_LIFETIME: Duration = Duration::from_secs(60);

/// A client talks to one homeserver (and perhaps a proxy): a few names.
const MAX_CACHED_NAMES: usize = 8;

struct CachedName {
    host_and_port: String,
    resolved_at: Instant,
    addrs: ResolvedSocketAddrs,
}

#[derive(Default)]
pub(crate) struct CachingResolver {
    lookup: DefaultResolver,
    names: Mutex<Vec<CachedName>>,
}

impl std::fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachingResolver").finish_non_exhaustive()
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return self.lookup.resolve(uri, config, timeout);
        };
        let Some(port) = authority.port_u16().or_else(|| default_port(scheme)) else {
            return self.lookup.resolve(uri, config, timeout);
        };
        let host = authority.host();
        if let Some(ip) = ip_literal(host) {
            return self.only_wanted([SocketAddr::new(ip, port)], config);
        }
        let host_and_port = format!("{host}:{port}");
        if let Some(addrs) = self.cached(&host_and_port) {
            return Ok(addrs);
        }
        let addrs = self.lookup.resolve(uri, config, timeout)?;
        self.remember(host_and_port, &addrs);
        Ok(addrs)
    }
}

impl CachingResolver {
    fn only_wanted(
        &self,
        addrs: impl IntoIterator<Item = SocketAddr>,
        config: &Config,
    ) -> Result<ResolvedSocketAddrs, Error> {
        let mut result = self.empty();
        for addr in config.ip_family().keep_wanted(addrs.into_iter()) {
            result.push(addr);
        }
        if result.is_empty() {
            Err(Error::HostNotFound)
        } else {
            Ok(result)
        }
    }

    fn cached(&self, host_and_port: &str) -> Option<ResolvedSocketAddrs> {
        let names = self
            .names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        names
            .iter()
            .find(|name| {
                name.host_and_port == host_and_port && name.resolved_at.elapsed() < NAME_LIFETIME
            })
            .map(|name| copy_addrs(self, &name.addrs))
    }

    fn remember(&self, host_and_port: String, addrs: &ResolvedSocketAddrs) {
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
            addrs: copy_addrs(self, addrs),
        });
    }
}

fn copy_addrs(resolver: &CachingResolver, addrs: &ResolvedSocketAddrs) -> ResolvedSocketAddrs {
    let mut copy = resolver.empty();
    for addr in addrs.iter() {
        copy.push(*addr);
    }
    copy
}

fn default_port(scheme: &Scheme) -> Option<u16> {
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

    fn no_timeout() -> NextTimeout {
        NextTimeout::default()
    }

    fn resolve(resolver: &CachingResolver, url: &str) -> Result<Vec<SocketAddr>, Error> {
        let uri: Uri = url.parse().expect("test URL");
        resolver
            .resolve(&uri, &Config::default(), no_timeout())
            .map(|addrs| addrs.iter().copied().collect())
    }

    #[test]
    fn ip_literals_resolve_to_themselves_with_default_ports() {
        let resolver = CachingResolver::default();
        assert_eq!(
            resolve(&resolver, "http://127.0.0.1:8008/x").unwrap(),
            vec!["127.0.0.1:8008".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&resolver, "https://[::1]/").unwrap(),
            vec!["[::1]:443".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&resolver, "http://10.1.2.3/").unwrap(),
            vec!["10.1.2.3:80".parse::<SocketAddr>().unwrap()]
        );
        assert!(
            resolver.names.lock().unwrap().is_empty(),
            "literals are not cached"
        );
    }

    #[test]
    fn names_are_looked_up_once_then_reused() {
        let resolver = CachingResolver::default();
        let first = resolve(&resolver, "http://localhost:8448/").unwrap();
        assert!(!first.is_empty());
        assert!(
            first
                .iter()
                .all(|addr| addr.ip().is_loopback() && addr.port() == 8448)
        );
        assert_eq!(resolver.names.lock().unwrap().len(), 1);
        // A poisoned entry proves the second answer comes from the cache.
        resolver.names.lock().unwrap()[0].addrs = copy_addrs(&resolver, &{
            let mut marked = resolver.empty();
            marked.push("127.9.9.9:8448".parse().unwrap());
            marked
        });
        assert_eq!(
            resolve(&resolver, "http://localhost:8448/").unwrap(),
            vec!["127.9.9.9:8448".parse::<SocketAddr>().unwrap()]
        );
    }

    #[test]
    fn expired_names_are_looked_up_again() {
        let resolver = CachingResolver::default();
        resolve(&resolver, "http://localhost:8448/").unwrap();
        let Some(long_ago) = Instant::now().checked_sub(NAME_LIFETIME + Duration::from_secs(1))
        else {
            return; // a monotonic clock this young cannot express the past
        };
        resolver.names.lock().unwrap()[0].resolved_at = long_ago;
        resolver.names.lock().unwrap()[0].addrs = resolver.empty();
        let again = resolve(&resolver, "http://localhost:8448/").unwrap();
        assert!(!again.is_empty(), "the expired, emptied entry was not used");
    }
}
