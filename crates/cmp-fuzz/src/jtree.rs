//! A JSON tree whose scalars and keys are raw tokens: a mutation can write what
//! `serde_json::Value` cannot hold (a lone surrogate escape, `1e400`, a duplicate key,
//! a literal control character).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum J {
    /// Members as (raw key token with its quotes, value); duplicates allowed.
    Obj(Vec<(String, J)>),
    Arr(Vec<J>),
    /// A scalar token as written.
    Raw(String),
}

/// A step from a container to a child: the member or item index.
pub type Path = Vec<usize>;

impl J {
    pub fn parse(text: &str) -> Option<J> {
        serde_json::from_str::<Value>(text)
            .ok()
            .map(|v| J::from(&v))
    }

    fn write(&self, out: &mut String) {
        match self {
            J::Raw(t) => out.push_str(t),
            J::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            J::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    fn child(&self, i: usize) -> Option<&J> {
        match self {
            J::Obj(m) => m.get(i).map(|(_, v)| v),
            J::Arr(a) => a.get(i),
            J::Raw(_) => None,
        }
    }

    fn child_mut(&mut self, i: usize) -> Option<&mut J> {
        match self {
            J::Obj(m) => m.get_mut(i).map(|(_, v)| v),
            J::Arr(a) => a.get_mut(i),
            J::Raw(_) => None,
        }
    }

    pub fn get(&self, path: &[usize]) -> Option<&J> {
        path.iter().try_fold(self, |j, &i| j.child(i))
    }

    pub fn get_mut(&mut self, path: &[usize]) -> Option<&mut J> {
        path.iter().try_fold(self, |j, &i| j.child_mut(i))
    }

    /// Every path below the top, depth first.
    pub fn paths(&self) -> Vec<Path> {
        fn walk(j: &J, at: &mut Path, out: &mut Vec<Path>) {
            let n = match j {
                J::Obj(m) => m.len(),
                J::Arr(a) => a.len(),
                J::Raw(_) => 0,
            };
            for i in 0..n {
                at.push(i);
                out.push(at.clone());
                walk(j.child(i).expect("in range"), at, out);
                at.pop();
            }
        }
        let mut out = Vec::new();
        walk(self, &mut Vec::new(), &mut out);
        out
    }

    /// The fields a mutation targets: scalars and empty containers.
    pub fn field_paths(&self) -> Vec<Path> {
        self.paths()
            .into_iter()
            .filter(|p| match self.get(p) {
                Some(J::Raw(_)) => true,
                Some(J::Obj(m)) => m.is_empty(),
                Some(J::Arr(a)) => a.is_empty(),
                None => false,
            })
            .collect()
    }

    /// `agreementData.billingCycle` (`[i]` for array items).
    pub fn name_of(&self, path: &[usize]) -> String {
        let mut out = String::new();
        let mut j = self;
        for &i in path {
            match j {
                J::Obj(m) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(m[i].0.trim_matches('"'));
                }
                J::Arr(_) => out.push_str("[]"),
                J::Raw(_) => break,
            }
            j = j.child(i).expect("a path from paths()");
        }
        out
    }

    /// Removes the member or item at `path`.
    pub fn remove(&mut self, path: &[usize]) -> bool {
        let Some((last, parent)) = path.split_last() else {
            return false;
        };
        match self.get_mut(parent) {
            Some(J::Obj(m)) if *last < m.len() => {
                m.remove(*last);
                true
            }
            Some(J::Arr(a)) if *last < a.len() => {
                a.remove(*last);
                true
            }
            _ => false,
        }
    }

    /// Writes the member (same key) or item at `path` twice.
    pub fn repeat(&mut self, path: &[usize]) -> bool {
        let Some((last, parent)) = path.split_last() else {
            return false;
        };
        match self.get_mut(parent) {
            Some(J::Obj(m)) if *last < m.len() => {
                let copy = m[*last].clone();
                m.insert(last + 1, copy);
                true
            }
            Some(J::Arr(a)) if *last < a.len() => {
                let copy = a[*last].clone();
                a.insert(last + 1, copy);
                true
            }
            _ => false,
        }
    }

    /// The scalar's text: a string's content, or the token of a number or literal.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            J::Raw(t) => Some(match serde_json::from_str::<Value>(t) {
                Ok(Value::String(s)) => s,
                _ => t.clone(),
            }),
            _ => None,
        }
    }
}

impl std::fmt::Display for J {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        self.write(&mut out);
        f.write_str(&out)
    }
}

impl From<&Value> for J {
    fn from(v: &Value) -> J {
        match v {
            Value::Object(m) => J::Obj(
                m.iter()
                    .map(|(k, v)| (Value::String(k.clone()).to_string(), J::from(v)))
                    .collect(),
            ),
            Value::Array(a) => J::Arr(a.iter().map(J::from).collect()),
            other => J::Raw(other.to_string()),
        }
    }
}

/// A JSON string token for `s`, escaped the way serde_json escapes (controls as `\u00XX`).
pub fn string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_tokens_and_duplicate_keys_are_written_as_they_are() {
        let mut j = J::parse(r#"{"a":{"b":1,"c":[2]}}"#).unwrap();
        let names: Vec<String> = j.field_paths().iter().map(|p| j.name_of(p)).collect();
        assert_eq!(names, ["a.b", "a.c[]"]);
        *j.get_mut(&[0, 0]).unwrap() = J::Raw(r#""\ud800""#.into());
        assert!(j.repeat(&[0, 1]));
        assert_eq!(j.to_string(), r#"{"a":{"b":"\ud800","c":[2],"c":[2]}}"#);
    }
}
