//! The `m.login.terms` params: policies with a version and, per language, a
//! name and a URL.

use serde_json::{Map, Value};

use crate::signup::stages::TERMS;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Translation {
    pub language: String,
    pub name: String,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The policy's key in `policies` (e.g. `privacy_policy`).
    pub id: String,
    pub version: String,
    pub translations: Vec<Translation>,
}

impl Policy {
    /// The translation for `language`, else English, else the first one.
    pub fn translation(&self, language: Option<&str>) -> Option<&Translation> {
        let find = |lang: &str| self.translations.iter().find(|t| t.language == lang);
        language
            .and_then(find)
            .or_else(|| find("en"))
            .or_else(|| self.translations.first())
    }
}

/// The policies in a UIA `params` object, checked against the spec's shape:
/// `policies` is an object of policies, each with a string `version` and,
/// per language, an object with a string `name` and `url`. Anything else is
/// an error that names the fault: the user cannot be shown what they would
/// accept. Ordered by policy ID for a stable listing.
pub fn policies(params: &Map<String, Value>) -> Result<Vec<Policy>, String> {
    let policies = params
        .get(TERMS)
        .ok_or("no params for the stage")?
        .get("policies")
        .and_then(Value::as_object)
        .ok_or("`policies` is missing or not an object")?;
    let mut out = Vec::with_capacity(policies.len());
    for (id, policy) in policies {
        let policy = policy
            .as_object()
            .ok_or_else(|| format!("policy {id:?} is not an object"))?;
        let version = policy
            .get("version")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("policy {id:?} has no string `version`"))?;
        let mut translations = Vec::with_capacity(policy.len());
        for (language, entry) in policy.iter().filter(|(key, _)| key.as_str() != "version") {
            let text = |field: &str| {
                entry
                    .get(field)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| format!("policy {id:?} ({language}) has no string `{field}`"))
            };
            translations.push(Translation {
                language: language.clone(),
                name: text("name")?,
                url: text("url")?,
            });
        }
        if translations.is_empty() {
            return Err(format!("policy {id:?} has no translation"));
        }
        translations.sort_by(|a, b| a.language.cmp(&b.language));
        out.push(Policy {
            id: id.clone(),
            version: version.to_owned(),
            translations,
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policies_parse_with_language_fallback() {
        let params = json!({"m.login.terms": {"policies": {
            "terms_of_service": {"version": "2", "fr": {"name": "CGU", "url": "https://x/fr"},
                                  "en": {"name": "Terms", "url": "https://x/en"}},
            "privacy_policy": {"version": "1.0", "de": {"name": "Datenschutz", "url": "https://x/de"}}
        }}});
        let list = policies(params.as_object().unwrap()).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].id, "privacy_policy");
        assert_eq!(list[0].translation(Some("en")).unwrap().language, "de");
        assert_eq!(list[1].translation(Some("fr")).unwrap().name, "CGU");
        assert_eq!(list[1].translation(None).unwrap().name, "Terms");
    }

    #[test]
    fn params_off_the_spec_are_errors_not_skipped() {
        for (params, fault) in [
            (json!({}), "no params"),
            (json!({"m.login.terms": {}}), "`policies`"),
            (json!({"m.login.terms": {"policies": []}}), "`policies`"),
            (
                json!({"m.login.terms": {"policies": {"p": 5}}}),
                "not an object",
            ),
            (
                json!({"m.login.terms": {"policies": {"p": {"en": {"name": "n", "url": "u"}}}}}),
                "`version`",
            ),
            (
                json!({"m.login.terms": {"policies": {"p": {"version": "1", "en": {"name": "n"}}}}}),
                "`url`",
            ),
            (
                json!({"m.login.terms": {"policies": {"p": {"version": "1"}}}}),
                "no translation",
            ),
        ] {
            let err = policies(params.as_object().unwrap()).unwrap_err();
            assert!(err.contains(fault), "{params}: {err}");
        }
    }
}
