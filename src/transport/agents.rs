//! The ureq agents behind one client: one per CPU (at most [`MAX_AGENTS`]),
//! each thread always using the same one.
//!
//! A ureq agent keeps its idle connections in one pool behind one mutex, and
//! checks a pooled connection (a syscall) while holding it. Threads sharing
//! one agent queue on that mutex, and on a small machine a thread that waits
//! for a lock sleeps and wakes up late. With an agent per CPU, as many
//! threads as there are CPUs each have a pool to themselves; more threads
//! share them evenly. The agents share one connector chain (so one TLS
//! configuration is built) and one resolver cache.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{ConnectProxyConnector, Connector, NextTimeout};
use ureq::{Agent, Error};

use super::preconnect::{Arming, Preconnect, WarmConnections};
use super::resolver::CachingResolver;
use super::{tcp, tls};

/// More agents than this only spread idle connections thinner.
pub(crate) const MAX_AGENTS: usize = 8;

pub(crate) struct Agents {
    agents: Box<[Agent]>,
    /// The connections the chain opens ahead (see `preconnect`).
    warm: Arc<dyn Arming>,
}

impl Agents {
    /// ureq's default connector chain (HTTP CONNECT proxy, TCP, rustls) with
    /// our TCP and TLS layers and resolver, and warm connections in front.
    pub(crate) fn new(config: Config, tls: tls::TlsConnector) -> Self {
        let chain =
            ().chain(ConnectProxyConnector::default())
                .chain(tcp::LeanTcpConnector)
                .chain(tls);
        let warm = Arc::new(WarmConnections::new());
        let connector = Preconnect::new(chain, Arc::clone(&warm));
        let resolver = Shared(Arc::new(CachingResolver::default()));
        let agents = (0..agent_count())
            .map(|_| Agent::with_parts(config.clone(), connector.clone(), resolver.clone()))
            .collect();
        Agents { agents, warm }
    }

    pub(crate) fn warm_connections(&self) -> Arc<dyn Arming> {
        Arc::clone(&self.warm)
    }

    /// The calling thread's agent.
    pub(crate) fn for_this_thread(&self) -> &Agent {
        &self.agents[thread_number() % self.agents.len()]
    }
}

fn agent_count() -> usize {
    static COUNT: OnceLock<usize> = OnceLock::new();
    *COUNT.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, NonZeroUsize::get)
            .min(MAX_AGENTS)
    })
}

/// Numbers threads in the order they first make a request.
fn thread_number() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static NUMBER: usize = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    NUMBER.with(|number| *number)
}

/// One resolver used by every agent of a client.
#[derive(Debug)]
struct Shared<T>(Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<R: Resolver> Resolver for Shared<R> {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, Error> {
        self.0.resolve(uri, config, timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_keeps_its_agent_and_threads_spread_over_them() {
        let tls = tls::TlsConnector::new(None).unwrap();
        let agents = Agents::new(Agent::config_builder().build(), tls);
        assert_eq!(agents.agents.len(), agent_count());
        let mine = agents.for_this_thread() as *const Agent;
        assert_eq!(agents.for_this_thread() as *const Agent, mine);
        let others: Vec<usize> = std::thread::scope(|scope| {
            (0..2 * agents.agents.len())
                .map(|_| scope.spawn(|| agents.for_this_thread() as *const Agent as usize))
                .collect::<Vec<_>>()
                .into_iter()
                .map(|handle| handle.join().unwrap())
                .collect()
        });
        let mut distinct = others;
        distinct.sort_unstable();
        distinct.dedup();
        if agents.agents.len() > 1 {
            assert!(distinct.len() > 1, "every thread on one agent");
        }
    }
}
