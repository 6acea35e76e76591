//! The `server` blocks of an nginx file and what the `nginx/` rules ask of them.

use crate::parse::nginx::{Directive, NginxConf};

/// A virtual server of the `http` module and the `http` block around it (`None` when the
/// file is a snippet of server blocks that an `http` block elsewhere includes).
pub struct Server<'a> {
    pub block: &'a Directive,
    pub http: Option<&'a Directive>,
}

/// Every `server { }` of the `http` module: inside `http` blocks, or at the top of a file
/// that has no `http` block (a `conf.d`/`sites-available` snippet). `stream` and `mail`
/// servers are not HTTP; `server host:port;` lines of an `upstream` have no block.
pub fn http_servers(conf: &NginxConf) -> Vec<Server<'_>> {
    let mut out = Vec::new();
    for d in &conf.directives {
        match d.name.as_str() {
            "http" => out.extend(
                d.children()
                    .iter()
                    .filter(|s| is_server_block(s))
                    .map(|block| Server {
                        block,
                        http: Some(d),
                    }),
            ),
            _ if is_server_block(d) => out.push(Server {
                block: d,
                http: None,
            }),
            _ => {}
        }
    }
    out
}

fn is_server_block(d: &Directive) -> bool {
    d.name == "server" && d.block.is_some()
}

/// One `listen` of a server.
pub struct Listen<'a> {
    pub directive: &'a Directive,
    /// `None` for a UNIX socket.
    pub port: Option<u16>,
    /// TLS on this address: the `ssl` or `quic` parameter, or the old `ssl on;`.
    pub tls: bool,
}

/// The server's `listen` directives.
pub fn listens<'a>(server: &'a Directive) -> Vec<Listen<'a>> {
    let ssl_on = server
        .children()
        .iter()
        .any(|d| d.name == "ssl" && d.first_arg().as_deref() == Some("on"));
    server
        .children()
        .iter()
        .filter(|d| d.name == "listen")
        .map(|d| Listen {
            directive: d,
            port: d.args.first().and_then(|a| port(a)),
            tls: ssl_on || d.args.iter().skip(1).any(|a| a == "ssl" || a == "quic"),
        })
        .collect()
}

/// The port of a `listen` address: `443`, `[::]:443`, `127.0.0.1:8443`, `*:80`; a bare
/// host name means port 80, as in nginx.
fn port(address: &str) -> Option<u16> {
    if address.starts_with("unix:") {
        return None;
    }
    let after_ipv6 = address.rsplit_once(']').map_or(address, |(_, rest)| rest);
    match after_ipv6.rsplit_once(':') {
        Some((_, port)) => port.parse().ok(),
        None if address.starts_with('[') => Some(80),
        None => Some(address.parse().unwrap_or(80)),
    }
}

/// True when `list` includes another file, whose directives this file cannot see.
/// `mime.types` only maps extensions to types and is left out.
pub fn includes_other_files(list: &[Directive]) -> bool {
    list.iter()
        .any(|d| d.name == "include" && !d.args.first().is_some_and(|f| f.ends_with("mime.types")))
}

/// True for `return 301 https://...` (and 302, 303, 307, 308, or a bare URL) and for
/// `rewrite <regex> https://... permanent|redirect`: the request is sent to HTTPS.
pub fn redirects_to_https(d: &Directive) -> bool {
    match d.name.as_str() {
        "return" => match d.args.as_slice() {
            [url] => is_https(url),
            [code, url, ..] => {
                matches!(code.as_str(), "301" | "302" | "303" | "307" | "308") && is_https(url)
            }
            _ => false,
        },
        "rewrite" => {
            d.args.get(1).is_some_and(|url| is_https(url))
                && (d.args.len() == 2
                    || d.args
                        .get(2)
                        .is_some_and(|f| f == "permanent" || f == "redirect"))
        }
        _ => false,
    }
}

fn is_https(url: &str) -> bool {
    url.to_ascii_lowercase().starts_with("https://")
}

/// True for `return 4xx/5xx` (and nginx's `444`, close the connection): nothing served.
pub fn refuses(d: &Directive) -> bool {
    d.name == "return"
        && d.args
            .first()
            .and_then(|c| c.parse::<u16>().ok())
            .is_some_and(|c| c >= 400)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::nginx::parse;

    #[test]
    fn ports_of_listen_addresses() {
        assert_eq!(port("443"), Some(443));
        assert_eq!(port("[::]:80"), Some(80));
        assert_eq!(port("[::1]"), Some(80));
        assert_eq!(port("127.0.0.1:8443"), Some(8443));
        assert_eq!(port("localhost"), Some(80));
        assert_eq!(port("unix:/run/nginx.sock"), None);
    }

    #[test]
    fn servers_of_http_and_snippets_not_stream_or_upstream() {
        let conf = parse(
            "http { upstream u { server a:1; } server { listen 80; } }\nstream { server { listen 53; } }\n",
        );
        assert_eq!(http_servers(&conf).len(), 1);
        let snippet = parse("server { listen 443 ssl; }\n");
        let servers = http_servers(&snippet);
        assert_eq!(servers.len(), 1);
        assert!(listens(servers[0].block)[0].tls);
    }

    #[test]
    fn redirects() {
        let conf = parse(
            "return 301 https://$host$request_uri;\nreturn https://a;\nreturn 200 https://a;\nrewrite ^ https://a$uri permanent;\nrewrite ^ https://a$uri last;\nreturn 444;\n",
        );
        let got: Vec<bool> = conf.directives.iter().map(redirects_to_https).collect();
        assert_eq!(got, [true, true, false, true, false, false]);
        assert!(refuses(&conf.directives[5]));
    }
}
