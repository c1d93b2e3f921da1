//! The dialect-neutral tree a request body is read into before decoding.

/// An element (XML) or property (JSON). A JSON array becomes repeated nodes of the
/// same name; a JSON scalar becomes `text`; JSON `null` an empty node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Node {
    pub name: String,
    /// Namespace URI: kept only where dispatch needs it (the SOAP envelope).
    pub ns: Option<String>,
    pub text: String,
    pub children: Vec<Node>,
    /// Written as a JSON object or array (`{}`, `[]`), not a value: where a value belongs
    /// it is refused (`INVALID_FORMAT`), even empty. Always false for XML.
    pub container: bool,
    /// Written as a JSON number or boolean, not a string: where a string belongs it is
    /// refused (`INVALID_FORMAT`). Always false for XML.
    pub literal: bool,
}

impl Node {
    pub fn leaf(name: &str, text: &str) -> Self {
        Node {
            name: name.to_string(),
            text: text.to_string(),
            ..Default::default()
        }
    }

    /// No children and no text but blanks: an absent optional value.
    pub fn is_blank(&self) -> bool {
        self.children.is_empty() && self.text.trim().is_empty()
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Sets a child's text, replacing any child of that name (path and query
    /// parameters fill the request model this way).
    pub fn set_child(&mut self, name: &str, text: &str) {
        self.children.retain(|c| c.name != name);
        self.children.push(Node::leaf(name, text));
    }

    /// Sets the text at a dotted path (`eligibilityRules.salesChannel`), creating the
    /// containers on the way: query parameters can fill nested elements.
    pub fn set_path(&mut self, path: &str, text: &str) {
        match path.split_once('.') {
            None => self.set_child(path, text),
            Some((head, rest)) => {
                let i = match self.children.iter().position(|c| c.name == head) {
                    Some(i) => i,
                    None => {
                        self.children.push(Node {
                            name: head.to_string(),
                            ..Default::default()
                        });
                        self.children.len() - 1
                    }
                };
                self.children[i].set_path(rest, text);
            }
        }
    }

    /// Lower-cases the first letter of every name below this node: SOAP's PascalCase
    /// back to the schema's lowerCamel.
    pub fn camel_case_descendants(&mut self) {
        for c in &mut self.children {
            if let Some(f) = c.name.chars().next().filter(char::is_ascii_uppercase) {
                c.name
                    .replace_range(0..1, &f.to_ascii_lowercase().to_string());
            }
            c.camel_case_descendants();
        }
    }
}

/// Bounds on what a body may contain (DESIGN.md, Gateway: limits).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 32,
            max_elements: 10_000,
        }
    }
}

/// A body that is not well-formed, or breaks a limit.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// `MALFORMED_REQUEST`, `LIMIT_EXCEEDED` or `DTD_NOT_ALLOWED`.
    pub message_id: crate::codes::Code,
    pub message: String,
}

impl ParseError {
    pub fn malformed(message: impl Into<String>) -> Self {
        ParseError {
            message_id: crate::codes::Code::MalformedRequest,
            message: message.into(),
        }
    }
    pub fn limit(message: impl Into<String>) -> Self {
        ParseError {
            message_id: crate::codes::Code::LimitExceeded,
            message: message.into(),
        }
    }
}
