//! The randomuser.me API over HTTP.

use std::time::Duration;

use crate::model::RawUser;
use crate::source::{Source, SourceError};

/// Settings of the HTTP source.
#[derive(Debug, Clone)]
pub struct RandomUserConfig {
    pub api_url: String,
    pub nats: Vec<String>,
    pub seed: Option<String>,
    pub timeout: Duration,
}

/// A client of the randomuser.me API.
pub struct RandomUserSource {
    config: RandomUserConfig,
}

impl RandomUserSource {
    /// A client for `config.api_url`.
    pub fn new(config: RandomUserConfig) -> Result<RandomUserSource, SourceError> {
        Ok(RandomUserSource { config })
    }
}

impl Source for RandomUserSource {
    async fn fetch(&mut self, _n: usize) -> Result<Vec<RawUser>, SourceError> {
        let _ = &self.config;
        Err(SourceError::Transport("not implemented".into()))
    }
    fn name(&self) -> &'static str {
        "randomuser"
    }
}
