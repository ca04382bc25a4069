//! The user's browser, played over HTTP with ureq against the test rig's
//! OAuth server (scripts/oauth): follow redirects with cookies, fill the
//! sign-up, sign-in and consent forms, and stop at the redirect to the
//! app's redirect URI, which is returned unopened. The start may also be a
//! homeserver's SSO redirect whose identity provider is that OAuth server. The same job as
//! `tests/oauth/browser.py` does for the C tests.

use ureq::Agent;
use ureq::http::Response;

const MAX_STEPS: usize = 20;

/// What the user does in the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Fill the sign-up form, then allow.
    SignUp,
    /// Sign in (choosing "Sign in" on a sign-up page), then allow.
    Login,
    /// Sign up, then deny on the consent page.
    SignUpAndDeny,
}

struct Cookie {
    name: String,
    value: String,
    path: String,
}

pub struct Browser {
    agent: Agent,
    cookies: Vec<Cookie>,
}

/// The value of `<form id="ID" ... action="...">` in a page.
fn form_action(page: &str, id: &str) -> Option<String> {
    let start = page.find(&format!("<form id=\"{id}\""))?;
    let tag = &page[start..start + page[start..].find('>')?];
    let action = tag.split("action=\"").nth(1)?.split('"').next()?;
    Some(action.replace("&amp;", "&"))
}

/// The sign-in page's "Create an account" link, shown to a client that did
/// not ask for `prompt=create` (Synapse signing a user up through SSO).
fn signup_link(page: &str) -> Option<String> {
    let start = page.find("<a id=\"signup\" href=\"")? + "<a id=\"signup\" href=\"".len();
    let href = &page[start..start + page[start..].find('"')?];
    Some(href.replace("&amp;", "&"))
}

/// `https://host:port` of a URL.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

fn path_of(url: &str) -> &str {
    let path = &url[origin(url).len()..];
    let end = path.find(['?', '#']).unwrap_or(path.len());
    if end == 0 { "/" } else { &path[..end] }
}

fn resolve(base: &str, location: &str) -> String {
    if location.contains("://") {
        location.to_owned()
    } else if location.starts_with('/') {
        format!("{}{location}", origin(base))
    } else if location.starts_with('?') {
        format!("{}{}{location}", origin(base), path_of(base))
    } else {
        panic!("relative location {location:?} not handled")
    }
}

fn is_redirect_to(url: &str, redirect_uri: &str) -> bool {
    url.strip_prefix(redirect_uri)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['?', '#']))
}

impl Browser {
    pub fn new() -> Self {
        let agent: Agent = Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        Browser {
            agent,
            cookies: Vec::new(),
        }
    }

    fn cookie_header(&self, url: &str) -> Option<String> {
        let path = path_of(url);
        let matching: Vec<String> = self
            .cookies
            .iter()
            .filter(|c| {
                path == c.path || path.starts_with(&format!("{}/", c.path.trim_end_matches('/')))
            })
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        (!matching.is_empty()).then(|| matching.join("; "))
    }

    fn store_cookies(&mut self, response: &Response<ureq::Body>) {
        for header in response.headers().get_all("set-cookie") {
            let text = header.to_str().expect("Set-Cookie is ASCII");
            let mut parts = text.split(';').map(str::trim);
            let (name, value) = parts
                .next()
                .and_then(|pair| pair.split_once('='))
                .expect("Set-Cookie has name=value");
            let path = parts
                .find_map(|attr| attr.strip_prefix("path=").map(str::to_owned))
                .unwrap_or_else(|| "/".to_owned());
            self.cookies.retain(|c| !(c.name == name && c.path == path));
            if !value.is_empty() {
                self.cookies.push(Cookie {
                    name: name.to_owned(),
                    value: value.to_owned(),
                    path,
                });
            }
        }
    }

    /// GET, or POST a form; returns the status, the Location and the body.
    fn request(
        &mut self,
        url: &str,
        form: Option<&[(&str, &str)]>,
    ) -> (u16, Option<String>, String) {
        let cookie = self.cookie_header(url);
        let result = match form {
            None => {
                let mut request = self.agent.get(url);
                if let Some(cookie) = &cookie {
                    request = request.header("Cookie", cookie);
                }
                request.call()
            }
            Some(fields) => {
                let mut request = self.agent.post(url);
                if let Some(cookie) = &cookie {
                    request = request.header("Cookie", cookie);
                }
                request.send_form(fields.iter().copied())
            }
        };
        let mut response = result.unwrap_or_else(|err| panic!("browser: {url}: {err}"));
        self.store_cookies(&response);
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().expect("Location is ASCII").to_owned());
        let body = response.body_mut().read_to_string().unwrap_or_default();
        (response.status().as_u16(), location, body)
    }

    /// Walk from the authorization URL to the redirect to `redirect_uri`.
    pub fn authorize(
        &mut self,
        authorization_url: &str,
        redirect_uri: &str,
        username: &str,
        password: &str,
        action: Action,
    ) -> String {
        let display_name = format!("Test {username}");
        let mut url = authorization_url.to_owned();
        let mut form: Option<Vec<(&str, &str)>> = None;
        for _ in 0..MAX_STEPS {
            let (status, location, body) = self.request(&url, form.as_deref());
            form = None;
            if (300..400).contains(&status) {
                url = resolve(&url, &location.expect("a redirect has a Location"));
                if is_redirect_to(&url, redirect_uri) {
                    return url;
                }
                continue;
            }
            assert_eq!(status, 200, "browser: HTTP {status} at {url}: {body}");
            let action_url = if let Some(action_url) = form_action(&body, "create") {
                if action == Action::Login {
                    url = resolve(&url, "?login=1");
                    continue;
                }
                form = Some(vec![
                    ("username", username),
                    ("displayname", display_name.as_str()),
                    ("password", password),
                    ("password_confirm", password),
                    ("accept_terms", "1"),
                ]);
                action_url
            } else if let Some(action_url) = form_action(&body, "login") {
                match signup_link(&body) {
                    Some(link) if action != Action::Login => {
                        url = resolve(&url, &link);
                        continue;
                    }
                    _ => {}
                }
                form = Some(vec![("username", username), ("password", password)]);
                action_url
            } else if let Some(action_url) = form_action(
                &body,
                if action == Action::SignUpAndDeny {
                    "deny"
                } else {
                    "consent"
                },
            ) {
                form = Some(Vec::new());
                action_url
            } else {
                panic!("browser: unexpected page at {url}: {body}");
            };
            url = resolve(&url, &action_url);
        }
        panic!("browser: no redirect to {redirect_uri} after {MAX_STEPS} steps");
    }
}
