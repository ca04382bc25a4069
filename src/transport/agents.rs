//! The ureq agents behind one client: one per CPU (at most [`MAX_AGENTS`]),
//! each thread always using the same one.
//!
//! A ureq agent keeps its idle connections in one pool behind one mutex, and
//! checks a pooled connection (a syscall) while holding it. Threads sharing
//! one agent queue on that mutex, and on a small machine a thread that waits
//! for a lock sleeps and wakes up late. With an agent per CPU, as many
//! threads as there are CPUs each have a pool to themselves; more threads
//! share them evenly. The agents share one connector (so one TLS
//! configuration is built, and its session cache lets any thread resume)
//! and one name cache.
//!
//! Measured again when the transport moved behind `ureq_adapter` (2-core
//! machine, `bench/mxreg_c` against `bench/responder`, two threads on one
//! client, 10 alternating runs of 0.5 s): 70,200 calls/s and 13.4 µs of CPU
//! per call with an agent per CPU, 41,300 calls/s and 14.9 µs with one agent.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use ureq::Agent;
use ureq::config::Config;

use super::connector::Connector;
use super::preconnect::WarmConnections;
use super::resolver::CachingResolver;
use super::{tls, ureq_adapter};

/// More agents than this only spread idle connections thinner.
pub(crate) const MAX_AGENTS: usize = 8;

pub(crate) struct Agents {
    agents: Box<[Agent]>,
    /// Their shared connector, which keeps the warm connections
    /// (`preconnect`).
    connector: Arc<Connector>,
}

impl Agents {
    /// Agents sharing one connector (TCP, then TLS) and one name cache.
    pub(crate) fn new(config: Config, tls: tls::TlsConnector) -> Self {
        let connector = Arc::new(Connector::new(tls));
        let resolver = Arc::new(CachingResolver::default());
        let agents = (0..agent_count())
            .map(|_| ureq_adapter::agent(config.clone(), &connector, &resolver))
            .collect();
        Agents { agents, connector }
    }

    /// The connections opened ahead of requests (see `preconnect`).
    pub(crate) fn warm_connections(&self) -> Arc<WarmConnections> {
        self.connector.warm_connections()
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
