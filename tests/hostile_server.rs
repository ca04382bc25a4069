//! The hostile-server suite: every endpoint mxreg calls meets a loopback
//! fault server (tests/support/fault_server.rs) that answers with malformed
//! or wrong-shaped JSON, oversized or trickling bodies, stalls, resets,
//! garbage HTTP, HTML error pages, redirects, odd 401s and 429s. Each case
//! checks the result code an app would see through the C ABI, that the call
//! returns within its timeouts, that every socket is released and that no
//! memory stays allocated once the handles are freed.

mod support;

use std::sync::Arc;
use std::time::Duration;

use mxreg::mxreg_result as R;

use support::c_api::{Options, Outcome};
use support::fault_server::{Fault, FaultServer, Reply};
use support::hostile_harness::{Case, Endpoint, lost_after_send, timed_out_after_send};

#[global_allocator]
static ALLOCATOR: support::alloc_counter::CountingAllocator =
    support::alloc_counter::CountingAllocator;

const ALL: &[Endpoint] = Endpoint::ALL;
const TIMED: &[Endpoint] = Endpoint::TIMED;
const ACCOUNTS: &[Endpoint] = &[
    Endpoint::Register,
    Endpoint::RegisterGuest,
    Endpoint::RegisterStage,
];
const TOKENS: &[Endpoint] = &[
    Endpoint::Register,
    Endpoint::Refresh,
    Endpoint::LoginPassword,
    Endpoint::LoginToken,
];
const OAUTH: &[Endpoint] = Endpoint::OAUTH;
/// Every endpoint: the Matrix ones and the OAuth ones.
const EVERY: &[Endpoint] = Endpoint::EVERY;
/// The OAuth calls that hand tokens back.
const OAUTH_TOKENS: &[Endpoint] = &[Endpoint::OAuthTokenExchange, Endpoint::OAuthRefresh];

/// Longer than any client timeout in this suite.
const STALL: Duration = Duration::from_secs(8);
/// 50 MB: far over the 1 MiB default cap.
const FIFTY_MB: u64 = 50 * 1000 * 1000;

/// The same answer to every request.
fn always(fault: impl Into<Fault>) -> impl Fn(Endpoint) -> Vec<Fault> + 'static {
    let fault = fault.into();
    move |_| vec![fault.clone()]
}

/// A JSON answer built per endpoint.
fn json_per_endpoint(
    status: u16,
    body: impl Fn(Endpoint) -> String + 'static,
) -> impl Fn(Endpoint) -> Vec<Fault> + 'static {
    move |endpoint| vec![Reply::json(status, body(endpoint)).into()]
}

fn expect(codes: &'static [R]) -> impl Fn(Endpoint) -> Vec<R> + 'static {
    move |_| codes.to_vec()
}

fn raw(bytes: &[u8]) -> Fault {
    Fault::Raw(bytes.to_vec())
}

/// A body that nests `depth` arrays: far past any sane recursion limit.
fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// The endpoint's valid body with one more field appended.
fn ok_body_with(endpoint: Endpoint, extra: &str) -> String {
    let body = endpoint.ok_body();
    format!("{},{extra}}}", &body[..body.len() - 1])
}

fn http_status_is(status: u16) -> impl Fn(Endpoint, &Outcome, &FaultServer) + 'static {
    move |endpoint, outcome, _| {
        assert_eq!(outcome.http_status, status, "{endpoint:?}: {outcome:#?}");
    }
}

fn retry_after_is(ms: i64) -> impl Fn(Endpoint, &Outcome, &FaultServer) + 'static {
    move |endpoint, outcome, _| {
        assert_eq!(outcome.retry_after_ms, ms, "{endpoint:?}: {outcome:#?}");
    }
}

macro_rules! case {
    ($name:ident, $endpoints:expr, $script:expr, $expect:expr $(, $modifier:ident($arg:expr))* $(,)?) => {
        #[test]
        fn $name() {
            Case::new(stringify!($name), $endpoints, $script, $expect)
                $(.$modifier($arg))*
                .run();
        }
    };
}

// --- Malformed JSON -------------------------------------------------------

case!(
    truncated_json_on_200,
    ALL,
    json_per_endpoint(200, |e| e.ok_body()[..e.ok_body().len() / 2].to_owned()),
    expect(&[R::InvalidResponse])
);
case!(
    text_instead_of_json_on_200,
    ALL,
    always(Reply::json(200, "certainly not json")),
    expect(&[R::InvalidResponse])
);
case!(
    empty_body_on_200,
    ALL,
    always(Reply::json(200, "")),
    expect(&[R::InvalidResponse])
);
case!(
    invalid_utf8_on_200,
    ALL,
    always(Reply::json(200, b"{\"user_id\":\"\xff\xfe\"}".to_vec())),
    expect(&[R::InvalidResponse])
);
case!(
    trailing_garbage_after_json_on_200,
    ALL,
    json_per_endpoint(200, |e| format!("{} trailing", e.ok_body())),
    expect(&[R::InvalidResponse])
);
case!(
    two_json_documents_on_200,
    ALL,
    json_per_endpoint(200, |e| format!("{0}{0}", e.ok_body())),
    expect(&[R::InvalidResponse])
);
case!(
    truncated_json_on_400,
    ALL,
    always(Reply::json(400, r#"{"errcode":"M_FORBI"#)),
    expect(&[R::HttpError]),
    check(http_status_is(400))
);
case!(
    truncated_json_on_401,
    ALL,
    always(Reply::json(401, r#"{"flows":[{"stages":["m.login.du"#)),
    expect(&[R::HttpError]),
    check(http_status_is(401))
);

// --- Valid JSON of the wrong shape ------------------------------------------

case!(
    array_instead_of_object_on_200,
    ALL,
    always(Reply::json(200, "[]")),
    expect(&[R::InvalidResponse])
);
case!(
    string_instead_of_object_on_200,
    ALL,
    always(Reply::json(200, r#""ok""#)),
    expect(&[R::InvalidResponse])
);
case!(
    null_on_200,
    ALL,
    always(Reply::json(200, "null")),
    expect(&[R::InvalidResponse])
);
case!(
    required_fields_missing_on_200,
    ALL,
    always(Reply::json(200, r#"{"home_server":"example.org"}"#)),
    expect(&[R::InvalidResponse])
);
case!(
    wrong_types_on_200,
    ALL,
    always(Reply::json(
        200,
        r#"{"user_id":5,"available":"yes","valid":1,"access_token":["t"]}"#
    )),
    expect(&[R::InvalidResponse])
);
case!(
    duplicate_keys_on_200,
    ALL,
    json_per_endpoint(200, |e| {
        let (key, _) = e.ok_body()[1..].split_once(':').unwrap();
        ok_body_with(e, &format!("{key}:null"))
    }),
    expect(&[R::InvalidResponse])
);
case!(
    deep_nesting_as_the_body,
    ALL,
    always(Reply::json(200, nested(100_000))),
    expect(&[R::InvalidResponse])
);
case!(
    deep_nesting_in_an_unknown_field_is_skipped,
    ALL,
    json_per_endpoint(200, |e| ok_body_with(
        e,
        &format!(r#""x":{}"#, nested(100_000))
    )),
    expect(&[R::Ok])
);
case!(
    deep_nesting_in_uia_params,
    ALL,
    always(Reply::json(
        401,
        format!(
            r#"{{"flows":[{{"stages":["m.login.dummy"]}}],"params":{{"x":{}}}}}"#,
            nested(100_000)
        )
    )),
    expect(&[R::HttpError]),
    check(http_status_is(401))
);
case!(
    deep_nesting_in_error_body,
    ALL,
    always(Reply::json(
        400,
        format!(r#"{{"errcode":"M_UNKNOWN","x":{}}}"#, nested(100_000))
    )),
    expect(&[R::HttpError]),
    check(|_, outcome: &Outcome, _: &FaultServer| assert!(outcome.body_json.is_none()))
);
case!(
    number_beyond_f64_on_200,
    TOKENS,
    json_per_endpoint(200, |e| e.ok_body().replace("300000", "1e400")),
    expect(&[R::InvalidResponse])
);
case!(
    number_beyond_u64_on_200,
    TOKENS,
    json_per_endpoint(200, |e| e
        .ok_body()
        .replace("300000", "18446744073709551616")),
    expect(&[R::InvalidResponse])
);
case!(
    negative_lifetime_on_200,
    TOKENS,
    json_per_endpoint(200, |e| e.ok_body().replace("300000", "-1")),
    expect(&[R::InvalidResponse])
);
case!(
    fractional_lifetime_on_200,
    TOKENS,
    json_per_endpoint(200, |e| e.ok_body().replace("300000", "300000.5")),
    expect(&[R::InvalidResponse])
);
case!(
    largest_lifetime_saturates,
    TOKENS,
    json_per_endpoint(200, |e| e
        .ok_body()
        .replace("300000", &u64::MAX.to_string())),
    expect(&[R::Ok]),
    check(|endpoint, outcome: &Outcome, _: &FaultServer| {
        if endpoint == Endpoint::Register {
            assert_eq!(outcome.expires_in_ms, i64::MAX, "{outcome:#?}");
            assert_eq!(outcome.expires_at_ms, i64::MAX, "{outcome:#?}");
        }
    })
);
case!(
    unknown_fields_are_ignored,
    ALL,
    json_per_endpoint(200, |e| ok_body_with(
        e,
        r#""future":{"a":[1,2,{"b":null}]}"#
    )),
    expect(&[R::Ok])
);
case!(
    nul_byte_in_returned_strings,
    TOKENS,
    json_per_endpoint(200, |e| e.ok_body().replace("syt_", "syt\\u0000")),
    expect(&[R::InvalidResponse])
);
case!(
    matrix_error_fields_of_wrong_types,
    ALL,
    always(Reply::json(
        400,
        r#"{"errcode":5,"error":{"nested":true},"retry_after_ms":"soon"}"#
    )),
    expect(&[R::HttpError]),
    check(|_, outcome: &Outcome, _: &FaultServer| assert!(outcome.errcode.is_none()))
);
case!(
    matrix_error_text_of_wrong_type,
    ALL,
    always(Reply::json(403, r#"{"errcode":"M_FORBIDDEN","error":42}"#)),
    // A guest refused with 403 M_FORBIDDEN (Dendrite's way) is guest access
    // forbidden (api::dialects).
    |endpoint| match endpoint {
        Endpoint::RegisterGuest => vec![R::GuestAccessForbidden],
        _ => vec![R::Forbidden],
    },
    check(http_status_is(403))
);

// --- Bodies over the size cap -------------------------------------------------

case!(
    body_of_50_mb_with_content_length,
    ALL,
    always(Fault::Huge {
        status: 200,
        total: FIFTY_MB,
        declared: true
    }),
    expect(&[R::BodyTooLarge])
);
case!(
    body_of_50_mb_chunked,
    ALL,
    always(Fault::Huge {
        status: 200,
        total: FIFTY_MB,
        declared: false
    }),
    expect(&[R::BodyTooLarge])
);
case!(
    error_body_of_50_mb,
    ALL,
    always(Fault::Huge {
        status: 401,
        total: FIFTY_MB,
        declared: true
    }),
    expect(&[R::BodyTooLarge])
);
case!(
    body_over_a_configured_cap,
    ACCOUNTS,
    json_per_endpoint(200, |e| e.ok_body().to_owned()),
    expect(&[R::BodyTooLarge]),
    options(Options {
        max_response_bytes: 64,
        ..Options::default()
    })
);

// --- Slow and stalled servers ---------------------------------------------------

case!(
    body_trickles_one_byte_per_second,
    TIMED,
    |e: Endpoint| vec![Fault::Trickle {
        body: e.ok_body().as_bytes().to_vec(),
        interval: Duration::from_secs(1),
    }],
    timed_out_after_send
);
case!(
    stall_before_headers,
    TIMED,
    always(Fault::StallBeforeHeaders(STALL)),
    timed_out_after_send
);
case!(
    stall_in_the_middle_of_the_headers,
    TIMED,
    always(Fault::PartialThenStall {
        bytes: b"HTTP/1.1 200 OK\r\nContent-Ty".to_vec(),
        stall: STALL,
    }),
    timed_out_after_send
);
case!(
    stall_in_the_middle_of_the_body,
    TIMED,
    always(Fault::PartialThenStall {
        bytes: b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"user_id\":".to_vec(),
        stall: STALL,
    }),
    timed_out_after_send
);

// --- Connections that break -------------------------------------------------------

case!(
    reset_before_the_request_is_read,
    ALL,
    always(Fault::ResetOnAccept),
    // The reset can reach the client before or after it wrote the request;
    // only the first proves nothing was sent.
    |e: Endpoint| {
        let mut codes = lost_after_send(e);
        codes.push(R::Io);
        codes
    }
);
case!(
    reset_after_the_request,
    ALL,
    always(Fault::ResetAfterRequest),
    lost_after_send
);
case!(
    close_after_the_request_without_answer,
    ALL,
    always(Fault::CloseAfterRequest),
    lost_after_send
);
case!(
    close_in_the_middle_of_the_headers,
    ALL,
    always(raw(b"HTTP/1.1 200 OK\r\nContent-Ty")),
    lost_after_send
);
case!(
    close_in_the_middle_of_the_body,
    ALL,
    always(Fault::CloseMidBody {
        status: 200,
        declared: 400,
        sent: br#"{"user_id":"@alice:exa"#.to_vec(),
    }),
    lost_after_send
);

// --- Garbage instead of HTTP ------------------------------------------------------

case!(
    not_http_at_all,
    ALL,
    always(raw(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")),
    expect(&[R::InvalidResponse])
);
case!(
    binary_garbage,
    ALL,
    always(raw(&[0u8, 159, 146, 150, 255, 13, 10, 13, 10, 7, 7, 7])),
    expect(&[R::InvalidResponse])
);
case!(
    status_code_out_of_range,
    ALL,
    always(raw(b"HTTP/1.1 999 Nope\r\nContent-Length: 2\r\n\r\n{}")),
    expect(&[R::HttpError]),
    check(http_status_is(999))
);
case!(
    header_of_100_kb,
    ALL,
    always(Reply::json(200, "{}").header("X-Padding", &"a".repeat(100 * 1024))),
    expect(&[R::InvalidResponse])
);
case!(
    broken_chunked_encoding,
    ALL,
    always(raw(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
    )),
    expect(&[R::InvalidResponse])
);
case!(
    negative_content_length,
    ALL,
    always(raw(b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n{}")),
    expect(&[R::InvalidResponse])
);
case!(
    unrequested_gzip_body,
    ALL,
    always(
        Reply::json(
            200,
            vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xab, 0xae, 5, 0]
        )
        .header("Content-Encoding", "gzip")
    ),
    expect(&[R::InvalidResponse])
);
case!(
    no_content_on_success,
    ALL,
    always(raw(b"HTTP/1.1 204 No Content\r\n\r\n")),
    expect(&[R::InvalidResponse])
);
case!(
    http_1_0_answer_delimited_by_close,
    ALL,
    |e: Endpoint| vec![raw(
        format!("HTTP/1.0 200 OK\r\n\r\n{}", e.ok_body()).as_bytes()
    )],
    expect(&[R::Ok])
);
case!(
    informational_answer_before_the_real_one,
    ALL,
    |e: Endpoint| {
        vec![raw(format!(
        // `Connection: close`: the raw answer ends the connection, and a
        // call that goes on (the device poll's whoami) must not reuse it.
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
        e.ok_body().len(),
        e.ok_body()
    )
    .as_bytes())]
    },
    expect(&[R::Ok])
);

// --- Content types and HTML error pages --------------------------------------------

case!(
    html_page_on_200,
    ALL,
    always(Reply::new(
        200,
        "text/html",
        "<html><body>Welcome!</body></html>"
    )),
    expect(&[R::InvalidResponse])
);
case!(
    json_body_labelled_text_plain_is_read_as_json,
    ALL,
    |e: Endpoint| vec![Reply::new(200, "text/plain", e.ok_body()).into()],
    expect(&[R::Ok])
);
case!(
    binary_content_type_on_200,
    ALL,
    always(Reply::new(
        200,
        "application/octet-stream",
        vec![0u8, 1, 2, 3]
    )),
    expect(&[R::InvalidResponse])
);
case!(
    html_error_page_on_500,
    ALL,
    always(Reply::new(
        500,
        "text/html",
        "<html><head><title>500</title></head><body><h1>Internal Server Error</h1></body></html>"
    )),
    expect(&[R::HttpError]),
    check(|_, outcome: &Outcome, _: &FaultServer| {
        assert_eq!(outcome.http_status, 500);
        assert!(outcome.body_json.is_none());
        assert!(outcome.errcode.is_none());
        assert!(
            outcome
                .message
                .as_deref()
                .unwrap()
                .contains("non-JSON body"),
            "{outcome:#?}"
        );
    })
);
case!(
    html_error_page_on_502,
    ALL,
    always(Reply::new(
        502,
        "text/html",
        "<html><body>Bad Gateway</body></html>"
    )),
    expect(&[R::HttpError]),
    check(http_status_is(502))
);
case!(
    html_error_page_on_503_with_retry_after,
    ALL,
    always(Reply::new(503, "text/html", "<html>Maintenance</html>").header("Retry-After", "120")),
    expect(&[R::HttpError]),
    check(|_, outcome: &Outcome, _: &FaultServer| {
        assert_eq!(outcome.http_status, 503);
        assert_eq!(outcome.retry_after_ms, 120_000);
    })
);
case!(
    empty_504,
    ALL,
    always(Reply::new(504, "text/plain", "")),
    expect(&[R::HttpError]),
    check(http_status_is(504))
);
case!(
    matrix_error_on_500,
    ALL,
    always(Reply::json(
        500,
        r#"{"errcode":"M_UNKNOWN","error":"Internal error"}"#
    )),
    expect(&[R::MatrixError]),
    check(http_status_is(500))
);

// --- 401 without flows ---------------------------------------------------------------

case!(
    unauthorized_with_a_matrix_error_only,
    ALL,
    always(Reply::json(
        401,
        r#"{"errcode":"M_UNKNOWN_TOKEN","error":"Invalid token"}"#
    )),
    expect(&[R::UnknownToken]),
    check(http_status_is(401))
);
case!(
    unauthorized_with_an_empty_object,
    ALL,
    always(Reply::json(401, "{}")),
    expect(&[R::HttpError]),
    check(http_status_is(401))
);
case!(
    unauthorized_with_flows_of_the_wrong_type,
    ALL,
    always(Reply::json(
        401,
        r#"{"flows":"m.login.dummy","session":"s"}"#
    )),
    expect(&[R::HttpError])
);
case!(
    unauthorized_with_stages_of_the_wrong_type,
    ALL,
    always(Reply::json(
        401,
        r#"{"flows":[{"stages":[1,2]}],"session":"s"}"#
    )),
    expect(&[R::HttpError])
);
case!(
    unauthorized_with_no_flows_offered,
    ALL,
    always(Reply::json(401, r#"{"flows":[],"session":"s"}"#)),
    // A single call reports the (empty) challenge; a sign-up session finds
    // no flow it could follow.
    |e: Endpoint| match e {
        Endpoint::SignupStart => vec![R::UnsupportedFlow],
        _ => vec![R::AuthRequired],
    },
    check(|e, outcome: &Outcome, _: &FaultServer| {
        if e != Endpoint::SignupStart {
            assert_eq!(outcome.auth_flows.as_deref(), Some(&[][..]), "{outcome:#?}");
        }
    })
);
case!(
    unauthorized_with_a_nul_byte_in_the_session,
    ALL,
    always(Reply::json(
        401,
        r#"{"flows":[{"stages":["m.login.dummy"]}],"session":"a\u0000b"}"#
    )),
    expect(&[R::InvalidResponse])
);

// --- 429 -------------------------------------------------------------------------------

case!(
    rate_limited_without_a_delay,
    ALL,
    always(Reply::json(
        429,
        r#"{"errcode":"M_LIMIT_EXCEEDED","error":"Too many"}"#
    )),
    expect(&[R::RateLimited]),
    check(retry_after_is(-1))
);
case!(
    rate_limited_with_an_empty_body,
    ALL,
    always(Reply::json(429, "")),
    expect(&[R::RateLimited]),
    check(retry_after_is(-1))
);
case!(
    rate_limited_with_an_html_page,
    ALL,
    always(Reply::new(429, "text/html", "<html>slow down</html>")),
    expect(&[R::RateLimited])
);
case!(
    rate_limited_for_u64_max_ms,
    ALL,
    always(Reply::json(
        429,
        format!(
            r#"{{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":{}}}"#,
            u64::MAX
        )
    )),
    expect(&[R::RateLimited]),
    check(retry_after_is(i64::MAX))
);
case!(
    rate_limited_for_a_negative_delay,
    ALL,
    always(Reply::json(
        429,
        r#"{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":-5}"#
    )),
    expect(&[R::RateLimited]),
    check(retry_after_is(-1))
);
case!(
    rate_limited_for_1e300_ms,
    ALL,
    always(Reply::json(
        429,
        r#"{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":1e300}"#
    )),
    expect(&[R::RateLimited]),
    check(retry_after_is(-1))
);
case!(
    rate_limited_with_a_delay_as_text,
    ALL,
    always(Reply::json(
        429,
        r#"{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":"100"}"#
    )),
    expect(&[R::RateLimited]),
    check(retry_after_is(-1))
);
case!(
    retry_after_header_beyond_u64,
    ALL,
    always(Reply::json(429, "{}").header("Retry-After", "99999999999999999999999")),
    expect(&[R::RateLimited]),
    // Seconds past u64 are still a delay: the longest one.
    check(retry_after_is(i64::MAX))
);
case!(
    retry_after_header_of_u64_max_seconds,
    ALL,
    always(Reply::json(429, "{}").header("Retry-After", &u64::MAX.to_string())),
    expect(&[R::RateLimited]),
    check(retry_after_is(i64::MAX))
);
case!(
    retry_after_header_as_a_date,
    ALL,
    always(Reply::json(429, "{}").header("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")),
    expect(&[R::RateLimited]),
    // An HTTP date in the past: retry now.
    check(retry_after_is(0))
);
case!(
    absurd_delay_is_not_waited_for,
    ALL,
    always(Reply::json(
        429,
        r#"{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":3600000000}"#
    )),
    expect(&[R::RateLimited]),
    options(Options {
        rate_limit_max_wait_ms: 2000,
        ..Options::default()
    }),
    check(
        |endpoint: Endpoint, outcome: &Outcome, server: &FaultServer| {
            assert_eq!(
                server.requests().len() - endpoint.preamble(&server.url()).len(),
                1,
                "no retry for a delay past the budget"
            );
            assert!(outcome.elapsed < Duration::from_secs(2), "{outcome:#?}");
        }
    )
);
case!(
    rate_limited_forever_stops_at_the_wait_budget,
    ALL,
    always(Reply::json(
        429,
        r#"{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":100}"#
    )),
    expect(&[R::RateLimited]),
    options(Options {
        rate_limit_max_wait_ms: 1000,
        ..Options::default()
    }),
    check(|_, _: &Outcome, server: &FaultServer| {
        let attempts = server.requests().len();
        assert!((2..=11).contains(&attempts), "{attempts} attempts");
    })
);

/// Exactly one request for the endpoint itself (after its preamble): no
/// retry with retries off, whatever delay the server asks for.
fn one_request_each(endpoint: Endpoint, outcome: &Outcome, server: &FaultServer) {
    let expected = endpoint.preamble("http://unused").len() + 1;
    assert_eq!(
        server.requests().len(),
        expected,
        "{endpoint:?}: {outcome:#?}"
    );
}

case!(
    rate_limited_with_a_zero_delay_sends_one_request,
    EVERY,
    always(Reply::json(
        429,
        r#"{"errcode":"M_LIMIT_EXCEEDED","error":"Too many","retry_after_ms":0}"#
    )),
    expect(&[R::RateLimited]),
    check(one_request_each)
);
case!(
    retry_after_header_of_zero_sends_one_request,
    EVERY,
    always(Reply::json(429, "{}").header("Retry-After", "0")),
    expect(&[R::RateLimited]),
    check(one_request_each)
);
case!(
    zero_delay_retries_are_spaced_and_capped,
    TIMED,
    always(Reply::json(
        429,
        r#"{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":0}"#
    )),
    expect(&[R::RateLimited]),
    options(Options {
        rate_limit_max_wait_ms: 10_000,
        ..Options::default()
    }),
    check(|endpoint, outcome: &Outcome, server: &FaultServer| {
        // 16 attempts (the cap), 250 ms apart at least (the floor).
        assert_eq!(server.requests().len(), 16, "{endpoint:?}: {outcome:#?}");
        assert!(
            outcome.elapsed >= Duration::from_millis(15 * 250),
            "{endpoint:?}: retried without waiting: {outcome:#?}"
        );
    })
);

// --- OAuth endpoints ----------------------------------------------------------------------

/// Invalid, except for revocation, whose answer has no body to read.
fn invalid_but_revoke(endpoint: Endpoint) -> Vec<R> {
    match endpoint {
        Endpoint::OAuthRevoke => vec![R::Ok],
        _ => vec![R::InvalidResponse],
    }
}

case!(
    oauth_truncated_json_on_200,
    OAUTH,
    json_per_endpoint(200, |e| e.ok_body()[..e.ok_body().len() / 2].to_owned()),
    invalid_but_revoke
);
case!(
    oauth_html_page_on_200,
    OAUTH,
    always(Reply::new(
        200,
        "text/html",
        "<html><body>Sign in</body></html>"
    )),
    invalid_but_revoke
);
case!(
    oauth_answers_as_expected_when_well_formed,
    OAUTH,
    |e: Endpoint| {
        let mut script = vec![Reply::json(200, e.ok_body()).into()];
        if e == Endpoint::OAuthTokenExchange {
            script.push(Reply::json(200, Endpoint::OAuthWhoami.ok_body()).into());
        }
        script
    },
    expect(&[R::Ok])
);
case!(
    oauth_body_of_50_mb,
    OAUTH,
    always(Fault::Huge {
        status: 200,
        total: FIFTY_MB,
        declared: false
    }),
    expect(&[R::BodyTooLarge])
);
case!(
    oauth_stall_before_headers,
    OAUTH,
    always(Fault::StallBeforeHeaders(STALL)),
    timed_out_after_send
);
case!(
    oauth_reset_after_the_request,
    OAUTH,
    always(Fault::ResetAfterRequest),
    lost_after_send
);
case!(
    oauth_html_error_page_on_500,
    OAUTH,
    always(Reply::new(
        500,
        "text/html",
        "<html>Internal Server Error</html>"
    )),
    expect(&[R::HttpError]),
    check(http_status_is(500))
);

// --- Garbage taken as success --------------------------------------------------------------

fn whoami_user_id_case(name: &'static str, user_id: String) {
    Case::new(
        name,
        &[Endpoint::OAuthWhoami],
        move |_| {
            vec![Reply::json(200, serde_json::json!({ "user_id": user_id }).to_string()).into()]
        },
        expect(&[R::InvalidResponse]),
    )
    .run();
}

#[test]
fn whoami_with_an_empty_user_id_is_not_an_account() {
    whoami_user_id_case("whoami_empty_user_id", String::new());
}

#[test]
fn whoami_with_markup_as_the_user_id_is_not_an_account() {
    whoami_user_id_case("whoami_markup_user_id", "<script>not a user id".into());
}

#[test]
fn whoami_with_a_900_kb_user_id_is_not_an_account() {
    whoami_user_id_case(
        "whoami_huge_user_id",
        format!("@{}:example.org", "a".repeat(900 * 1024)),
    );
}

case!(
    account_management_uri_that_is_not_a_web_url,
    &[Endpoint::OAuthMetadata],
    always(Reply::json(
        200,
        ok_body_with(
            Endpoint::OAuthMetadata,
            r#""account_management_uri":"javascript:alert(document.cookie)""#
        )
    )),
    expect(&[R::InvalidResponse])
);
case!(
    access_token_of_1_mb,
    &[
        Endpoint::Register,
        Endpoint::Refresh,
        Endpoint::OAuthTokenExchange,
        Endpoint::OAuthRefresh
    ],
    json_per_endpoint(200, |e| {
        let token = "t".repeat(1000 * 1000);
        e.ok_body()
            .replace("syt_a", &token)
            .replace("syt_b", &token)
            .replace("mat_a", &token)
    }),
    expect(&[R::InvalidResponse]),
    options(Options {
        max_response_bytes: 2 * 1024 * 1024,
        ..Options::default()
    })
);
case!(
    client_id_of_1_mb,
    &[Endpoint::OAuthClientRegistration],
    always(Reply::json(
        200,
        format!(r#"{{"client_id":"{}"}}"#, "c".repeat(1000 * 1000))
    )),
    expect(&[R::InvalidResponse]),
    options(Options {
        max_response_bytes: 2 * 1024 * 1024,
        ..Options::default()
    })
);
case!(
    numeric_token_endpoint_auth_method,
    &[Endpoint::OAuthClientRegistration],
    always(Reply::json(
        200,
        r#"{"client_id":"client-1","token_endpoint_auth_method":0}"#
    )),
    expect(&[R::InvalidResponse])
);
case!(
    refresh_granting_no_device_scope,
    &[Endpoint::OAuthRefresh],
    json_per_endpoint(200, |e| ok_body_with(
        e,
        r#""scope":"urn:matrix:client:api:*""#
    )),
    expect(&[R::InvalidResponse])
);
case!(
    refresh_granting_another_scope,
    &[Endpoint::OAuthRefresh],
    json_per_endpoint(200, |e| ok_body_with(e, r#""scope":"openid email""#)),
    expect(&[R::InvalidResponse])
);
case!(
    refresh_granting_the_device_scope_is_accepted,
    &[Endpoint::OAuthRefresh],
    json_per_endpoint(200, |e| ok_body_with(
        e,
        r#""scope":"urn:matrix:client:api:* urn:matrix:client:device:DEV1""#
    )),
    expect(&[R::Ok])
);
case!(
    nul_byte_in_an_oauth_token_is_the_servers_fault,
    OAUTH_TOKENS,
    json_per_endpoint(200, |e| e.ok_body().replace("mat_a", "mat\\u0000a")),
    expect(&[R::InvalidResponse])
);

// --- Redirects: never followed, credentials stay home ------------------------------------

/// A redirect to `target(other)` on every endpoint, where `other` is a second
/// fault server that must never see a request.
fn redirect_case(name: &'static str, status: u16, target: fn(&FaultServer) -> String) {
    let other = Arc::new(FaultServer::start(Reply::json(200, "{}")));
    let location = target(&other);
    let watched = Arc::clone(&other);
    Case::new(
        name,
        EVERY,
        move |_| {
            vec![
                Reply::json(status, "{}")
                    .header("Location", &location)
                    .into(),
            ]
        },
        expect(&[R::Redirect]),
    )
    .check(move |endpoint, outcome, _| {
        assert_eq!(outcome.http_status, status, "{endpoint:?}");
        assert_eq!(
            watched.connections(),
            0,
            "{endpoint:?}: the redirect was followed"
        );
    })
    .run();
}

#[test]
fn redirect_301_to_another_origin() {
    redirect_case("redirect_301", 301, |other| {
        format!("{}/_matrix/client/v3/register", other.url())
    });
}

#[test]
fn redirect_302_to_another_host() {
    redirect_case("redirect_302", 302, |other| {
        format!(
            "http://localhost:{}/_matrix/client/v3/register",
            other.addr().port()
        )
    });
}

#[test]
fn redirect_303_to_a_relative_path() {
    redirect_case("redirect_303", 303, |_| "/elsewhere".to_owned());
}

#[test]
fn redirect_307_to_https() {
    redirect_case("redirect_307", 307, |other| {
        format!("https://{}/", other.addr())
    });
}

#[test]
fn redirect_308_to_plain_http() {
    redirect_case("redirect_308", 308, |other| {
        format!("http://{}/", other.addr())
    });
}

// --- Failures with no server at all -------------------------------------------------------

#[test]
fn connection_refused_is_connect() {
    let url = format!("http://127.0.0.1:{}", support::fault_server::closed_port());
    for &endpoint in ALL {
        let client = support::c_api::CClient::new(&url, &Options::default()).expect("client");
        let outcome = endpoint.call(&client);
        assert_eq!(outcome.code(), R::Connect, "{endpoint:?}: {outcome:#?}");
    }
}

#[test]
fn connect_stall_is_a_timeout() {
    let backlog = support::fault_server::full_backlog();
    let url = format!("http://127.0.0.1:{}", backlog.port);
    let options = Options::default();
    for &endpoint in ALL {
        let client = support::c_api::CClient::new(&url, &options).expect("client");
        let outcome = endpoint.call(&client);
        assert_eq!(outcome.code(), R::Timeout, "{endpoint:?}: {outcome:#?}");
        assert!(outcome.elapsed < options.call_budget() + Duration::from_secs(5));
    }
}

// --- Outcome unknown -----------------------------------------------------------------------

/// The answer Synapse gives to a first registration request.
const UIA_DUMMY: &str = r#"{"flows":[{"stages":["m.login.dummy"]}],"params":{},"session":"sess"}"#;

#[test]
fn lost_registration_answer_says_the_account_may_exist() {
    let server = FaultServer::start(Fault::ResetAfterRequest);
    let client = support::c_api::CClient::new(&server.url(), &Options::default()).expect("client");
    let outcome = Endpoint::Register.call(&client);
    assert_eq!(outcome.code(), R::OutcomeUnknown, "{outcome:#?}");
    let message = outcome.message.as_deref().unwrap();
    assert!(message.contains("may have acted"), "{message}");
    assert_eq!(server.requests().len(), 1, "the request reached the server");
}

#[test]
fn lost_answer_to_the_final_stage_is_outcome_unknown() {
    // First request: UIA as Synapse sends it; the stage submission then
    // loses its answer, which is when Synapse creates the account.
    let server = FaultServer::scripted(vec![
        Reply::json(401, UIA_DUMMY).into(),
        Fault::CloseAfterRequest,
    ]);
    let client = support::c_api::CClient::new(&server.url(), &Options::default()).expect("client");
    let first = Endpoint::Register.call(&client);
    assert_eq!(first.code(), R::AuthRequired, "{first:#?}");
    assert_eq!(first.auth_session.as_deref(), Some("sess"));
    let second = Endpoint::RegisterStage.call(&client);
    assert_eq!(second.code(), R::OutcomeUnknown, "{second:#?}");
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert!(String::from_utf8_lossy(&sent[1].body).contains("m.login.dummy"));
}

#[test]
fn outcome_unknown_then_the_documented_check_finds_the_account() {
    // The registration's answer is lost; the app does what the docs say and
    // asks whether the name is still available: it is not, so the account
    // was created and the app should log in.
    let server = FaultServer::scripted(vec![
        Fault::StallBeforeHeaders(STALL),
        Reply::json(200, r#"{"available":false}"#).into(),
    ]);
    let client = support::c_api::CClient::new(&server.url(), &Options::default()).expect("client");
    let registered = Endpoint::Register.call(&client);
    assert_eq!(registered.code(), R::OutcomeUnknown, "{registered:#?}");
    let available = client.username_available("alice");
    assert_eq!(available.code(), R::Ok, "{available:#?}");
    assert_eq!(available.value.as_deref(), Some("false"));
    let sent = server.requests();
    assert_eq!(sent[0].method, "POST");
    assert!(
        sent[1]
            .target
            .contains("/register/available?username=alice")
    );
}

#[test]
fn failures_before_the_request_is_sent_are_not_outcome_unknown() {
    // Nothing reached a server: these must not claim the account may exist.
    let options = Options::default();
    let refused = format!("http://127.0.0.1:{}", support::fault_server::closed_port());
    let client = support::c_api::CClient::new(&refused, &options).expect("client");
    assert_eq!(Endpoint::Register.call(&client).code(), R::Connect);
    let backlog = support::fault_server::full_backlog();
    let stalled = format!("http://127.0.0.1:{}", backlog.port);
    let client = support::c_api::CClient::new(&stalled, &options).expect("client");
    assert_eq!(Endpoint::Register.call(&client).code(), R::Timeout);
}

// --- A kept-alive connection the server closes when idle ----------------------------------

/// A fault server that answers, then closes the kept-alive connection
/// `300 ms` later without reading what came meanwhile (with `fin_first`, a
/// half-close goes first, as a plain `close()` before the request arrived
/// does; without, only the reset of a socket closed with unread input).
fn idle_closing_server(endpoint: Endpoint, fin_first: bool) -> FaultServer {
    FaultServer::start(Fault::ReplyThenIdleClose {
        reply: Reply::json(200, endpoint.ok_body()),
        idle: Duration::from_millis(300),
        fin_first,
    })
}

#[test]
fn a_server_closing_an_idle_connection_under_the_next_request_fails_no_call() {
    // Each later call goes out on the connection the server is closing; the
    // close, then the reset, prove it unread: sent again on a new
    // connection, every call succeeds and each request is read once.
    for endpoint in [Endpoint::Register, Endpoint::UsernameAvailable] {
        let server = idle_closing_server(endpoint, true);
        let client =
            support::c_api::CClient::new(&server.url(), &Options::default()).expect("client");
        const CALLS: usize = 4;
        for call in 0..CALLS {
            let outcome = endpoint.call(&client);
            assert_eq!(
                outcome.code(),
                R::Ok,
                "{endpoint:?} call {call}: {outcome:#?}"
            );
        }
        assert_eq!(
            server.requests().len(),
            CALLS,
            "{endpoint:?}: each read once"
        );
        // The first on a new connection; each later one on the closing one
        // (unread there), then on a new one.
        assert_eq!(server.connections(), CALLS, "{endpoint:?}");
    }
}

#[test]
fn a_reset_alone_is_sent_again_only_for_a_get() {
    // A reset with no close before it looks the same whether the server read
    // the request or not: a GET goes again, a registration may have created
    // the account.
    let server = idle_closing_server(Endpoint::UsernameAvailable, false);
    let client = support::c_api::CClient::new(&server.url(), &Options::default()).expect("client");
    for call in 0..3 {
        let outcome = Endpoint::UsernameAvailable.call(&client);
        assert_eq!(outcome.code(), R::Ok, "call {call}: {outcome:#?}");
    }
    assert_eq!(server.requests().len(), 3);

    let server = idle_closing_server(Endpoint::Register, false);
    let client = support::c_api::CClient::new(&server.url(), &Options::default()).expect("client");
    assert_eq!(Endpoint::Register.call(&client).code(), R::Ok);
    let second = Endpoint::Register.call(&client);
    assert_eq!(second.code(), R::OutcomeUnknown, "{second:#?}");
    assert_eq!(server.requests().len(), 1, "not sent again");
}

// --- Round trips --------------------------------------------------------------------------

#[test]
fn a_sign_up_keeps_one_connection_for_all_its_requests() {
    // The flows, then m.login.dummy (sent by the session itself): two
    // requests, one connection.
    let server = FaultServer::scripted(vec![
        Reply::json(401, UIA_DUMMY).into(),
        Reply::json(200, Endpoint::SignupStart.ok_body()).into(),
    ]);
    let client = support::c_api::CClient::new(&server.url(), &Options::default()).expect("client");
    let outcome = Endpoint::SignupStart.call(&client);
    assert_eq!(outcome.code(), R::Ok, "{outcome:#?}");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(server.connections(), 1);
    // And the next call on the client too.
    assert_eq!(Endpoint::Refresh.call(&client).code(), R::Ok);
    assert_eq!(server.connections(), 1);
}

// --- The device grant's answers no local server gives on demand ----------------------------

/// RFC 8628 §3.5 `slow_down` (oidc-provider never sends it): still pending,
/// and the interval grows by 5 s.
#[test]
fn slow_down_keeps_polling_with_a_longer_interval() {
    use mxreg::ffi::oauth::device::*;
    use mxreg::ffi::oauth::*;
    use mxreg::ffi::registration::*;
    use std::ffi::CString;
    use std::ptr;

    let server = FaultServer::scripted_for(|origin| {
        let mut script = Endpoint::DevicePoll.preamble(origin);
        script.push(Reply::json(400, r#"{"error":"slow_down"}"#).into());
        script
    });
    let client = support::c_api::CClient::new(&server.url(), &Options::default()).expect("client");
    let (mut oauth, mut device, mut account, mut error) = (
        ptr::null_mut(),
        ptr::null_mut(),
        ptr::null_mut(),
        ptr::null_mut(),
    );
    assert_eq!(
        mxreg_oauth_server_discover(client.as_ptr(), &mut oauth, &mut error),
        R::Ok
    );
    let client_id = CString::new("hostile-client").unwrap();
    assert_eq!(
        mxreg_oauth_device_authorization_start(
            oauth,
            client_id.as_ptr(),
            ptr::null(),
            &mut device,
            &mut error
        ),
        R::Ok
    );
    assert_eq!(mxreg_oauth_device_authorization_interval_ms(device), 5000);
    let code = mxreg_oauth_device_authorization_poll(device, &mut account, &mut error);
    assert_eq!(code, R::OauthAuthorizationPending);
    assert!(account.is_null());
    let errcode =
        unsafe { std::ffi::CStr::from_ptr(mxreg::ffi::error::mxreg_error_errcode(error)) };
    assert_eq!(errcode.to_str().unwrap(), "slow_down");
    assert_eq!(mxreg_oauth_device_authorization_interval_ms(device), 10_000);
    mxreg::ffi::error::mxreg_error_free(error);
    mxreg_registration_free(account);
    mxreg_oauth_device_authorization_free(device);
    mxreg_oauth_server_free(oauth);
}

// --- Bytes nobody asked for ----------------------------------------------------------------

/// An answer, then `after` later a second one nobody asked for on the same
/// kept-alive connection: the next call must get its own answer.
fn stray_answer_case(after: Duration) {
    let stray = Reply::json(200, r#"{"available":false}"#).to_bytes();
    let server = FaultServer::scripted(vec![
        Fault::ReplyThenStray {
            reply: Reply::json(200, r#"{"available":true}"#),
            stray,
            after,
        },
        Reply::json(200, r#"{"available":true}"#).into(),
    ]);
    let client = support::c_api::CClient::new(&server.url(), &Options::default()).expect("client");
    let first = client.username_available("alice");
    assert_eq!(first.value.as_deref(), Some("true"), "{first:#?}");
    std::thread::sleep(after + Duration::from_millis(200));
    let second = client.username_available("bob");
    assert_eq!(second.code(), R::Ok, "{second:#?}");
    assert_eq!(
        second.value.as_deref(),
        Some("true"),
        "the stray answer was taken as the second call's"
    );
    assert_eq!(server.requests().len(), 2, "the second call was sent");
}

#[test]
fn stray_answer_on_an_idle_connection_is_discarded() {
    stray_answer_case(Duration::from_millis(100));
}

#[test]
fn stray_answer_right_behind_the_answer_is_discarded() {
    stray_answer_case(Duration::ZERO);
}

#[test]
fn stray_answer_in_the_same_write_as_the_answer_is_discarded() {
    let answer = r#"{"available":true}"#;
    let stray = Reply::json(200, r#"{"available":false}"#).to_bytes();
    let mut body = answer.as_bytes().to_vec();
    body.extend_from_slice(&stray);
    let server = FaultServer::scripted(vec![
        Reply::json(200, body)
            .header("Content-Length", &answer.len().to_string())
            .into(),
        Reply::json(200, answer).into(),
    ]);
    let client = support::c_api::CClient::new(&server.url(), &Options::default()).expect("client");
    let first = client.username_available("alice");
    assert_eq!(first.value.as_deref(), Some("true"), "{first:#?}");
    let second = client.username_available("bob");
    assert_eq!(second.code(), R::Ok, "{second:#?}");
    assert_eq!(second.value.as_deref(), Some("true"), "{second:#?}");
    assert_eq!(server.requests().len(), 2, "the second call was sent");
}

// --- One deadline per call ------------------------------------------------------------------

#[test]
fn one_deadline_bounds_the_oauth_completion() {
    // The code exchange and whoami each answer 2 s late: together past the
    // 3 s call deadline, each within its own 5 s request timeout.
    let late = |body: &str| Fault::ReplyAfter {
        delay: Duration::from_secs(2),
        reply: Reply::json(200, body),
    };
    let server = FaultServer::scripted_for(|url| {
        vec![
            Reply::json(200, support::hostile_harness::oauth_metadata(url)).into(),
            late(Endpoint::OAuthTokenExchange.ok_body()),
            late(Endpoint::OAuthWhoami.ok_body()),
        ]
    });
    let options = Options {
        request_timeout_ms: 5000,
        call_timeout_ms: 3000,
        ..Options::default()
    };
    let client = support::c_api::CClient::new(&server.url(), &options).expect("client");
    let (discovered, oauth) = client.oauth_discover();
    let oauth = oauth.unwrap_or_else(|| panic!("{discovered:#?}"));
    let outcome = oauth.complete_sign_up();
    assert_eq!(outcome.code(), R::Timeout, "{outcome:#?}");
    assert_eq!(
        server.requests().len(),
        3,
        "whoami was sent, then cut short"
    );
    assert!(
        outcome.elapsed < Duration::from_secs(3) + Duration::from_secs(5),
        "{outcome:#?}"
    );
}
