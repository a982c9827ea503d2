//! `rampart-probe`: a test helper for the sandbox attack suite. Each action
//! performs one thing a sandboxed command might try and prints `ok …`
//! (exit 0) or `denied <errno>` (exit 1); usage errors exit 2. Never
//! shipped: it exists so that tests can tell a refusal from a success by
//! errno rather than by scraping tool output.
#![expect(
    unsafe_code,
    reason = "the probe makes raw syscalls on purpose, to test that the sandbox refuses them"
)]
#![expect(
    clippy::undocumented_unsafe_blocks,
    reason = "each block is a single raw syscall with plain arguments"
)]

use std::ffi::CString;
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::process::ExitCode;

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn result(r: std::io::Result<String>) -> ExitCode {
    match r {
        Ok(s) => {
            println!("ok {s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("denied {} ({e})", e.raw_os_error().unwrap_or(0));
            ExitCode::from(1)
        }
    }
}

fn sys(ret: libc::c_long) -> std::io::Result<String> {
    if ret < 0 {
        Err(std::io::Error::from_raw_os_error(errno()))
    } else {
        Ok(ret.to_string())
    }
}

fn arg(args: &[String], i: usize) -> &str {
    args.get(i).map_or("", String::as_str)
}

#[expect(clippy::too_many_lines, reason = "one arm per probe action")]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a1 = arg(&args, 1).to_owned();
    let a2 = arg(&args, 2).to_owned();
    let r = match arg(&args, 0) {
        "write" => {
            std::fs::write(&a1, if a2.is_empty() { "probe" } else { &a2 }).map(|()| String::new())
        }
        "read" => std::fs::read_to_string(&a1),
        "list" => std::fs::read_dir(&a1)
            .and_then(|d| {
                d.map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
                    .collect::<Result<Vec<_>, _>>()
            })
            .map(|v| v.join(",")),
        "link" => std::fs::hard_link(&a1, &a2).map(|()| String::new()),
        "symlink" => std::os::unix::fs::symlink(&a1, &a2).map(|()| String::new()),
        "rename" => std::fs::rename(&a1, &a2).map(|()| String::new()),
        "tcp" => std::net::TcpStream::connect(&a1)
            .and_then(|mut s| s.write_all(b"ping"))
            .map(|()| String::new()),
        "udp" => std::net::UdpSocket::bind(if a1.contains('[') {
            "[::]:0"
        } else {
            "0.0.0.0:0"
        })
        .and_then(|s| s.send_to(b"ping", &a1))
        .map(|n| n.to_string()),
        "unix" => UnixStream::connect(&a1)
            .and_then(|mut s| s.write_all(b"ping"))
            .map(|()| String::new()),
        "abstract" => {
            use std::os::linux::net::SocketAddrExt;
            std::os::unix::net::SocketAddr::from_abstract_name(a1.as_bytes())
                .and_then(|addr| UnixStream::connect_addr(&addr))
                .and_then(|mut s| s.write_all(b"ping"))
                .map(|()| String::new())
        }
        "unix-listen" => {
            // A server and a client inside the sandbox: the control for "unix".
            let path = std::path::Path::new(&a1);
            UnixListener::bind(path).and_then(|l| {
                let mut c = UnixStream::connect(path)?;
                c.write_all(b"x")?;
                let (mut s, _) = l.accept()?;
                let mut b = [0u8; 1];
                s.read_exact(&mut b)?;
                Ok(String::new())
            })
        }
        "socketpair" => UnixStream::pair().and_then(|(mut a, mut b)| {
            a.write_all(b"x")?;
            let mut buf = [0u8; 1];
            b.read_exact(&mut buf)?;
            Ok(String::new())
        }),
        "ptrace" => {
            // Fork a sleeping child and try to attach to it.
            let child = unsafe { libc::fork() };
            if child == 0 {
                unsafe { libc::sleep(5) };
                unsafe { libc::_exit(0) };
            }
            let r = sys(unsafe { libc::ptrace(libc::PTRACE_ATTACH, child, 0, 0) });
            unsafe {
                libc::kill(child, libc::SIGKILL);
                libc::waitpid(child, std::ptr::null_mut(), 0);
            }
            r
        }
        "kill" => sys(libc::c_long::from(unsafe {
            libc::kill(a1.parse().unwrap_or(0), libc::SIGTERM)
        })),
        "environ" => std::fs::read(format!("/proc/{a1}/environ")).map(|b| b.len().to_string()),
        "mount" => {
            let (Ok(src), Ok(dst), Ok(fs)) = (
                CString::new("tmpfs"),
                CString::new(a1.as_str()),
                CString::new("tmpfs"),
            ) else {
                return ExitCode::from(2);
            };
            let r = sys(libc::c_long::from(unsafe {
                libc::mount(src.as_ptr(), dst.as_ptr(), fs.as_ptr(), 0, std::ptr::null())
            }));
            if r.is_ok() {
                unsafe { libc::umount(dst.as_ptr()) };
            }
            r
        }
        "unshare-user" => sys(libc::c_long::from(unsafe {
            libc::unshare(libc::CLONE_NEWUSER)
        })),
        "io-uring" => {
            let mut params = [0u8; 120];
            let r =
                sys(unsafe { libc::syscall(libc::SYS_io_uring_setup, 4u32, params.as_mut_ptr()) });
            if let Ok(fd) = &r {
                unsafe { libc::close(fd.parse().unwrap_or(-1)) };
            }
            r
        }
        "bpf" => {
            // BPF_MAP_CREATE of a tiny array map.
            let mut attr = [0u32; 32];
            attr[0] = 2; // BPF_MAP_TYPE_ARRAY
            attr[1] = 4; // key size
            attr[2] = 4; // value size
            attr[3] = 1; // max entries
            let r = sys(unsafe { libc::syscall(libc::SYS_bpf, 0, attr.as_mut_ptr(), 128u32) });
            if let Ok(fd) = &r {
                unsafe { libc::close(fd.parse().unwrap_or(-1)) };
            }
            r
        }
        "perf" => {
            // A software task-clock counter on ourselves.
            let mut attr = [0u8; 128];
            attr[0..4].copy_from_slice(&1u32.to_ne_bytes()); // PERF_TYPE_SOFTWARE
            attr[4..8].copy_from_slice(&128u32.to_ne_bytes()); // size
            attr[8..16].copy_from_slice(&1u64.to_ne_bytes()); // SW_TASK_CLOCK
            let r = sys(unsafe {
                libc::syscall(
                    libc::SYS_perf_event_open,
                    attr.as_mut_ptr(),
                    0,
                    -1,
                    -1,
                    0u64,
                )
            });
            if let Ok(fd) = &r {
                unsafe { libc::close(fd.parse().unwrap_or(-1)) };
            }
            r
        }
        "keyctl" => sys(unsafe {
            libc::syscall(
                libc::SYS_keyctl,
                0,  /* GET_KEYRING_ID */
                -3, /* SESSION */
                0,
            )
        }),
        "tiocsti" => {
            let fd = unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY) };
            if fd < 0 {
                return result(
                    Err(std::io::Error::last_os_error())
                        .map_err(|e| std::io::Error::other(format!("posix_openpt: {e}"))),
                );
            }
            let c: libc::c_char = libc::c_char::try_from(b'x').unwrap_or_default();
            let r = sys(libc::c_long::from(unsafe {
                libc::ioctl(fd, libc::TIOCSTI, &raw const c)
            }));
            unsafe { libc::close(fd) };
            r
        }
        "tiocsetd" => {
            // Sets the line discipline of a pty of its own to N_TTY (what it
            // already is): harmless, but refused inside the sandbox.
            let fd = unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY) };
            if fd < 0 {
                return result(
                    Err(std::io::Error::last_os_error())
                        .map_err(|e| std::io::Error::other(format!("posix_openpt: {e}"))),
                );
            }
            let ldisc: libc::c_int = 0;
            let r = sys(libc::c_long::from(unsafe {
                libc::ioctl(fd, libc::TIOCSETD, &raw const ldisc)
            }));
            unsafe { libc::close(fd) };
            r
        }
        "caps" => std::fs::read_to_string("/proc/self/status").map(|s| {
            s.lines()
                .filter(|l| l.starts_with("Cap") || l.starts_with("NoNewPrivs"))
                .collect::<Vec<_>>()
                .join(";")
        }),
        "alloc" => {
            let mb: usize = a1.parse().unwrap_or(0);
            let mut chunks: Vec<Vec<u8>> = Vec::new();
            for _ in 0..mb {
                let mut v = Vec::new();
                if v.try_reserve_exact(1 << 20).is_err() {
                    return result(Err(std::io::Error::from_raw_os_error(libc::ENOMEM)));
                }
                v.resize(1 << 20, 1u8);
                chunks.push(v);
            }
            Ok(format!("{}", chunks.len()))
        }
        "fork" => {
            // Start N children that each sleep; report the first failure.
            let n: usize = a1.parse().unwrap_or(0);
            let mut kids = Vec::new();
            let mut failure = None;
            for _ in 0..n {
                let pid = unsafe { libc::fork() };
                if pid == 0 {
                    unsafe { libc::sleep(3) };
                    unsafe { libc::_exit(0) };
                }
                if pid < 0 {
                    failure = Some(std::io::Error::last_os_error());
                    break;
                }
                kids.push(pid);
            }
            for k in &kids {
                unsafe {
                    libc::kill(*k, libc::SIGKILL);
                    libc::waitpid(*k, std::ptr::null_mut(), 0);
                }
            }
            failure.map_or_else(|| Ok(kids.len().to_string()), Err)
        }
        "hold-pty" => {
            // Open a pty, print its path, keep it open for N seconds.
            let fd = unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY) };
            if fd < 0 || unsafe { libc::grantpt(fd) } != 0 || unsafe { libc::unlockpt(fd) } != 0 {
                return result(Err(std::io::Error::last_os_error()));
            }
            let mut name = [0 as libc::c_char; 128];
            if unsafe { libc::ptsname_r(fd, name.as_mut_ptr(), name.len()) } != 0 {
                return result(Err(std::io::Error::last_os_error()));
            }
            let path = unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) }
                .to_string_lossy()
                .into_owned();
            println!("{path}");
            let _ = std::io::stdout().flush();
            std::thread::sleep(std::time::Duration::from_secs(a1.parse().unwrap_or(5)));
            Ok(String::new())
        }
        "scan-proc" => scan_proc(a1.as_bytes()),
        "await-read" => {
            // Wait (up to 20 s) for a path to appear, then read it.
            let start = std::time::Instant::now();
            while std::fs::symlink_metadata(&a1).is_err()
                && start.elapsed() < std::time::Duration::from_secs(20)
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
            std::fs::read_to_string(&a1)
        }
        "env" => Ok(std::env::var(&a1).unwrap_or_else(|_| "<unset>".into())),
        "pid" => Ok(std::process::id().to_string()),
        other => {
            eprintln!("rampart-probe: unknown action `{other}`");
            return ExitCode::from(2);
        }
    };
    result(r)
}

/// Every occurrence of `marker` (and the 48 bytes after it) in what this
/// process can read of every process it sees: `/proc/N/environ`,
/// `/proc/N/cmdline` and, region by region, `/proc/N/mem`. A child
/// (`sleep`) is started first so that there is a readable process other
/// than this one; this one's own memory is skipped (it holds the marker).
/// Prints one line per hit, `PID SOURCE: TEXT`, and one `PID mem: STATE`
/// line per process.
fn scan_proc(marker: &[u8]) -> std::io::Result<String> {
    use std::fmt::Write as _;
    use std::io::{Seek, SeekFrom};
    if marker.is_empty() {
        return Err(std::io::Error::from_raw_os_error(libc::EINVAL));
    }
    let mut child = std::process::Command::new("sleep").arg("30").spawn()?;
    std::thread::sleep(std::time::Duration::from_millis(200));
    let me = std::process::id().to_string();
    let mut out = String::new();
    let hits = |pid: &str, source: &str, data: &[u8], out: &mut String| {
        let mut at = 0;
        while let Some(i) = data
            .get(at..)
            .and_then(|d| d.windows(marker.len()).position(|w| w == marker))
        {
            let start = at + i;
            let end = (start + marker.len() + 48).min(data.len());
            let text = String::from_utf8_lossy(data.get(start..end).unwrap_or_default())
                .replace(['\0', '\n'], " ");
            let _ = writeln!(out, "{pid} {source}: {text}");
            at = start + marker.len();
        }
    };
    let mut pids: Vec<String> = std::fs::read_dir("/proc")?
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    pids.sort();
    for pid in &pids {
        for source in ["environ", "cmdline"] {
            if let Ok(data) = std::fs::read(format!("/proc/{pid}/{source}")) {
                hits(pid, source, &data, &mut out);
            }
        }
        if *pid == me {
            continue;
        }
        let maps = std::fs::read_to_string(format!("/proc/{pid}/maps"));
        let mem = std::fs::File::open(format!("/proc/{pid}/mem"));
        let (maps, mut mem) = match (maps, mem) {
            (Ok(m), Ok(f)) => (m, f),
            (Err(e), _) | (_, Err(e)) => {
                let _ = writeln!(out, "{pid} mem: denied {}", e.raw_os_error().unwrap_or(0));
                continue;
            }
        };
        let mut read_bytes = 0usize;
        for line in maps.lines() {
            let mut f = line.split_whitespace();
            let (Some(range), Some(perms)) = (f.next(), f.next()) else {
                continue;
            };
            let Some((a, b)) = range.split_once('-') else {
                continue;
            };
            let (Ok(a), Ok(b)) = (u64::from_str_radix(a, 16), u64::from_str_radix(b, 16)) else {
                continue;
            };
            if !perms.starts_with('r') || b - a > 256 << 20 {
                continue;
            }
            let mut buf = vec![0u8; usize::try_from(b - a).unwrap_or(0)];
            if mem.seek(SeekFrom::Start(a)).is_ok() && mem.read_exact(&mut buf).is_ok() {
                read_bytes += buf.len();
                hits(pid, "mem", &buf, &mut out);
            }
        }
        let _ = writeln!(out, "{pid} mem: read {read_bytes} bytes");
    }
    let _ = child.kill();
    let _ = child.wait();
    Ok(format!("\n{out}"))
}
