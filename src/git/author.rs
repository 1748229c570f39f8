//! Who the user is, as git knows them: the `created_by` of new leaves.

use std::path::Path;

use git2::{Config, Repository};

/// The configured author for the repository at (or above) `dir`: `user.name`, or
/// else the local part of `user.email`; `None` when neither is set.
pub fn author_name(dir: &Path) -> Option<String> {
    let config = match Repository::discover(dir) {
        Ok(repo) => repo.config().ok()?,
        Err(_) => Config::open_default().ok()?,
    };
    let get = |key: &str| {
        config
            .get_string(key)
            .ok()
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    get("user.name").or_else(|| {
        get("user.email")
            .and_then(|email| email.split('@').next().map(str::to_owned))
            .filter(|local| !local.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_the_name_then_the_email_local_part() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let mut config = repo
            .config()
            .unwrap()
            .open_level(git2::ConfigLevel::Local)
            .unwrap();
        config.set_str("user.name", "Ada Lovelace").unwrap();
        config.set_str("user.email", "ada@example.org").unwrap();
        assert_eq!(author_name(dir.path()).as_deref(), Some("Ada Lovelace"));
        config.set_str("user.name", " ").unwrap();
        assert_eq!(author_name(dir.path()).as_deref(), Some("ada"));
    }
}
