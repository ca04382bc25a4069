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

/// The policies in a UIA `params` object; entries that do not follow the
/// spec's shape are skipped. Ordered by policy ID for a stable listing.
pub fn policies(params: &Map<String, Value>) -> Vec<Policy> {
    let Some(Value::Object(policies)) = params.get(TERMS).and_then(|t| t.get("policies")) else {
        return Vec::new();
    };
    let mut out: Vec<Policy> = policies
        .iter()
        .filter_map(|(id, policy)| {
            let policy = policy.as_object()?;
            let version = policy.get("version")?.as_str()?.to_owned();
            let mut translations: Vec<Translation> = policy
                .iter()
                .filter(|(key, _)| key.as_str() != "version")
                .filter_map(|(language, entry)| {
                    Some(Translation {
                        language: language.clone(),
                        name: entry.get("name")?.as_str()?.to_owned(),
                        url: entry.get("url")?.as_str()?.to_owned(),
                    })
                })
                .collect();
            translations.sort_by(|a, b| a.language.cmp(&b.language));
            Some(Policy {
                id: id.clone(),
                version,
                translations,
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
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
            "privacy_policy": {"version": "1.0", "de": {"name": "Datenschutz", "url": "https://x/de"}},
            "broken": {"en": {"name": "no version", "url": "u"}}
        }}});
        let list = policies(params.as_object().unwrap());
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].id, "privacy_policy");
        assert_eq!(list[0].translation(Some("en")).unwrap().language, "de");
        assert_eq!(list[1].translation(Some("fr")).unwrap().name, "CGU");
        assert_eq!(list[1].translation(None).unwrap().name, "Terms");
    }
}
