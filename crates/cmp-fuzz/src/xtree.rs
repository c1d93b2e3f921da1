//! A small XML tree for mutating fixture documents: element names, attributes and text
//! are kept as written (prefixes, namespace declarations, escapes), so a document
//! serialises back byte for byte and a mutation changes only what it means to.

#[derive(Debug, Clone, PartialEq)]
pub enum XNode {
    El(XEl),
    /// Text as written (escaped), a comment, CDATA or a processing instruction.
    Raw(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct XEl {
    /// The qualified name as written (`d:Request`).
    pub name: String,
    /// The attributes as written, with their leading blank.
    pub attrs: String,
    pub children: Vec<XNode>,
    /// Written `<x/>`.
    pub empty: bool,
}

impl XEl {
    pub fn local(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    pub fn elements(&self) -> impl Iterator<Item = &XEl> {
        self.children.iter().filter_map(|c| match c {
            XNode::El(e) => Some(e),
            XNode::Raw(_) => None,
        })
    }

    pub fn is_leaf(&self) -> bool {
        self.elements().next().is_none()
    }

    /// The text of a leaf, as written.
    pub fn raw_text(&self) -> String {
        self.children
            .iter()
            .filter_map(|c| match c {
                XNode::Raw(t) => Some(t.as_str()),
                XNode::El(_) => None,
            })
            .collect()
    }

    /// Replaces the content with `raw` (written as is).
    pub fn set_raw(&mut self, raw: String) {
        self.children = vec![XNode::Raw(raw)];
        self.empty = false;
    }

    pub fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        out.push_str(&self.attrs);
        if self.empty && self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for c in &self.children {
            match c {
                XNode::El(e) => e.write(out),
                XNode::Raw(t) => out.push_str(t),
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct XDoc {
    /// Everything before the root element (declaration, comments, blanks).
    pub prolog: String,
    pub root: XEl,
    pub epilog: String,
}

impl std::fmt::Display for XDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = self.prolog.clone();
        self.root.write(&mut out);
        out.push_str(&self.epilog);
        f.write_str(&out)
    }
}

/// An element's place: the child indices (into `children`) from the root.
pub type Path = Vec<usize>;

impl XDoc {
    pub fn parse(text: &str) -> Option<XDoc> {
        let mut p = Parser { s: text, i: 0 };
        let mut prolog = String::new();
        loop {
            let rest = &text[p.i..];
            let lt = rest.find('<')?;
            prolog.push_str(&rest[..lt]);
            p.i += lt;
            if text[p.i..].starts_with("<?") || text[p.i..].starts_with("<!") {
                let raw = p.special()?;
                prolog.push_str(&raw);
            } else {
                break;
            }
        }
        let root = p.element(0)?;
        let epilog = text[p.i..].to_string();
        Some(XDoc {
            prolog,
            root,
            epilog,
        })
    }

    pub fn get(&self, path: &[usize]) -> Option<&XEl> {
        let mut e = &self.root;
        for &i in path {
            e = match e.children.get(i)? {
                XNode::El(c) => c,
                XNode::Raw(_) => return None,
            };
        }
        Some(e)
    }

    pub fn get_mut(&mut self, path: &[usize]) -> Option<&mut XEl> {
        let mut e = &mut self.root;
        for &i in path {
            e = match e.children.get_mut(i)? {
                XNode::El(c) => c,
                XNode::Raw(_) => return None,
            };
        }
        Some(e)
    }

    /// The element paths below the root, depth first.
    pub fn element_paths(&self) -> Vec<Path> {
        fn walk(e: &XEl, at: &mut Path, out: &mut Vec<Path>) {
            for (i, c) in e.children.iter().enumerate() {
                if let XNode::El(c) = c {
                    at.push(i);
                    out.push(at.clone());
                    walk(c, at, out);
                    at.pop();
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut Vec::new(), &mut out);
        out
    }

    /// The fields a mutation targets: the leaves of the request document. In a SOAP
    /// envelope that is below the operation wrapper in the Body.
    pub fn field_paths(&self) -> Vec<Path> {
        let all = self.element_paths();
        let body = all
            .iter()
            .find(|p| self.get(p).is_some_and(|e| e.local() == "Body"))
            .cloned();
        let min_depth = body.as_ref().map_or(1, |b| b.len() + 2);
        all.into_iter()
            .filter(|p| {
                p.len() >= min_depth
                    && body.as_ref().is_none_or(|b| p.starts_with(b))
                    && self.get(p).is_some_and(XEl::is_leaf)
            })
            .collect()
    }

    /// `agreementData/billingCycle`: local names from below the root.
    pub fn name_of(&self, path: &[usize]) -> String {
        (1..=path.len())
            .filter_map(|n| self.get(&path[..n]).map(|e| e.local().to_string()))
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Removes the element at `path` (not the root).
    pub fn remove(&mut self, path: &[usize]) -> Option<XEl> {
        let (last, parent) = path.split_last()?;
        let parent = self.get_mut(parent)?;
        match parent.children.get(*last)? {
            XNode::El(_) => match parent.children.remove(*last) {
                XNode::El(e) => Some(e),
                XNode::Raw(_) => None,
            },
            XNode::Raw(_) => None,
        }
    }

    /// Writes a copy of the element at `path` right after it.
    pub fn repeat(&mut self, path: &[usize]) -> bool {
        let Some((last, parent)) = path.split_last() else {
            return false;
        };
        let Some(copy) = self.get(path).cloned() else {
            return false;
        };
        match self.get_mut(parent) {
            Some(p) => {
                p.children.insert(last + 1, XNode::El(copy));
                true
            }
            None => false,
        }
    }
}

/// Escapes text for element content (the gateway's plain XML escaping); other characters,
/// forbidden ones included, are written as they are: a hostile input must carry them,
/// while the model's writer (`cmp_model::xml::escape_into`) writes them as U+FFFD.
pub fn escape(s: &str) -> String {
    cmp_gateway::publish::esc(s)
}

/// The predefined entities and character references of a fixture's text, resolved
/// (fixture texts are well-formed; anything else is kept as written).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let ent = &rest[1..end];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

const MAX_DEPTH: usize = 200;

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl Parser<'_> {
    /// `<?…?>`, `<!--…-->`, `<![CDATA[…]]>` or `<!…>` at the cursor, as written.
    fn special(&mut self) -> Option<String> {
        let rest = &self.s[self.i..];
        let end = if rest.starts_with("<?") {
            rest.find("?>")? + 2
        } else if rest.starts_with("<!--") {
            rest.find("-->")? + 3
        } else if rest.starts_with("<![CDATA[") {
            rest.find("]]>")? + 3
        } else {
            rest.find('>')? + 1
        };
        self.i += end;
        Some(rest[..end].to_string())
    }

    fn element(&mut self, depth: usize) -> Option<XEl> {
        // Deeper documents are mutated as bytes: the tree's own recursion stays bounded.
        if depth > MAX_DEPTH {
            return None;
        }
        let rest = &self.s[self.i..];
        let close = tag_end(rest)?;
        let tag = &rest[1..close];
        let (tag, empty) = match tag.strip_suffix('/') {
            Some(t) => (t, true),
            None => (tag, false),
        };
        let name_end = tag
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(tag.len());
        let mut el = XEl {
            name: tag[..name_end].to_string(),
            attrs: tag[name_end..].to_string(),
            children: Vec::new(),
            empty,
        };
        self.i += close + 1;
        if empty {
            return Some(el);
        }
        loop {
            let rest = &self.s[self.i..];
            let lt = rest.find('<')?;
            if lt > 0 {
                el.children.push(XNode::Raw(rest[..lt].to_string()));
                self.i += lt;
            }
            let rest = &self.s[self.i..];
            if rest.starts_with("</") {
                let end = rest.find('>')?;
                self.i += end + 1;
                return Some(el);
            }
            if rest.starts_with("<!") || rest.starts_with("<?") {
                let raw = self.special()?;
                el.children.push(XNode::Raw(raw));
                continue;
            }
            el.children.push(XNode::El(self.element(depth + 1)?));
        }
    }
}

/// The index of the `>` closing the tag at the start of `s`, skipping quoted values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_serialises_back_as_written() {
        let t = "<?xml version=\"1.0\"?>\n<!-- c --><s:E xmlns:s=\"u\"><s:Body><d:Op a='>'><d:R><A>1 &amp; 2</A><B/></d:R></d:Op></s:Body></s:E>\n";
        let d = XDoc::parse(t).unwrap();
        assert_eq!(d.to_string(), t);
        let fields: Vec<String> = d.field_paths().iter().map(|p| d.name_of(p)).collect();
        assert_eq!(fields, ["Body/Op/R/A", "Body/Op/R/B"]);
        assert_eq!(unescape("1 &amp; &#x41;&#66;&bogus;"), "1 & AB&bogus;");
    }
}
