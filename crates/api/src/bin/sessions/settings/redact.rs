//! Database URLs as they may be shown: with the password masked.

/// `url` with the password of its user info, if any, replaced by `***`.
pub fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    let user = user_info
        .split_once(':')
        .map_or(user_info, |(user, _)| user);
    if user.len() == user_info.len() {
        return url.to_owned();
    }
    format!("{scheme}://{user}:***@{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_masked_and_the_rest_kept() {
        assert_eq!(
            redacted_url("mysql://admin:hunter2@db.internal:3306/app?ssl=true"),
            "mysql://admin:***@db.internal:3306/app?ssl=true"
        );
        assert_eq!(
            redacted_url("postgres://u:p%40ss@h/db"),
            "postgres://u:***@h/db"
        );
    }

    #[test]
    fn a_url_without_a_password_is_unchanged() {
        for url in ["postgres://u@h/db", "sqlite://./data/x.db", "not a url"] {
            assert_eq!(redacted_url(url), url);
        }
    }
}
