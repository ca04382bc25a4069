//! The server probe against the loopback fault server
//! (tests/support/fault_server.rs). Each of the probe's requests
//! (`.well-known`, `/versions`, `GET /login`, both `auth_metadata`
//! endpoints, the empty `POST /register`, the guest check) in turn meets malformed, oversized,
//! stalled, reset, redirected, rate-limited and failing answers, while the
//! others answer as an OAuth-only homeserver does (Synapse delegating to an
//! OAuth server: the `m.login.sso` login type, OAuth metadata, registration
//! forbidden). The probe must name the part it could not find out with the
//! code it met, never report a wrong answer, return in bounded time, release
//! every socket and leave nothing allocated.
//!
//! The probe starts threads, so allocations are counted process-wide, and
//! the tests here run one at a time.

mod support;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use mxreg::ffi::probe::mxreg_probe_part as P;
use mxreg::mxreg_result as R;

use support::c_api::{Options, Outcome};
use support::fault_server::{Fault, FaultServer, Reply};
use support::hostile_harness::oauth_metadata;

#[global_allocator]
static ALLOCATOR: support::alloc_counter::CountingAllocator =
    support::alloc_counter::CountingAllocator;

/// Longer than any client timeout here.
const STALL: Duration = Duration::from_secs(8);
/// Slack on top of the timeouts before a probe counts as hung.
const HANG_SLACK: Duration = Duration::from_secs(5);

/// One probe at a time: the allocation balance is process-wide.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The probe's requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Asked {
    WellKnown,
    Versions,
    Login,
    AuthMetadata,
    /// The MSC2965 endpoint, asked together with the stable one.
    UnstableAuthMetadata,
    Register,
    Guest,
}

impl Asked {
    const ALL: [Asked; 7] = [
        Asked::WellKnown,
        Asked::Versions,
        Asked::Login,
        Asked::AuthMetadata,
        Asked::UnstableAuthMetadata,
        Asked::Register,
        Asked::Guest,
    ];

    fn target(self) -> &'static str {
        match self {
            Asked::WellKnown => "/.well-known/matrix/client",
            Asked::Versions => "/_matrix/client/versions",
            Asked::Login => "/_matrix/client/v3/login",
            Asked::AuthMetadata => "/_matrix/client/v1/auth_metadata",
            Asked::UnstableAuthMetadata => {
                "/_matrix/client/unstable/org.matrix.msc2965/auth_metadata"
            }
            Asked::Register => "/_matrix/client/v3/register",
            Asked::Guest => "/_matrix/client/v3/register?kind=guest",
        }
    }

    /// The part a failure of this request leaves unknown; `None`: the
    /// probe itself fails (it cannot tell where, or whether, to ask).
    fn part(self) -> Option<P> {
        match self {
            Asked::WellKnown | Asked::Versions => None,
            Asked::Login => Some(P::Login),
            Asked::AuthMetadata | Asked::UnstableAuthMetadata => Some(P::Oauth),
            Asked::Register => Some(P::Registration),
            Asked::Guest => Some(P::Guest),
        }
    }

    /// What an OAuth-only homeserver answers.
    fn healthy(self, url: &str) -> Fault {
        match self {
            Asked::WellKnown => Reply::json(404, r#"{"errcode":"M_NOT_FOUND"}"#).into(),
            Asked::Versions => Reply::json(200, r#"{"versions":["v1.15"]}"#).into(),
            Asked::Login => Reply::json(200, r#"{"flows":[{"type":"m.login.sso"}]}"#).into(),
            Asked::AuthMetadata | Asked::UnstableAuthMetadata => {
                Reply::json(200, oauth_metadata(url)).into()
            }
            Asked::Register | Asked::Guest => Reply::json(
                403,
                r#"{"errcode":"M_FORBIDDEN","error":"Registration has been disabled"}"#,
            )
            .into(),
        }
    }

    /// Whether the healthy answer of another request decides this part, so
    /// that a fault here must not show: the stable metadata endpoint's
    /// answer is preferred to the MSC2965 one's.
    fn overruled(self) -> bool {
        self == Asked::UnstableAuthMetadata
    }
}

/// A server answering each of the probe's requests as `answer` says, and
/// anything else with 404. The guest route comes before the registration
/// route it extends (the longest targets first).
fn answering(answer: impl Fn(Asked, &str) -> Fault) -> FaultServer {
    FaultServer::routed_for(move |url| {
        let mut order = Asked::ALL;
        order.sort_by_key(|asked| std::cmp::Reverse(asked.target().len()));
        let routes = order
            .iter()
            .map(|&asked| (asked.target().to_owned(), answer(asked, url)))
            .collect();
        let unknown_path = Reply::json(404, r#"{"errcode":"M_UNRECOGNIZED"}"#).into();
        (routes, vec![unknown_path])
    })
}

/// A server where `faulty` meets `fault` and everything else is healthy.
fn server(faulty: Option<Asked>, fault: &Fault) -> FaultServer {
    answering(|asked, url| {
        if Some(asked) == faulty {
            fault.clone()
        } else {
            asked.healthy(url)
        }
    })
}

/// A healthy server whose every answer comes `delay` late.
fn late_server(delay: Duration) -> FaultServer {
    answering(|asked, url| {
        let Fault::Reply(reply) = asked.healthy(url) else {
            unreachable!()
        };
        Fault::ReplyAfter { delay, reply }
    })
}

/// The code an app reads for `asked`: the call's when it failed, else the
/// code its part met when the part is unknown, else OK.
fn code_for(asked: Asked, outcome: &Outcome) -> R {
    if outcome.code() != R::Ok {
        assert!(
            asked.part().is_none(),
            "{asked:?}: a failed part failed the whole probe: {outcome:#?}"
        );
        return outcome.code();
    }
    let Some(part) = asked.part() else {
        return R::Ok;
    };
    assert!(
        outcome.unknown.iter().all(|(p, _, _)| *p == part as u32),
        "{asked:?}: parts that answered are reported unknown: {outcome:#?}"
    );
    outcome
        .unknown
        .iter()
        .find(|(p, _, _)| *p == part as u32)
        .map_or(R::Ok, |(_, code, _)| *code)
}

fn options() -> Options {
    Options {
        connect_timeout_ms: 1000,
        request_timeout_ms: 1500,
        ..Options::default()
    }
}

/// Every request in turn meets `fault`; `expect` gives the code per
/// request; `check` looks further.
fn case(
    name: &str,
    fault: Fault,
    expect: impl Fn(Asked) -> R,
    check: impl Fn(Asked, &Outcome, &FaultServer),
) {
    let _alone = one_at_a_time();
    let options = options();
    for asked in Asked::ALL {
        let what = format!("{name} on {asked:?}");
        // The first probe fills lazily-initialised state; a measured one
        // may meet the test harness printing: three tries.
        let mut balance = 0;
        for round in 0..4 {
            let before = support::alloc_counter::live_bytes_everywhere();
            {
                let server = server(Some(asked), &fault);
                let outcome = support::c_api::probe(&server.url(), &options, true);
                let expected = if asked.overruled() {
                    R::Ok
                } else {
                    expect(asked)
                };
                assert_eq!(code_for(asked, &outcome), expected, "{what}: {outcome:#?}");
                // The well-known, then the rest at once: two requests' time.
                assert!(
                    outcome.elapsed < options.budget_for(2) + HANG_SLACK,
                    "{what}: took {:?}",
                    outcome.elapsed
                );
                check(asked, &outcome, &server);
                assert!(
                    server.wait_all_closed_by_client(Duration::from_secs(5)),
                    "{what}: a connection was left open"
                );
                if round == 1 {
                    eprintln!("{what}: {:?} in {:?}", expect(asked), outcome.elapsed);
                }
            }
            balance = support::alloc_counter::live_bytes_everywhere() - before;
            if round > 0 && balance == 0 {
                break;
            }
        }
        assert_eq!(balance, 0, "{what}: {balance} bytes left allocated");
    }
}

fn always(code: R) -> impl Fn(Asked) -> R {
    move |_| code
}

/// `code`, except on `.well-known`, where an answer that is not 200 with a
/// usable document nor 404 is the spec's FAIL_PROMPT.
fn fail_prompt_on_well_known(code: R) -> impl Fn(Asked) -> R {
    move |asked| match asked {
        Asked::WellKnown => R::DiscoveryFailPrompt,
        _ => code,
    }
}

fn nothing_more(_: Asked, _: &Outcome, _: &FaultServer) {}

/// An HTML page with `status` where JSON is expected: `code` for every
/// request but `.well-known`, where discovery says to prompt the user.
fn html_page_case(name: &str, status: u16, html: &str, code: R) {
    case(
        name,
        Reply::new(status, "text/html", html).into(),
        fail_prompt_on_well_known(code),
        nothing_more,
    );
}

#[test]
fn a_healthy_oauth_only_server_is_reported_whole() {
    let _alone = one_at_a_time();
    let server = server(None, &Reply::json(200, "{}").into());
    let outcome = support::c_api::probe(&server.url(), &options(), true);
    assert_eq!(outcome.code(), R::Ok, "{outcome:#?}");
    assert!(outcome.unknown.is_empty(), "{outcome:#?}");
    let json: serde_json::Value = serde_json::from_str(outcome.value.as_deref().unwrap()).unwrap();
    assert_eq!(json["login_types"], serde_json::json!(["m.login.sso"]));
    assert_eq!(json["guest_access"], false);
    assert!(json.get("unknown").is_none(), "{json}");
    // OAuth | OAuth create | SSO.
    assert_eq!(json["signup_methods"], 2 | 4 | 8);
}

#[test]
fn truncated_json() {
    case(
        "truncated_json",
        Reply::json(200, r#"{"versions":["v1."#).into(),
        fail_prompt_on_well_known(R::InvalidResponse),
        nothing_more,
    );
}

#[test]
fn html_page_on_200() {
    html_page_case(
        "html_page_on_200",
        200,
        "<html><body>Welcome!</body></html>",
        R::InvalidResponse,
    );
}

#[test]
fn body_of_50_mb() {
    case(
        "body_of_50_mb",
        Fault::Huge {
            status: 200,
            total: 50 * 1000 * 1000,
            declared: false,
        },
        always(R::BodyTooLarge),
        nothing_more,
    );
}

#[test]
fn stall_before_headers() {
    case(
        "stall_before_headers",
        Fault::StallBeforeHeaders(STALL),
        always(R::Timeout),
        nothing_more,
    );
}

#[test]
fn reset_after_the_request() {
    case(
        "reset_after_the_request",
        Fault::ResetAfterRequest,
        always(R::Io),
        nothing_more,
    );
}

#[test]
fn redirect_elsewhere() {
    // Nothing listens there: a request that followed the redirect fails to
    // connect, so the code tells whether it was followed. Discovery follows
    // a `.well-known` redirect (MSC2499); API requests never follow one.
    let nowhere = format!("http://127.0.0.1:{}/", support::fault_server::closed_port());
    case(
        "redirect_elsewhere",
        Reply::json(302, "{}").header("Location", &nowhere).into(),
        |asked| match asked {
            Asked::WellKnown => R::Connect,
            _ => R::Redirect,
        },
        nothing_more,
    );
}

#[test]
fn html_error_page_on_500() {
    html_page_case(
        "html_error_page_on_500",
        500,
        "<html>Internal Server Error</html>",
        R::HttpError,
    );
}

#[test]
fn rate_limited_with_a_zero_delay_is_asked_once() {
    case(
        "rate_limited_with_a_zero_delay",
        Reply::json(
            429,
            r#"{"errcode":"M_LIMIT_EXCEEDED","error":"Too many","retry_after_ms":0}"#,
        )
        .into(),
        fail_prompt_on_well_known(R::RateLimited),
        |asked, outcome, server| {
            let sent = server
                .requests()
                .iter()
                .filter(|r| r.target == asked.target())
                .count();
            assert_eq!(sent, 1, "{asked:?}: {outcome:#?}");
            if asked == Asked::AuthMetadata {
                // The issue's case: neither "SSO only" nor "closed".
                let json: serde_json::Value =
                    serde_json::from_str(outcome.value.as_deref().unwrap()).unwrap();
                assert_eq!(json["unknown"][0]["part"], "oauth", "{json}");
                assert_eq!(json["unknown"][0]["code"], "MXREG_RESULT_RATE_LIMITED");
                assert_eq!(json["unknown"][0]["result"], R::RateLimited as u32);
            }
        },
    );
}

#[test]
fn the_requests_after_well_known_go_out_at_once() {
    let _alone = one_at_a_time();
    let delay = Duration::from_millis(400);
    let server = late_server(delay);
    // Without the guest check, which waits for `/versions`.
    let outcome = support::c_api::probe(&server.url(), &options(), false);
    assert_eq!(outcome.code(), R::Ok, "{outcome:#?}");
    // versions, login, both metadata endpoints and register.
    assert_eq!(server.max_in_flight(), 5, "{outcome:#?}");
    eprintln!(
        "probe with every answer {delay:?} late: {:?}",
        outcome.elapsed
    );
}

#[test]
fn one_deadline_bounds_the_whole_probe() {
    let _alone = one_at_a_time();
    let delay = Duration::from_secs(3);
    let server = late_server(delay);
    let options = Options {
        request_timeout_ms: 5000,
        call_timeout_ms: 4000,
        ..options()
    };
    let outcome = support::c_api::probe(&server.url(), &options, true);
    assert_eq!(outcome.code(), R::Timeout, "{outcome:#?}");
    assert!(
        outcome.elapsed < Duration::from_millis(4000) + HANG_SLACK,
        "{outcome:#?}"
    );
}

#[test]
fn the_probe_refuses_the_metadata_discovery_refuses() {
    let _alone = one_at_a_time();
    // A NUL in an otherwise fine URL: C cannot hold it.
    let server = answering(|asked, url| match asked {
        Asked::AuthMetadata => {
            let mut metadata: serde_json::Value =
                serde_json::from_str(&oauth_metadata(url)).unwrap();
            metadata["account_management_uri"] = format!("{url}/account\u{0}").into();
            Reply::json(200, metadata.to_string()).into()
        }
        other => other.healthy(url),
    });
    let probed = support::c_api::probe(&server.url(), &options(), false);
    assert_eq!(
        code_for(Asked::AuthMetadata, &probed),
        R::InvalidResponse,
        "{probed:#?}"
    );
    let json: serde_json::Value = serde_json::from_str(probed.value.as_deref().unwrap()).unwrap();
    assert_eq!(
        json["signup_methods"], 8,
        "SSO only, with OAuth unknown: {json}"
    );
    let client = support::c_api::CClient::new(&server.url(), &options()).unwrap();
    let (discovered, _) = client.oauth_discover();
    assert_eq!(discovered.code(), R::InvalidResponse, "{discovered:#?}");
}

#[test]
fn the_msc2965_metadata_counts_when_the_stable_endpoint_is_not_there() {
    let _alone = one_at_a_time();
    let server = answering(|asked, url| match asked {
        Asked::AuthMetadata => Reply::json(404, r#"{"errcode":"M_UNRECOGNIZED"}"#).into(),
        other => other.healthy(url),
    });
    let probed = support::c_api::probe(&server.url(), &options(), false);
    assert_eq!(probed.code(), R::Ok, "{probed:#?}");
    let json: serde_json::Value = serde_json::from_str(probed.value.as_deref().unwrap()).unwrap();
    // OAuth | OAuth create | SSO.
    assert_eq!(json["signup_methods"], 2 | 4 | 8, "{json}");
    assert_eq!(server.requests_to(Asked::UnstableAuthMetadata.target()), 1);
}
