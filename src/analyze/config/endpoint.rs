//! Pool endpoints in option and config values: `stratum+tcp://user@host:port`, `ssl://host:port`,
//! `host:port`. Only the parts the judgement needs: scheme, host, port.

use crate::knowledge::indicators::is_pool_port;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub scheme: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// A stratum scheme (`stratum+tcp://`, `stratum1+ssl://`, `stratum2+tcp://`...).
    pub stratum: bool,
}

impl Endpoint {
    pub fn pool_port(&self) -> bool {
        self.port.is_some_and(is_pool_port)
    }

    pub fn display(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }
}

/// Parses a value as an endpoint. A bare word without a dot or a port is not one.
pub(crate) fn parse_endpoint(value: &str) -> Option<Endpoint> {
    let v = value.trim().trim_matches(['"', '\'']);
    let (scheme, rest) = match v.find("://") {
        Some(i) => (Some(v[..i].to_ascii_lowercase()), &v[i + 3..]),
        None => (None, v),
    };
    let stratum = scheme.as_deref().is_some_and(|s| s.starts_with("stratum"));
    let rest = rest.split(['/', '?', '#']).next().unwrap_or("");
    let rest = rest.rsplit('@').next().unwrap_or(rest);
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, Some(p.parse::<u16>().ok()?)),
        Some(_) => return None, // IPv6 without brackets: not a pool we can judge
        None => (rest, None),
    };
    let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
        || (port.is_none() && scheme.is_none() && !host.contains('.'))
    {
        return None;
    }
    Some(Endpoint {
        scheme,
        host,
        port,
        stratum,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let e = parse_endpoint("stratum+tcp://w.1@Pool.Example.org:3333").unwrap();
        assert!(e.stratum && e.pool_port());
        assert_eq!(e.host, "pool.example.org");
        assert_eq!(parse_endpoint("10.0.0.1:4444").unwrap().port, Some(4444));
        assert!(parse_endpoint("postgres://u:p@db:5432/app").is_some_and(|e| !e.pool_port()));
        assert!(parse_endpoint("hello").is_none());
        assert!(parse_endpoint("a:b").is_none());
    }
}
