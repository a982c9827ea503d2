use super::*;

fn dest(url: &str) -> (String, Option<u16>) {
    let d = destination(url).unwrap_or_else(|e| panic!("{e}"));
    (d.host, d.port)
}

fn h(host: &str, port: u16) -> (String, Option<u16>) {
    (host.to_owned(), Some(port))
}

#[test]
fn urls_are_judged_by_the_host_a_browser_connects_to() {
    let meta = "169.254.169.254";
    for (url, want) in [
        ("https://evil.example\\.docs.rs/", h("evil.example", 443)),
        ("https://evil\\@good/", h("evil", 443)),
        ("https://%65vil.example/", h("evil.example", 443)),
        ("http://2852039166/", h(meta, 80)),
        ("http://0xA9FEA9FE/", h(meta, 80)),
        ("http://0251.0376.0251.0376/", h(meta, 80)),
        ("http://169.254.43518/", h(meta, 80)),
        ("http://0xa9.0xfe.0xa9.0xfe/", h(meta, 80)),
        ("http://127.1/", h("127.0.0.1", 80)),
        ("http://127.0.0.1./", h("127.0.0.1", 80)),
        ("http://2852039166../", h(meta, 80)),
        ("http://0xA9FEA9FE.../", h(meta, 80)),
        ("http://[::ffff:127.0.0.1]/", h("127.0.0.1", 80)),
        ("http://[::ffff:7f00:1]:8080/", h("127.0.0.1", 8080)),
        ("http://[0:0:0:0:0:FFFF:A9FE:A9FE]/", h(meta, 80)),
        ("http://[::1]/", h("::1", 80)),
        ("https://Bücher.Example./x", h("xn--bcher-kva.example", 443)),
        ("HTTPS://EXAMPLE.COM.:443/", h("example.com", 443)),
        ("https://ＥＸＡＭＰＬＥ．com/", h("example.com", 443)),
        ("  http://exa\tmple.com/ \n", h("example.com", 80)),
        ("\u{1}http://example.com/", h("example.com", 80)),
        (
            "https://u:p@good.example@evil.example/",
            h("evil.example", 443),
        ),
        (
            "https://good.example?@evil.example/",
            h("good.example", 443),
        ),
        (
            "https://good.example#@evil.example/",
            h("good.example", 443),
        ),
        ("https:evil.example/", h("evil.example", 443)),
        ("https:/\\evil.example/", h("evil.example", 443)),
        ("ws://example.com/", h("example.com", 80)),
        ("ftp://example.com/", h("example.com", 21)),
        ("https://example.com:0080/", h("example.com", 80)),
        // Without a scheme, as `curl` takes them.
        ("example.com/a", h("example.com", 80)),
        ("localhost:8080", h("localhost", 8080)),
        ("//Example.com/", h("example.com", 80)),
        ("user@2852039166", h(meta, 80)),
    ] {
        assert_eq!(dest(url), want, "{url:?}");
    }
    // Another scheme: the host read by the web's rules, the explicit port.
    assert_eq!(dest("gopher://2852039166:70/"), (meta.to_owned(), Some(70)));
    assert_eq!(
        dest("gopher://EVIL.example./"),
        ("evil.example".into(), None)
    );
    assert_eq!(
        destination("https://x/").map(|d| d.scheme),
        Ok("https".into())
    );
}

#[test]
fn a_backslash_gives_both_readings() {
    assert_eq!(
        hosts_of("https://evil\\@good.example/"),
        ["evil", "good.example"]
    );
    assert_eq!(
        hosts_of("https://evil.example\\.docs.rs/"),
        ["evil.example"]
    );
    assert_eq!(hosts_of("https://EVIL.example/a\\b"), ["evil.example"]);
    assert_eq!(hosts_of("not a url"), Vec::<String>::new());
}

#[test]
fn urls_without_a_judgeable_host_are_errors() {
    for url in [
        "",
        "http://",
        "https://exa mple.com/",
        "http://1.2.3.4.5/",
        "http://256.1.1.1/",
        "http://0x100000000/",
        "http://[::1/",
        "http://ex%00ample.com/",
        "https://example.com:65536/",
        "https://example.com:x/",
        "file:///etc/passwd",
        "http://./",
        "http://1.2.3.4.5../",
    ] {
        assert!(
            destination(url).is_err(),
            "{url:?} gave {:?}",
            destination(url)
        );
    }
}

#[test]
fn hosts_normalise_to_one_spelling() {
    for (text, want) in [
        ("2852039166", "169.254.169.254"),
        ("::ffff:127.0.0.1", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("Example.COM.", "example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("%65vil.example", "evil.example"),
    ] {
        assert_eq!(normalise_host(text).as_deref(), Ok(want), "{text:?}");
    }
    for bad in ["", ".", "a b", "a/b", "a:b", "a@b", "[::1", "1.2.3.4.5"] {
        assert!(normalise_host(bad).is_err(), "{bad:?}");
    }
}

/// Tricky URLs built from parts: user info, backslashes, percent-encoding,
/// IPv4 forms, IPv6, IDNA, ports, trailing dots, whitespace and controls.
fn tricky_urls() -> Vec<String> {
    let schemes = [
        "http://",
        "HTTPS://",
        "ws://",
        "https:\\\\",
        "http:/",
        "https:",
    ];
    let users = [
        "",
        "user@",
        "u:p@",
        "evil.example\\@",
        "a@b@",
        "%40@",
        "x:y@",
    ];
    let hosts = [
        "example.com",
        "EXAMPLE.com.",
        "%65xample.com",
        "exa%2Emple.com",
        "2852039166",
        "0xA9FEA9FE",
        "0251.0376.0251.0376",
        "169.254.43518",
        "127.1",
        "0x7f.1",
        "0x7f.0.0.0x1.",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[0:0:0:0:0:ffff:7f00:1]",
        "bücher.example",
        "xn--bcher-kva.example",
        "ＥＸＡＭＰＬＥ.com",
        "exa\tmple.com",
        "1.2.3.4.5",
        "256.1.1.1",
        "0x100000000",
        "ex%00ample.com",
        "a..b",
        "evil.example\\.docs.rs",
        "soft\u{ad}hyphen.example",
        "",
    ];
    let ports = ["", ":", ":80", ":443", ":0080", ":65536", ":x"];
    let tails = ["", "/", "/p?q#f", "\\x", "?@evil.example", "#@evil.example"];
    let mut out = Vec::new();
    for s in schemes {
        for u in users {
            for h in hosts {
                for p in ports {
                    for t in tails {
                        out.push(format!("{s}{u}{h}{p}{t}"));
                    }
                }
            }
        }
    }
    let wrapped: Vec<String> = out
        .iter()
        .step_by(7)
        .flat_map(|u| [format!(" {u}\n"), format!("\u{0}\u{1f}{u}\t")])
        .collect();
    out.extend(wrapped);
    out
}

/// What Node's WHATWG `URL` makes of each URL: `[hostname, port]`, or null
/// when it throws.
const NODE_SCRIPT: &str = r"
const input = require('fs').readFileSync(0, 'utf8');
const out = JSON.parse(input).map((s) => {
  try { const u = new URL(s); return [u.hostname, u.port]; } catch (e) { return null; }
});
process.stdout.write(JSON.stringify(out));
";

#[test]
fn the_url_parser_agrees_with_nodes_whatwg_url() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let urls = tricky_urls();
    assert!(urls.len() > 1000);
    let child = Command::new("node")
        .args(["-e", NODE_SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = child.unwrap_or_else(|e| {
        panic!("node is needed for the WHATWG differential test ({e}); install it with `apt-get install nodejs` (scripts/test.sh does)")
    });
    let input = serde_json::to_vec(&urls).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "node failed: {out:?}");
    let node: Vec<Option<(String, String)>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(node.len(), urls.len());
    let mut ok = 0;
    for (url, theirs) in urls.iter().zip(node) {
        let ours = url::Url::parse(url).ok().map(|u| {
            (
                u.host_str().unwrap_or_default().to_owned(),
                u.port().map(|p| p.to_string()).unwrap_or_default(),
            )
        });
        assert_eq!(
            ours, theirs,
            "gate bypassed: rampart's URL parser and Node's WHATWG URL disagree on {url:?}"
        );
        // And what rampart judges is that host, normalised.
        if let Some((host, port)) = theirs {
            ok += 1;
            let d = destination(url).unwrap_or_else(|e| panic!("{url:?}: {e}"));
            assert_eq!(
                Ok(d.host.clone()),
                normalise_host(&host).map_err(|e| e.why),
                "{url:?}"
            );
            if !port.is_empty() {
                assert_eq!(d.port.map(|p| p.to_string()), Some(port), "{url:?}");
            }
        }
    }
    assert!(
        ok > 500,
        "too few URLs parsed ({ok}): the generator is broken"
    );
}
