//! One HTTP request of the `app` target and its file form (corpus and findings):
//!
//! ```text
//! <dialect> <METHOD> <path and query>
//! <header>: <value>
//! …
//!
//! <body bytes, to the end of the file>
//! ```
//!
//! `<dialect>` (`xml`, `json` or `soap`) is the dialect the answer must be in.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dialect {
    Xml,
    Json,
    Soap,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Xml => "xml",
            Dialect::Json => "json",
            Dialect::Soap => "soap",
        }
    }

    pub fn parse(s: &str) -> Option<Dialect> {
        match s {
            "xml" => Some(Dialect::Xml),
            "json" => Some(Dialect::Json),
            "soap" => Some(Dialect::Soap),
            _ => None,
        }
    }

    /// Whether an answer's Content-Type is of this dialect.
    pub fn answers_with(self, content_type: &str) -> bool {
        let ct = content_type.to_ascii_lowercase();
        let accepted: &[&str] = match self {
            Dialect::Xml => &["application/xml", "text/xml"],
            Dialect::Json => &["application/json"],
            Dialect::Soap => &["text/xml", "application/soap+xml"],
        };
        accepted.iter().any(|t| ct.starts_with(t))
    }
}

/// Whether `method path` reaches an operation: `POST /ws/{Operation}` of a registered
/// operation, or a REST route of one (the registry's templates).
fn routed(method: &str, path: &str) -> bool {
    use cmp_gateway::registry::{self, Method, OPERATIONS};
    if let Some(name) = path.strip_prefix("/ws/") {
        return method == "POST" && registry::by_name(name).is_some();
    }
    let segs: Vec<&str> = path.split('/').collect();
    OPERATIONS
        .iter()
        .filter_map(|op| op.rest.as_ref())
        .any(|r| {
            let m = match r.method {
                Method::Get => "GET",
                Method::Post => "POST",
                Method::Put => "PUT",
                Method::Patch => "PATCH",
                Method::Delete => "DELETE",
            };
            let t: Vec<&str> = r.path.split('/').collect();
            m == method
                && t.len() == segs.len()
                && t.iter()
                    .zip(&segs)
                    .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s)
        })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The dialect the answer must be in.
    pub dialect: Dialect,
    pub method: String,
    /// Path and query, percent-encoded.
    pub path: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The dialect the gateway answers a request in: SOAP on a port; else what its own
    /// negotiation (`cmp_gateway::negotiate`) picks from the Accept and the body's format,
    /// JSON when that fails (a 406 or 415 is answered the way `dispatch` falls back).
    pub fn expected_dialect(
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Dialect {
        use cmp_gateway::negotiate::{
            request_format, response_format, RequestFormat, ResponseFormat,
        };
        let route = path.split('?').next().unwrap_or_default();
        if route.starts_with("/ws/dise3g/services/")
            && route.matches('/').count() == 4
            && method == "POST"
        {
            return Dialect::Soap;
        }
        let get = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
        };
        let (ct, accept) = (get("content-type"), get("accept"));
        let head_bytes: usize = headers.iter().map(|(k, v)| k.len() + v.len() + 4).sum();
        let oversized = path.len() > cmp_gateway::DEFAULT_MAX_URI
            || head_bytes > cmp_gateway::DEFAULT_MAX_HEADER_BYTES;
        if !routed(method, route) || oversized {
            // 404, 405, 414 and 431 answer before the body is read: the Accept, else the
            // declared Content-Type, else JSON (`dispatch::fallback_dialect`).
            let declared = request_format(ct, b"", false).ok().flatten();
            return match response_format(accept, declared.as_ref()) {
                Ok(ResponseFormat::Xml | ResponseFormat::TextXml) => Dialect::Xml,
                _ => Dialect::Json,
            };
        }
        let input = if body.iter().all(u8::is_ascii_whitespace) {
            Ok(None)
        } else {
            match request_format(ct, body, false) {
                Ok(Some(RequestFormat::Soap11 | RequestFormat::Soap12)) => Err(()),
                other => other.map_err(drop),
            }
        };
        let format = match input {
            // No body: the declared Content-Type still says what the client reads.
            Ok(None) => {
                let declared = request_format(ct, b"", false)
                    .ok()
                    .flatten()
                    .filter(|f| matches!(f, RequestFormat::Xml | RequestFormat::Json));
                response_format(accept, declared.as_ref()).ok()
            }
            Ok(i) => response_format(accept, i.as_ref()).ok(),
            Err(()) => {
                let declared = request_format(ct, b"", false).ok().flatten();
                response_format(accept, declared.as_ref()).ok()
            }
        };
        match format {
            Some(ResponseFormat::Xml | ResponseFormat::TextXml) => Dialect::Xml,
            _ => Dialect::Json,
        }
    }

    /// This request with its dialect worked out again (after a mutation).
    pub fn renegotiated(mut self) -> Request {
        self.dialect =
            Request::expected_dialect(&self.method, &self.path, &self.headers, &self.body);
        self
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} {}\n", self.dialect.name(), self.method, self.path);
        for (n, v) in &self.headers {
            out.push_str(&format!("{n}: {v}\n"));
        }
        out.push('\n');
        let mut out = out.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Request, String> {
        let split = bytes
            .windows(2)
            .position(|w| w == b"\n\n")
            .ok_or("no blank line after the headers")?;
        let head = std::str::from_utf8(&bytes[..split]).map_err(|e| e.to_string())?;
        let mut lines = head.lines();
        let first = lines.next().ok_or("empty")?;
        let mut parts = first.splitn(3, ' ');
        let (Some(d), Some(method), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("bad request line {first:?}"));
        };
        let dialect = Dialect::parse(d).ok_or_else(|| format!("unknown dialect {d}"))?;
        let mut headers = Vec::new();
        for l in lines {
            let (n, v) = l
                .split_once(": ")
                .ok_or_else(|| format!("bad header {l:?}"))?;
            headers.push((n.to_ascii_lowercase(), v.to_string()));
        }
        Ok(Request {
            dialect,
            method: method.to_string(),
            path: path.to_string(),
            headers,
            body: bytes[split + 2..].to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_form_round_trips() {
        let r = Request {
            dialect: Dialect::Soap,
            method: "POST".into(),
            path: "/ws/dise3g/services/AgreementPort".into(),
            headers: vec![("content-type".into(), "text/xml; charset=utf-8".into())],
            body: b"<a>\n\n\0</a>".to_vec(),
        };
        assert_eq!(Request::from_bytes(&r.to_bytes()).unwrap(), r);
    }
}
