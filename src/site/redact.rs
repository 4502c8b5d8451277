//! Stub until the real module lands.
use serde_json::Value;
pub fn is_redacted(path: &str, patterns: &[String]) -> bool {
    patterns.iter().any(|p| {
        let (pp, cp): (Vec<&str>, Vec<&str>) = (p.split('.').collect(), path.split('.').collect());
        pp.len() <= cp.len() && pp.iter().zip(&cp).all(|(a, b)| *a == "*" || a == b)
    })
}
pub fn redact(value: &mut Value, patterns: &[String]) {
    fn walk(v: &mut Value, prefix: &str, patterns: &[String]) {
        if let Value::Object(m) = v {
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                if is_redacted(&p, patterns) {
                    m.remove(&k);
                } else if let Some(x) = m.get_mut(&k) {
                    walk(x, &p, patterns);
                }
            }
        } else if let Value::Array(a) = v {
            for (i, x) in a.iter_mut().enumerate() {
                walk(x, &format!("{prefix}.{i}"), patterns);
            }
        }
    }
    walk(value, "", patterns);
}
