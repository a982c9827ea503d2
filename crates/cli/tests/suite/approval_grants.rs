//! Issue 14, "approving an ask must make the action possible": a yes to a
//! command that needs the network runs it with the network for that run
//! (and only that run); an ask whose yes could not work (a write the
//! sandbox does not allow) is refused up front, saying how to grant it.

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::fixture::*;

/// Runs `line` in a terminal (`script`), answering `answer` to the first
/// prompt; returns what the terminal showed.
fn at_the_terminal(w: &World, line: &str, answer: &[u8]) -> String {
    let out = w.base.join("tty.out");
    let mut child = w
        .like("script")
        .args(["-qec", &format!("{line}; echo DONE"), "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("util-linux `script` gives the prompt a terminal");
    let mut stdin = child.stdin.take().unwrap();
    let read = || std::fs::read_to_string(&out).unwrap_or_default();
    let t = Instant::now();
    let mut answered = false;
    while !read().contains("DONE") {
        assert!(t.elapsed() < Duration::from_secs(40), "stuck: `{}`", read());
        if !answered && read().contains("[y]es") {
            stdin.write_all(answer).unwrap();
            stdin.flush().unwrap();
            answered = true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.wait();
    read()
}

/// A one-shot HTTP server on the host's loopback; the sandbox without
/// network cannot reach it (its own network namespace).
fn one_reply_server() -> (u16, std::thread::JoinHandle<()>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        l.set_nonblocking(false).unwrap();
        if let Ok((mut s, _)) = l.accept() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nreached-host");
        }
    });
    (port, h)
}

#[test]
fn a_yes_to_a_network_client_runs_it_with_the_network_for_that_run() {
    let w = World::with_config(BASE_CONFIG);
    let (port, server) = one_reply_server();
    let curl = format!(
        "{} exec -- curl -s -m 5 http://127.0.0.1:{port}/",
        rampart_bin().display()
    );
    // Control: a no runs nothing.
    let no = at_the_terminal(&w, &curl, b"n\n");
    assert!(!no.contains("reached-host"), "a no must not run it: {no}");
    let yes = at_the_terminal(&w, &curl, b"y\n");
    assert!(
        yes.contains("reached-host") && yes.contains("approved: network for this run"),
        "gate bypassed: a yes to `curl` did not make it possible (the sandbox kept the network off): {yes}"
    );
    let _ = server.join();
    // The grant was for that run only: the same kind of connection from an
    // allowed command, without a question, has no network.
    let w2 = World::with_config(&format!(
        "{BASE_CONFIG}[[rules]]\ncommand = [\"bash\"]\ndecision = \"allow\"\nreason = \"test\"\n"
    ));
    let (port, _server) = one_reply_server();
    let o = w2.run([
        "exec",
        "--",
        "bash",
        "-c",
        &format!("exec 3<>/dev/tcp/127.0.0.1/{port} && echo CONNECTED"),
    ]);
    assert!(
        !stdout(&o).contains("CONNECTED"),
        "sandbox breached: the network stayed on after the approved run: {}",
        stdout(&o)
    );
}

#[test]
fn an_ask_whose_yes_could_not_work_is_refused_up_front_saying_how() {
    let w = World::with_config(BASE_CONFIG);
    let dir = w.base.join("elsewhere");
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("outside.txt");
    let touch = format!(
        "{} exec -- touch {}",
        rampart_bin().display(),
        target.display()
    );
    let shown = at_the_terminal(&w, &touch, b"y\n");
    assert!(
        !shown.contains("[y]es"),
        "gate bypassed: rampart asked a question whose yes cannot work (the sandbox cannot write {}): {shown}",
        target.display()
    );
    assert!(
        shown.contains("a yes would not be enough") && shown.contains("--writable-root"),
        "{shown}"
    );
    assert!(!target.exists());
    // Control: with the directory writable, the same ask is asked, and a
    // yes works.
    let touch = format!(
        "{} exec --writable-root {} -- touch {}",
        rampart_bin().display(),
        dir.display(),
        target.display()
    );
    let shown = at_the_terminal(&w, &touch, b"y\n");
    assert!(
        shown.contains("[y]es") && target.exists(),
        "control failed: {shown}"
    );
}
