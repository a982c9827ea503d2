//! The hash chain: canonical JSON, sealing and checking records.

use std::fmt::Write as _;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Where a chain ends: how many events, and the last hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Events so far.
    pub count: u64,
    /// Hash of the last event ([`GENESIS`] when there is none).
    pub hash: String,
}

impl Default for Head {
    fn default() -> Self {
        Self {
            count: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

/// JSON with object keys sorted and no insignificant whitespace, so that
/// the same event always hashes the same, whatever the map order.
pub fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(x) = map.get(*k) {
                    write_canonical(x, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// SHA-256 over a domain tag, the sequence number, the previous hash and
/// the canonical event.
pub fn hash(seq: u64, prev_hash: &str, event: &Value) -> String {
    let mut h = Sha256::new();
    h.update(b"rampart-audit-v1\n");
    h.update(seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical(event).as_bytes());
    h.finalize().iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// One stored line: the OCSF event with its place in the chain.
pub fn seal(head: &Head, event: Value) -> (Value, Head) {
    let seq = head.count + 1;
    let h = hash(seq, &head.hash, &event);
    let mut record = serde_json::Map::new();
    record.insert("seq".into(), seq.into());
    record.insert("prev_hash".into(), head.hash.clone().into());
    record.insert("hash".into(), h.clone().into());
    record.insert("event".into(), event);
    let record = Value::Object(record);
    (
        record,
        Head {
            count: seq,
            hash: h,
        },
    )
}

/// What is wrong with a chain, at the first record that shows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {seq}: {what}")]
pub struct Broken {
    /// The sequence number expected at the break.
    pub seq: u64,
    /// What broke.
    pub what: String,
}

/// Checks one record against the head before it; returns the new head.
pub fn check(head: &Head, record: &Value) -> Result<Head, Broken> {
    let expected = head.count + 1;
    let broken = |what: String| Broken {
        seq: expected,
        what,
    };
    let seq = record
        .get("seq")
        .and_then(Value::as_u64)
        .ok_or_else(|| broken("the record has no sequence number".into()))?;
    if seq != expected {
        return Err(broken(format!(
            "sequence number {seq} where {expected} was expected (an event was removed, inserted or reordered)"
        )));
    }
    let prev = record
        .get("prev_hash")
        .and_then(Value::as_str)
        .unwrap_or("");
    if prev != head.hash {
        return Err(broken(
            "prev_hash does not match the previous event's hash (an event was removed, inserted or reordered)".into(),
        ));
    }
    let event = record
        .get("event")
        .ok_or_else(|| broken("the record has no event".into()))?;
    let stored = record.get("hash").and_then(Value::as_str).unwrap_or("");
    let h = hash(seq, prev, event);
    if stored != h {
        return Err(broken(
            "the hash does not match the event (a field was changed)".into(),
        ));
    }
    Ok(Head {
        count: seq,
        hash: h,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_sorts_keys_at_every_depth() {
        let a = json!({"b": 1, "a": {"z": [1, {"y": 2, "x": 3}], "c": "é\n"}});
        assert_eq!(
            canonical(&a),
            r#"{"a":{"c":"é\n","z":[1,{"x":3,"y":2}]},"b":1}"#
        );
    }

    #[test]
    fn a_sealed_chain_checks_and_any_change_breaks_it() {
        let mut head = Head::default();
        let mut records = Vec::new();
        for i in 0..4 {
            let (r, h) = seal(&head, json!({"n": i, "msg": "x"}));
            records.push(r);
            head = h;
        }
        let mut h = Head::default();
        for r in &records {
            h = check(&h, r).unwrap();
        }
        assert_eq!(h, head);
        // A changed field.
        let mut changed = records.clone();
        changed[2]["event"]["msg"] = json!("y");
        let mut h = Head::default();
        let err = changed.iter().try_for_each(|r| check(&h, r).map(|n| h = n));
        assert_eq!(err.unwrap_err().seq, 3);
        // A removed event.
        let mut removed = records.clone();
        removed.remove(1);
        let mut h = Head::default();
        let err = removed.iter().try_for_each(|r| check(&h, r).map(|n| h = n));
        assert!(err.unwrap_err().what.contains("removed"));
        // Two swapped events.
        let mut swapped = records;
        swapped.swap(1, 2);
        let mut h = Head::default();
        let err = swapped.iter().try_for_each(|r| check(&h, r).map(|n| h = n));
        assert_eq!(err.unwrap_err().seq, 2);
    }
}
