//! Warm connections: while one request is in flight, open the connections
//! that the requests going out together after it will need, so that they do
//! not each pay a connection's round trips first.
//!
//! A caller arms the transport for one origin and a count
//! ([`Transport::preconnect`]). The next connection the chain opens to that
//! origin starts that many more in the background, from the same details:
//! the addresses already resolved, the same connect timeout (so within the
//! same call's deadline), through the same chain (TCP, TLS, wiped buffers).
//! A request that finds no pooled connection to that origin then takes a
//! warm one instead of opening its own. The warm ones are only made for a
//! request the http policy let through, only to its origin, and no request
//! is sent on them until one is needed. Those left unused when the caller's
//! [`Preconnected`] is dropped are closed (and their openers waited for).
//!
//! Behind a proxy nothing is opened ahead: the connection is the proxy's.

use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};

use ureq::Error;
use ureq::http::Uri;
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{ConnectionDetails, Connector, Transport as Connection};

use super::Transport;

/// Where a connection goes: scheme, host and port (the default port
/// spelled out, so that `https://h` and `https://h:443` are one origin).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    fn of(uri: &Uri) -> Option<Origin> {
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let port = uri.port_u16().or(match scheme.as_str() {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        })?;
        Some(Origin {
            host: uri.host()?.to_ascii_lowercase(),
            scheme,
            port,
        })
    }
}

/// The connections opened ahead for one origin, shared by the connector
/// (which opens and hands them out) and the caller (which arms and disarms).
pub(crate) struct WarmConnections<T> {
    state: Mutex<State<T>>,
}

struct State<T> {
    /// The origin and how many to open with its next connection.
    armed: Option<(Origin, usize)>,
    ready: Vec<(Origin, T)>,
    openers: Vec<JoinHandle<()>>,
    /// Bumped on disarming: an opener that finishes later drops its
    /// connection instead of keeping it.
    generation: u64,
}

impl<T> WarmConnections<T> {
    pub(crate) fn new() -> Self {
        WarmConnections {
            state: Mutex::new(State {
                armed: None,
                ready: Vec::new(),
                openers: Vec::new(),
                generation: 0,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State<T>> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// What the caller's side needs, whatever the chain's connection type.
pub(crate) trait Arming: Send + Sync {
    fn arm(&self, uri: &Uri, count: usize);
    fn disarm(&self);
}

impl<T: Send> Arming for WarmConnections<T> {
    fn arm(&self, uri: &Uri, count: usize) {
        if let Some(origin) = Origin::of(uri) {
            self.state().armed = (count > 0).then_some((origin, count));
        }
    }

    fn disarm(&self) {
        let (openers, unused) = {
            let mut state = self.state();
            state.generation += 1;
            state.armed = None;
            (
                std::mem::take(&mut state.openers),
                std::mem::take(&mut state.ready),
            )
        };
        // No opener outlives the call: each ends within its connect timeout.
        for opener in openers {
            let _ = opener.join();
        }
        drop(unused);
    }
}

/// The connector chain `C` with warm connections in front of it; its clones
/// (one per agent) share both.
pub(crate) struct Preconnect<C: Connector<()>> {
    inner: Arc<C>,
    warm: Arc<WarmConnections<C::Out>>,
}

impl<C: Connector<()>> Preconnect<C> {
    pub(crate) fn new(inner: C, warm: Arc<WarmConnections<C::Out>>) -> Self {
        Preconnect {
            inner: Arc::new(inner),
            warm,
        }
    }
}

impl<C: Connector<()>> Clone for Preconnect<C> {
    fn clone(&self) -> Self {
        Preconnect {
            inner: Arc::clone(&self.inner),
            warm: Arc::clone(&self.warm),
        }
    }
}

impl<C: Connector<()>> std::fmt::Debug for Preconnect<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Preconnect").finish_non_exhaustive()
    }
}

impl<C> Connector<()> for Preconnect<C>
where
    C: Connector<()> + Send + Sync + 'static,
    C::Out: Send + 'static,
{
    type Out = C::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, Error> {
        let origin = Origin::of(details.uri).filter(|_| details.config.proxy().is_none());
        let Some(origin) = origin else {
            return self.inner.connect(details, chained);
        };
        let (warm, count) = {
            let mut state = self.warm.state();
            let warm = state
                .ready
                .iter()
                .position(|(o, _)| *o == origin)
                .map(|i| state.ready.swap_remove(i).1);
            let count = match &state.armed {
                Some((armed, count)) if *armed == origin && warm.is_none() => *count,
                _ => 0,
            };
            if count > 0 {
                state.armed = None;
            }
            (warm, count)
        };
        if let Some(mut connection) = warm {
            // Opened moments ago, but the server may have closed it since.
            if connection.is_open() {
                return Ok(Some(connection));
            }
        }
        for _ in 0..count {
            self.open_in_background(details, origin.clone());
        }
        self.inner.connect(details, chained)
    }
}

impl<C> Preconnect<C>
where
    C: Connector<()> + Send + Sync + 'static,
    C::Out: Send + 'static,
{
    /// One more connection like the one `details` asks for, kept for the
    /// next request to `origin`. One that fails is simply not there.
    fn open_in_background(&self, details: &ConnectionDetails, origin: Origin) {
        let inner = Arc::clone(&self.inner);
        let warm = Arc::clone(&self.warm);
        let uri = details.uri.clone();
        let config = details.config.clone();
        let (addrs, request_level, now, timeout) = (
            details.addrs.clone(),
            details.request_level,
            details.now,
            details.timeout,
        );
        let (current_time, run_connector, register_shutdown) = (
            details.current_time.clone(),
            details.run_connector.clone(),
            details.register_shutdown.clone(),
        );
        let generation = self.warm.state().generation;
        let opener = thread::Builder::new()
            .name("mxreg-preconnect".into())
            .spawn(move || {
                // Only proxies resolve in the chain, and there are none here.
                let resolver = DefaultResolver::default();
                let details = ConnectionDetails {
                    uri: &uri,
                    addrs,
                    config: &config,
                    request_level,
                    resolver: &resolver,
                    now,
                    timeout,
                    current_time,
                    run_connector,
                    register_shutdown,
                };
                if let Ok(Some(connection)) = inner.connect(&details, None) {
                    let mut state = warm.state();
                    if state.generation == generation {
                        state.ready.push((origin, connection));
                    }
                }
            });
        if let Ok(opener) = opener {
            self.warm.state().openers.push(opener);
        }
    }
}

/// Armed warm connections; dropping it closes the unused ones.
pub(crate) struct Preconnected {
    warm: Arc<dyn Arming>,
}

impl Drop for Preconnected {
    fn drop(&mut self) {
        self.warm.disarm();
    }
}

impl Transport {
    /// Open `count` more connections to `url`'s origin alongside the next
    /// one opened to it, for requests that will go out together after it.
    /// `url` must be one the http policy allows (the request that triggers
    /// the opening is checked; an origin never requested gets none).
    pub(crate) fn preconnect(&self, url: &str, count: usize) -> Option<Preconnected> {
        let uri: Uri = url.parse().ok()?;
        let warm = self.agents.warm_connections();
        warm.arm(&uri, count);
        Some(Preconnected { warm })
    }
}
