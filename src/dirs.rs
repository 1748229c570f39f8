//! Where taxon keeps its files: the platform's standard config, data, state and
//! cache folders, each overridable by an environment variable (tests point them at
//! temporary folders).

use std::path::PathBuf;

use directories::ProjectDirs;

/// The folders taxon uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDirs {
    /// Settings and the keymap (`TAXON_CONFIG_DIR`).
    pub config: PathBuf,
    /// The default taxonomy and other user data (`TAXON_DATA_DIR`).
    pub data: PathBuf,
    /// Logs and recovery drafts (`TAXON_STATE_DIR`).
    pub state: PathBuf,
    /// Models and clones that can be fetched again (`TAXON_CACHE_DIR`).
    pub cache: PathBuf,
}

impl AppDirs {
    /// The folders for this user, from the environment or the platform defaults.
    pub fn from_env() -> Self {
        let project = ProjectDirs::from("org", "taxon", "taxon");
        let fallback = || std::env::temp_dir().join("taxon");
        let pick = |var: &str, default: Option<PathBuf>| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .or(default)
                .unwrap_or_else(fallback)
        };
        Self {
            config: pick(
                "TAXON_CONFIG_DIR",
                project.as_ref().map(|p| p.config_dir().to_owned()),
            ),
            data: pick(
                "TAXON_DATA_DIR",
                project.as_ref().map(|p| p.data_dir().to_owned()),
            ),
            state: pick(
                "TAXON_STATE_DIR",
                project
                    .as_ref()
                    .map(|p| p.state_dir().unwrap_or(p.data_local_dir()).to_owned()),
            ),
            cache: pick(
                "TAXON_CACHE_DIR",
                project.as_ref().map(|p| p.cache_dir().to_owned()),
            ),
        }
    }

    /// The user's default taxonomy.
    pub fn default_taxonomy(&self) -> PathBuf {
        self.data.join("taxonomy")
    }

    /// The user's keymap overrides.
    pub fn keymap_file(&self) -> PathBuf {
        self.config.join("keymap.toml")
    }

    /// The log file.
    pub fn log_file(&self) -> PathBuf {
        self.state.join("taxon.log")
    }

    /// Where unsaved edits are kept until they are saved or discarded.
    pub fn drafts(&self) -> PathBuf {
        self.state.join("drafts")
    }
}
