//! The real outside parts a test starts itself: PostgreSQL (Debian's, as the `postgres` user in a
//! temporary directory on a free loopback port), Debian's postgres_exporter, and Python programs
//! run by the pinned venv that `scripts/install-tools.sh test` makes. Each is stopped when
//! dropped; a part that is missing fails the test, naming how to install it.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use tokio::process::{Child, Command};

use crate::{TempDir, free_port};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A PostgreSQL 15 server of its own.
pub struct Postgres {
    dir: TempDir,
    pub port: u16,
}

impl Postgres {
    pub fn start() -> Postgres {
        assert!(
            Path::new(PG_BIN).join("initdb").exists(),
            "PostgreSQL 15 is missing at {PG_BIN}: run scripts/install-tools.sh test"
        );
        let dir = TempDir::new("postgres");
        let data = dir.path().join("data");
        run(StdCommand::new("chown").arg("postgres").arg(dir.path()));
        run(as_postgres(&format!("{PG_BIN}/initdb")).args(["-A", "trust", "-U", "postgres", "-D"]).arg(&data));
        let port = free_port();
        let options = format!("-p {port} -k {} -c listen_addresses=127.0.0.1", dir.path().display());
        run(as_postgres(&format!("{PG_BIN}/pg_ctl"))
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-w", "-l"])
            .arg(dir.path().join("log"))
            .arg("start"));
        Postgres { dir, port }
    }

    /// A libpq connection string.
    pub fn dsn(&self) -> String {
        format!("host=127.0.0.1 port={} user=postgres dbname=postgres", self.port)
    }

    /// The same as a URL, as exporters take it.
    pub fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres?sslmode=disable", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = as_postgres(&format!("{PG_BIN}/pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

fn as_postgres(program: &str) -> StdCommand {
    let mut command = StdCommand::new("runuser");
    command.args(["-u", "postgres", "--", program]);
    command
}

fn run(command: &mut StdCommand) {
    let output = command.output().expect("cannot run a PostgreSQL command");
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Debian's `prometheus-postgres-exporter` on a free port, reading `postgres`.
pub fn postgres_exporter(postgres: &Postgres) -> (Child, u16) {
    let binary = "/usr/bin/prometheus-postgres-exporter";
    assert!(Path::new(binary).exists(), "{binary} is missing: run scripts/install-tools.sh test");
    let port = free_port();
    let child = Command::new(binary)
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .env("DATA_SOURCE_NAME", postgres.url())
        .kill_on_drop(true)
        .spawn()
        .expect("cannot start postgres_exporter");
    (child, port)
}

/// The Python of the tests' venv, with the pinned clients of `tests/python/requirements.txt`.
pub fn python() -> PathBuf {
    let tools = std::env::var("LOOKOUT_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/lookout-tools"));
    let python = tools.join("venv/bin/python");
    assert!(python.exists(), "{} is missing: run scripts/install-tools.sh test", python.display());
    python
}

/// A script of `tests/python`, run by [`python`] with `args`, killed when dropped.
pub fn python_script(script: &str, args: &[&str]) -> Child {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("python").join(script);
    Command::new(python()).arg(path).args(args).kill_on_drop(true).spawn().expect("cannot start a Python helper")
}
