//! A throwaway PostgreSQL cluster for the whole test binary: `initdb` + `pg_ctl`
//! under `target/test-pg/`, on a private port of 127.0.0.1, with the Supabase roles
//! and `supabase/migrations/*.sql` applied to a template database. Each test clones
//! the template into a database of its own. The cluster is stopped when the test
//! binary exits (and a cluster left behind by a killed run is removed next time).

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{Mutex, OnceLock},
};

pub const TEMPLATE_DB: &str = "autoapply_template";

pub struct Cluster {
    pub dir: PathBuf,
    pub port: u16,
    bindir: PathBuf,
    as_postgres: bool,
    create_lock: Mutex<u32>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(Cluster::start)
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind 127.0.0.1:0")
        .local_addr()
        .unwrap()
        .port()
}

fn find_bindir() -> PathBuf {
    if let Ok(dir) = std::env::var("AUTOAPPLY_PG_BINDIR") {
        return dir.into();
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path().join("bin"))
                .filter(|p| p.join("initdb").exists())
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions.pop().unwrap_or_else(|| {
        panic!(
            "PostgreSQL server binaries not found under /usr/lib/postgresql: run the README's test \
             command (scripts/test.sh), which installs them, or set AUTOAPPLY_PG_BINDIR"
        )
    })
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions
    unsafe { libc::geteuid() == 0 }
}

fn run(mut cmd: Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    if !out.status.success() {
        panic!(
            "{what} failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

extern "C" fn stop_cluster_at_exit() {
    if let Some(c) = CLUSTER.get() {
        c.stop();
    }
}

impl Cluster {
    fn pg_command(&self, tool: &str) -> Command {
        let bin = self.bindir.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(bin);
            c
        } else {
            Command::new(bin)
        }
    }

    fn start() -> Self {
        let bindir = find_bindir();
        let root = manifest_dir().join("target").join("test-pg");
        std::fs::create_dir_all(&root).unwrap();
        let as_postgres = is_root();
        // a cluster of a run that was killed: stop it and remove it
        for entry in std::fs::read_dir(&root).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.strip_prefix("cluster-") else {
                continue;
            };
            if Path::new(&format!("/proc/{pid}")).exists() {
                continue;
            }
            let data = entry.path().join("data");
            if data.join("postmaster.pid").exists() {
                let mut stop = if as_postgres {
                    let mut c = Command::new("runuser");
                    c.args(["-u", "postgres", "--"]).arg(bindir.join("pg_ctl"));
                    c
                } else {
                    Command::new(bindir.join("pg_ctl"))
                };
                let _ = stop
                    .args(["-D"])
                    .arg(&data)
                    .args(["-m", "immediate", "stop"])
                    .output();
            }
            let _ = std::fs::remove_dir_all(entry.path());
        }
        let dir = root.join(format!("cluster-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        if as_postgres {
            // the cluster's files belong to postgres; it must reach them through target/
            let mut chown = Command::new("chown");
            chown.args(["-R", "postgres:"]).arg(&dir);
            run(chown, "chown test cluster");
            for ancestor in dir.ancestors().skip(1) {
                if ancestor == Path::new("/") {
                    break;
                }
                let mut chmod = Command::new("chmod");
                chmod.arg("o+x").arg(ancestor);
                let _ = chmod.output();
            }
        }
        let port = free_port();
        let cluster = Self {
            dir: dir.clone(),
            port,
            bindir,
            as_postgres,
            create_lock: Mutex::new(0),
        };
        let data = dir.join("data");
        let mut initdb = cluster.pg_command("initdb");
        initdb.arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        run(initdb, "initdb");
        let mut start = cluster.pg_command("pg_ctl");
        start
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("postgres.log"))
            .args(["-w", "-t", "60", "-o"])
            .arg(format!(
                "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' \
                 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
                 -c timezone=UTC"
            ))
            .arg("start");
        run(start, "pg_ctl start");
        // SAFETY: registering a plain extern "C" fn
        unsafe {
            libc::atexit(stop_cluster_at_exit);
        }
        cluster.psql("postgres", &format!("create database {TEMPLATE_DB}"));
        let mut files = vec![manifest_dir().join("tests/integration/support/supabase_roles.sql")];
        let mut migrations: Vec<PathBuf> =
            std::fs::read_dir(manifest_dir().join("supabase/migrations"))
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "sql"))
                .collect();
        migrations.sort();
        assert!(!migrations.is_empty(), "no migrations found");
        files.extend(migrations);
        for file in files {
            let mut cmd = cluster.psql_command(TEMPLATE_DB);
            cmd.arg("-f").arg(&file);
            run(cmd, &format!("apply {}", file.display()));
        }
        cluster
    }

    fn stop(&self) {
        let mut stop = self.pg_command("pg_ctl");
        stop.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "stop"]);
        let _ = stop.output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    pub fn psql_command(&self, db: &str) -> Command {
        let mut cmd = Command::new(self.bindir.join("psql"));
        cmd.args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
        ])
        .arg("-p")
        .arg(self.port.to_string())
        .arg("-d")
        .arg(db);
        cmd
    }

    /// Runs SQL as the superuser; returns psql's unaligned, tuples-only output.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let mut cmd = self.psql_command(db);
        cmd.arg("-c").arg(sql);
        run(cmd, &format!("psql {sql}")).trim().to_owned()
    }

    /// A fresh database cloned from the migrated template.
    pub fn create_database(&self) -> String {
        let mut n = self.create_lock.lock().unwrap();
        *n += 1;
        let name = format!("t{}_{}", std::process::id(), *n);
        self.psql(
            "postgres",
            &format!("create database {name} template {TEMPLATE_DB}"),
        );
        name
    }
}
