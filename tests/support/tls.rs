//! A real TLS server in front of a plain TCP port: Debian's `stunnel4` (OpenSSL), with a CA and a
//! server certificate made by the `openssl` command for each test. It is started by the test and
//! stopped by its PID when dropped. Without `stunnel4` or `openssl` the test is reported through
//! [`super::missing`] (a failure under `CI=true`).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A CA and a server certificate signed by it, in a temp dir.
pub struct Certs {
    pub dir: tempfile::TempDir,
}

impl Certs {
    /// PEM of the CA that signed the server certificate.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// PEM of another CA, which signed nothing the server shows.
    pub fn other_ca(&self) -> PathBuf {
        self.dir.path().join("other-ca.pem")
    }

    fn server_cert(&self) -> PathBuf {
        self.dir.path().join("server.pem")
    }

    fn server_key(&self) -> PathBuf {
        self.dir.path().join("server.key")
    }
}

fn tool(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Makes a CA, a second unrelated CA, and a server certificate for `san` (e.g. `IP:127.0.0.1`)
/// signed by the first; `None` (reported as skipped) when `openssl` is missing.
pub fn certs(test: &str, san: &str) -> Option<Certs> {
    if !tool("openssl") {
        super::missing(test, "the openssl command");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    for (name, cn) in [("ca", "userstream test CA"), ("other-ca", "unrelated CA")] {
        let (key, pem, subj) = (
            format!("{name}.key"),
            format!("{name}.pem"),
            format!("/CN={cn}"),
        );
        let mut args = vec!["req", "-x509", "-days", "2", "-subj", &subj];
        args.extend(ec);
        args.extend(["-keyout", &key, "-out", &pem]);
        args.extend(["-addext", "basicConstraints=critical,CA:TRUE"]);
        args.extend(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        openssl(p, &args);
    }
    let mut args = vec!["req", "-subj", "/CN=userstream test server"];
    args.extend(ec);
    args.extend(["-keyout", "server.key", "-out", "server.csr"]);
    openssl(p, &args);
    std::fs::write(
        p.join("server.ext"),
        format!(
            "subjectAltName={san}\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
        ),
    )
    .unwrap();
    openssl(
        p,
        &[
            "x509",
            "-req",
            "-days",
            "2",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
    );
    Some(Certs { dir })
}

/// stunnel terminating TLS on a port of its own and forwarding to `target`.
pub struct Stunnel {
    pub addr: SocketAddr,
    child: Child,
    _conf: tempfile::TempDir,
}

impl Stunnel {
    /// Starts stunnel in front of `target` with `certs`' server certificate; `None` (reported
    /// as skipped) when `stunnel4` is missing. Returns once the port accepts connections.
    pub fn start(test: &str, certs: &Certs, target: SocketAddr) -> Option<Stunnel> {
        let bin = ["stunnel4", "stunnel"].into_iter().find(|b| tool(b));
        let Some(bin) = bin else {
            super::missing(test, "stunnel4 (scripts/install-deps.sh installs it)");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let conf = tempfile::tempdir().unwrap();
        let path = conf.path().join("stunnel.conf");
        std::fs::write(
            &path,
            format!(
                "foreground = yes\npid =\ndebug = 3\n\n[tls]\naccept = {addr}\nconnect = {target}\n\
                 cert = {}\nkey = {}\n",
                certs.server_cert().display(),
                certs.server_key().display()
            ),
        )
        .unwrap();
        let log = conf.path().join("stunnel.log");
        let mut child = Command::new(bin)
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while TcpStream::connect(addr).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                let err = std::fs::read_to_string(&log).unwrap_or_default();
                panic!("stunnel exited ({status}): {err}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "stunnel did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Stunnel {
            addr,
            child,
            _conf: conf,
        })
    }
}

impl Drop for Stunnel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
