//! `--name value` / `--name=value` arguments after a subcommand; unknown names are an error.

use std::collections::BTreeMap;
use std::str::FromStr;

pub struct Args {
    command: String,
    values: BTreeMap<String, String>,
}

impl Args {
    pub fn from_env() -> Self {
        let mut raw = std::env::args().skip(1);
        let command = raw.next().unwrap_or_default();
        let mut values = BTreeMap::new();
        let rest: Vec<String> = raw.collect();
        let mut i = 0;
        while i < rest.len() {
            let token = rest[i].trim_start_matches("--");
            if let Some((name, value)) = token.split_once('=') {
                values.insert(name.to_string(), value.to_string());
                i += 1;
            } else {
                values.insert(token.to_string(), rest.get(i + 1).cloned().unwrap_or_default());
                i += 2;
            }
        }
        Self { command, values }
    }

    pub fn command(&self) -> String {
        self.command.clone()
    }

    pub fn string(&mut self, name: &str, default: &str) -> String {
        self.values.remove(name).unwrap_or_else(|| default.to_string())
    }

    pub fn optional(&mut self, name: &str) -> Option<String> {
        self.values.remove(name)
    }

    pub fn required(&mut self, name: &str) -> Result<String, String> {
        self.values.remove(name).ok_or_else(|| format!("--{name} is required"))
    }

    pub fn number<T: FromStr>(&mut self, name: &str, default: T) -> Result<T, String> {
        match self.values.remove(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("--{name}: not a number: {v:?}")),
        }
    }

    /// Fails on any argument no one asked for (a typo would otherwise silently use a default).
    pub fn finish(&self) -> Result<(), String> {
        match self.values.keys().next() {
            Some(name) => Err(format!("unknown argument --{name}")),
            None => Ok(()),
        }
    }
}
