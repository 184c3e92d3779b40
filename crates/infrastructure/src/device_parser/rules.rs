//! The uap-core rules the device parser runs: statics that the build script generates from
//! `data/uap-core/regexes.yaml`, each compiled by the ua-parser engine only when a string
//! being parsed contains every literal text its pattern requires. A user agent compiles a
//! few dozen of the hundreds of rules, so the server holds the compiled patterns its
//! clients' agents can match, not all of them (compiled together they take more memory than
//! the rest of the server at rest).

use std::{borrow::Cow, sync::OnceLock};

use ua_parser::{os, user_agent};

/// One rule: its pattern, the texts that replace the name and the four version parts (`$1`
/// in them is the pattern's first group; `None` takes the group itself), and the literal
/// texts that occur in every match of the pattern.
pub(super) struct UapRule {
    regex: &'static str,
    replacements: [Option<&'static str>; 5],
    required: &'static [&'static str],
}

include!(concat!(env!("OUT_DIR"), "/uap_rules.rs"));

/// One list of rules (browsers, or operating systems), in uap-core's order: the first rule
/// that matches a string decides what it is. Each rule is compiled, alone, the first time a
/// string gets to it with all of its required literals; a rule that fails to compile is
/// reported once and skipped.
pub(super) struct LazyRules<E: 'static> {
    rules: &'static [UapRule],
    compiled: Box<[OnceLock<Option<E>>]>,
    compile: fn(&'static UapRule) -> Result<E, ua_parser::Error>,
}

impl<E> LazyRules<E> {
    fn new(
        rules: &'static [UapRule],
        compile: fn(&'static UapRule) -> Result<E, ua_parser::Error>,
    ) -> Self {
        Self {
            rules,
            compiled: rules.iter().map(|_| OnceLock::new()).collect(),
            compile,
        }
    }

    /// What the first matching rule extracts from `text`.
    pub(super) fn first_match<'a, T>(
        &'a self,
        text: &'a str,
        extract: impl Fn(&'a E, &'a str) -> Option<T>,
    ) -> Option<T> {
        self.rules
            .iter()
            .zip(&self.compiled)
            .enumerate()
            .filter(|(_, (rule, _))| rule.required.iter().all(|part| text.contains(part)))
            .find_map(|(index, (rule, compiled))| {
                compiled
                    .get_or_init(|| {
                        (self.compile)(rule)
                            .inspect_err(|error| {
                                tracing::error!(index, %error, "user-agent rule skipped");
                            })
                            .ok()
                    })
                    .as_ref()
                    .and_then(|extractor| extract(extractor, text))
            })
    }

    /// How many rules have been compiled so far.
    #[cfg(test)]
    pub(super) fn compiled_count(&self) -> usize {
        self.compiled
            .iter()
            .filter(|slot| slot.get().is_some())
            .count()
    }
}

/// The browser rules.
pub(super) fn browsers() -> LazyRules<user_agent::Extractor<'static>> {
    LazyRules::new(BROWSER_RULES, |rule| {
        let [family, v1, v2, v3, v4] = rule.replacements.map(|text| text.map(Cow::Borrowed));
        let parser = user_agent::Parser {
            regex: Cow::Borrowed(rule.regex),
            family_replacement: family,
            v1_replacement: v1,
            v2_replacement: v2,
            v3_replacement: v3,
            v4_replacement: v4,
        };
        Ok(user_agent::Builder::new().push(parser)?.build()?)
    })
}

/// The operating-system rules.
pub(super) fn systems() -> LazyRules<os::Extractor<'static>> {
    LazyRules::new(SYSTEM_RULES, |rule| {
        let [name, v1, v2, v3, v4] = rule.replacements.map(|text| text.map(Cow::Borrowed));
        let parser = os::Parser {
            regex: Cow::Borrowed(rule.regex),
            os_replacement: name,
            os_v1_replacement: v1,
            os_v2_replacement: v2,
            os_v3_replacement: v3,
            os_v4_replacement: v4,
        };
        Ok(os::Builder::new().push(parser)?.build()?)
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    /// A file of uap-core's own test cases (`data/uap-core/tests`).
    #[derive(Deserialize)]
    struct Cases {
        test_cases: Vec<Case>,
    }

    /// A user agent and what uap-core says it is; empty texts mean "none", as in uap-core's
    /// own harnesses.
    #[derive(Deserialize)]
    struct Case {
        user_agent_string: String,
        family: String,
        major: Option<String>,
        minor: Option<String>,
        patch: Option<String>,
        #[serde(default)]
        patch_minor: Option<String>,
    }

    type Found = (String, Option<String>, Option<String>, Option<String>);

    impl Case {
        fn expected(&self) -> Found {
            let value = |text: &Option<String>| text.clone().filter(|text| !text.is_empty());
            (
                self.family.clone(),
                value(&self.major),
                value(&self.minor),
                value(&self.patch),
            )
        }
    }

    fn cases(file: &str) -> Vec<Case> {
        let path = format!("{}/data/uap-core/tests/{file}", env!("CARGO_MANIFEST_DIR"));
        let cases: Cases = serde_yaml::from_slice(&std::fs::read(path).unwrap()).unwrap();
        cases.test_cases
    }

    #[expect(
        clippy::redundant_closure_for_method_calls,
        reason = "the method's path would tie `text` to the rules' `'static` lifetime"
    )]
    fn browser(browsers: &LazyRules<user_agent::Extractor<'static>>, text: &str) -> Found {
        browsers
            .first_match(text, |rules, text| rules.extract(text))
            .map(user_agent::ValueRef::into_owned)
            .map_or(("Other".into(), None, None, None), |found| {
                (found.family, found.major, found.minor, found.patch)
            })
    }

    #[expect(
        clippy::redundant_closure_for_method_calls,
        reason = "the method's path would tie `text` to the rules' `'static` lifetime"
    )]
    fn system(systems: &LazyRules<os::Extractor<'static>>, text: &str) -> (Found, Option<String>) {
        systems
            .first_match(text, |rules, text| rules.extract(text))
            .map(os::ValueRef::into_owned)
            .map_or((("Other".into(), None, None, None), None), |found| {
                (
                    (found.os, found.major, found.minor, found.patch),
                    found.patch_minor,
                )
            })
    }

    #[test]
    fn browsers_are_named_as_in_every_one_of_uap_cores_test_cases() {
        let browsers = browsers();
        let cases = cases("test_ua.yaml");
        assert!(cases.len() > 1000);
        for case in cases {
            let text = &case.user_agent_string;
            assert_eq!(browser(&browsers, text), case.expected(), "{text}");
        }
    }

    #[test]
    fn operating_systems_are_named_as_in_every_one_of_uap_cores_test_cases() {
        let systems = systems();
        let cases = cases("test_os.yaml");
        assert!(cases.len() > 400);
        for case in cases {
            let text = &case.user_agent_string;
            let patch_minor = case.patch_minor.clone().filter(|text| !text.is_empty());
            assert_eq!(
                system(&systems, text),
                (case.expected(), patch_minor),
                "{text}"
            );
        }
    }

    #[test]
    fn a_user_agent_compiles_only_the_few_rules_that_can_match_it() {
        let (browsers, systems) = (browsers(), systems());
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(browser(&browsers, chrome).0, "Chrome");
        assert_eq!(system(&systems, chrome).0.0, "Linux");
        assert!(browsers.compiled_count() > 0 && systems.compiled_count() > 0);
        assert!(
            browsers.compiled_count() * 10 < BROWSER_RULES.len(),
            "{} of {} browser rules compiled",
            browsers.compiled_count(),
            BROWSER_RULES.len()
        );
        assert!(
            systems.compiled_count() * 10 < SYSTEM_RULES.len(),
            "{} of {} OS rules compiled",
            systems.compiled_count(),
            SYSTEM_RULES.len()
        );
        // The same string again compiles nothing more.
        let before = (browsers.compiled_count(), systems.compiled_count());
        browser(&browsers, chrome);
        system(&systems, chrome);
        assert_eq!(
            (browsers.compiled_count(), systems.compiled_count()),
            before
        );
    }

    #[test]
    fn every_bundled_rule_compiles() {
        let (browsers, systems) = (browsers(), systems());
        for rule in BROWSER_RULES {
            assert!((browsers.compile)(rule).is_ok(), "{}", rule.regex);
        }
        for rule in SYSTEM_RULES {
            assert!((systems.compile)(rule).is_ok(), "{}", rule.regex);
        }
    }
}
