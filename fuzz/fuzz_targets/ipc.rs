//! Any bytes as a stream of daemon frames: framing and request parsing
//! never panic, never hand out a body over the cap, round-trip what they
//! accept, and accept only allowlisted methods.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_server::frame::{decode, encode, MAX_FRAME};
use rampart_server::rpc::{parse, Call};

fuzz_target!(|data: &[u8]| {
    // The bytes as a body on their own.
    if let Ok(req) = parse(data) {
        assert!(!matches!(&req.call, Call::Check(c) | Call::Exec(c) if c.argv.is_empty()));
    }
    if let Ok(frame) = encode(data) {
        let (body, used) = decode(&frame).unwrap().unwrap();
        assert_eq!((body, used), (data, frame.len()));
    }
    // The bytes as a stream of frames.
    let mut rest = data;
    while let Ok(Some((body, used))) = decode(rest) {
        assert!(!body.is_empty() && body.len() <= MAX_FRAME && used == body.len() + 4);
        let _ = parse(body);
        rest = &rest[used..];
    }
});
