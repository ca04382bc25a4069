//! Shared support for the integration tests, one concern per module. Each
//! test crate declares `mod support;` and uses the parts it needs.

#![allow(dead_code)] // each test crate uses its own subset of these helpers

/// Counting global allocator for the leak checks.
pub mod alloc_counter;
/// A proxy in front of a real server that loses chosen answers.
pub mod answer_dropping_proxy;
/// The user's browser against the rig's OAuth server.
pub mod browser;
/// The C ABI wrapped for tests: options, outcomes, owned handles.
pub mod c_api;
/// Throw-away certificate authorities and server identities.
pub mod certs;
/// A loopback server that misbehaves on purpose.
pub mod fault_server;
/// One hostile-server case through the C ABI, with its checks.
pub mod hostile_harness;
/// A loopback server whose answers a test scripts.
pub mod loopback_server;
/// An app of the rig's OAuth server and the code flow's steps.
pub mod oauth_app;
/// The local Synapse variants the rig runs, and helpers against them.
pub mod rig;
/// The check on a refused sign-up step.
pub mod signup_steps;
/// The fault server behind TLS.
pub mod tls_server;
/// An allocator that finds secrets left unwiped in freed memory.
pub mod wipe_check;
