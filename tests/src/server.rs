//! Starting and stopping the real `lookout` binary for a test.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let unique = format!(
            "lookout-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
        );
        let path = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary under test: `LOOKOUT_BIN`, or the workspace's debug build.
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("LOOKOUT_BIN") {
        return PathBuf::from(path);
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/lookout");
    assert!(path.exists(), "{} is missing: build it first (make test does)", path.display());
    path
}

/// A running Lookout on a loopback port, killed when dropped.
pub struct Lookout {
    child: Child,
    pub url: String,
    pub data_dir: PathBuf,
    /// What it printed before the "listening" line (the first admin's password, for one).
    pub startup: Vec<String>,
    _owned_dir: Option<TempDir>,
}

impl Lookout {
    /// Starts Lookout with a fresh data directory and the given extra flags, sign-in off.
    pub async fn start(args: &[&str]) -> Lookout {
        Self::start_env(args, &[]).await
    }

    /// Starts Lookout with a fresh data directory, the given flags and environment variables:
    /// sign-in is off unless `env` sets `LOOKOUT_AUTH`.
    pub async fn start_env(args: &[&str], env: &[(&str, &str)]) -> Lookout {
        let dir = TempDir::new("data");
        let data_dir = dir.path().to_path_buf();
        Self::start_in_env(&data_dir, args, env, Some(dir)).await
    }

    /// Starts Lookout on an existing data directory, sign-in off.
    pub async fn start_in(data_dir: &Path, args: &[&str], owned: Option<TempDir>) -> Lookout {
        Self::start_in_env(data_dir, args, &[], owned).await
    }

    /// Starts Lookout on an existing data directory with environment variables, as [`Self::start_env`].
    pub async fn start_in_env(data_dir: &Path, args: &[&str], env: &[(&str, &str)], owned: Option<TempDir>) -> Lookout {
        // A free loopback port, unless the test names one (to restart on the same address).
        let listen: &[&str] = if args.contains(&"--listen") { &[] } else { &["--listen", "127.0.0.1:0"] };
        let mut child = Command::new(binary())
            .args(listen)
            .arg("--data-dir")
            .arg(data_dir)
            .args(args)
            .env("LOOKOUT_AUTH", "off")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("cannot start lookout");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut startup = Vec::new();
        let url = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(url) = line.strip_prefix("Lookout is listening on ") {
                    return url.trim_end_matches('/').to_string();
                }
                startup.push(line);
            }
            panic!("lookout exited before listening");
        })
        .await
        .expect("lookout did not start listening within 30 s");
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Lookout { child, url, data_dir: data_dir.to_path_buf(), startup, _owned_dir: owned }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("lookout already exited")
    }

    /// Sends SIGTERM and waits for the exit status.
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.pid();
        let status = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
        assert!(status.success());
        tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("lookout did not exit within 10 s of SIGTERM")
            .unwrap()
    }

    /// Kills the process at once, as `kill -9` would.
    pub async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }
}
