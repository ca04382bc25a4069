//! Warm connections: while one request is in flight, open the connections
//! that the requests going out together after it will need, so that they do
//! not each pay a connection's round trips first.
//!
//! A caller arms the transport for one origin and a count
//! ([`Transport::preconnect`]). The next connection the connector opens to
//! that origin starts that many more in the background, for the same
//! target: the addresses already resolved, the same connect deadline (so
//! within the same call's deadline), TCP then TLS as for any other. A
//! request that finds no pooled connection to that origin then takes a warm
//! one instead of opening its own. The warm ones are only made for a
//! request the http policy let through, only to its origin, and no request
//! is sent on them until one is needed. Those left unused when the caller's
//! [`Preconnected`] is dropped are closed (and their openers waited for).
//!
//! Behind a proxy nothing is opened ahead: the connection is the proxy's
//! (`ureq_adapter` opens those without the connector's `open`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};

use ureq::http::Uri;

use super::Transport;
use super::connection::Connection;
use super::connector::{Connector, OnSocket, Target};
use super::resolver::default_port;

/// Where a connection goes: scheme, host and port (the default port
/// spelled out, so that `https://h` and `https://h:443` are one origin).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    https: bool,
    host: String,
    port: u16,
}

impl Origin {
    fn of(uri: &Uri) -> Option<Origin> {
        let scheme = uri.scheme()?;
        Some(Origin {
            https: *scheme == ureq::http::uri::Scheme::HTTPS,
            host: uri.host()?.to_ascii_lowercase(),
            port: uri.port_u16().or_else(|| default_port(scheme))?,
        })
    }

    pub(crate) fn of_target(target: &Target<'_>) -> Origin {
        Origin {
            https: target.https,
            host: target.host.to_ascii_lowercase(),
            port: target.port,
        }
    }
}

/// The connections opened ahead for one origin, shared by the connector
/// (which opens and hands them out) and the caller (which arms and disarms).
#[derive(Default)]
pub(crate) struct WarmConnections {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The origin and how many to open with its next connection.
    armed: Option<(Origin, usize)>,
    ready: Vec<(Origin, Box<dyn Connection>)>,
    openers: Vec<JoinHandle<()>>,
    /// Bumped on disarming: an opener that finishes later drops its
    /// connection instead of keeping it.
    generation: u64,
}

impl std::fmt::Debug for WarmConnections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarmConnections").finish_non_exhaustive()
    }
}

impl WarmConnections {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

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

    /// A warm connection to `origin`, if one is ready; else how many to
    /// open alongside a new one (the arming is used up).
    fn take(&self, origin: &Origin) -> (Option<Box<dyn Connection>>, usize) {
        let mut state = self.state();
        let warm = state
            .ready
            .iter()
            .position(|(o, _)| o == origin)
            .map(|i| state.ready.swap_remove(i).1);
        let count = match &state.armed {
            Some((armed, count)) if armed == origin && warm.is_none() => *count,
            _ => 0,
        };
        if count > 0 {
            state.armed = None;
        }
        (warm, count)
    }
}

impl Connector {
    /// A warm connection to `target`'s origin when one is ready; otherwise
    /// `None`, after starting the armed number of openers for it.
    pub(crate) fn warm_or_open_ahead(
        self: &Arc<Self>,
        target: &Target<'_>,
        on_socket: &OnSocket,
    ) -> Option<Box<dyn Connection>> {
        let origin = Origin::of_target(target);
        let (warm, count) = self.warm.take(&origin);
        if let Some(mut connection) = warm {
            // Opened moments ago, but the server may have closed it since.
            if connection.is_open() {
                return Some(connection);
            }
        }
        for _ in 0..count {
            self.open_in_background(target, origin.clone(), on_socket);
        }
        None
    }

    /// One more connection like `target`'s, kept for the next request to
    /// `origin`. One that fails is simply not there.
    fn open_in_background(
        self: &Arc<Self>,
        target: &Target<'_>,
        origin: Origin,
        on_socket: &OnSocket,
    ) {
        let connector = Arc::clone(self);
        let on_socket = Arc::clone(on_socket);
        let host = target.host.to_owned();
        let addrs: Vec<SocketAddr> = target.addrs.to_vec();
        let (https, port, deadline, no_delay) =
            (target.https, target.port, target.deadline, target.no_delay);
        let generation = self.warm.state().generation;
        let opener = thread::Builder::new()
            .name("mxreg-preconnect".into())
            .spawn(move || {
                let target = Target {
                    host: &host,
                    port,
                    addrs: &addrs,
                    https,
                    deadline,
                    no_delay,
                };
                if let Ok(connection) = connector.open_now(&target, &on_socket) {
                    let mut state = connector.warm.state();
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
    warm: Arc<WarmConnections>,
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
