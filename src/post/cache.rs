//! `--cache FILE`: incremental scans. A file whose device, inode, size, modification and change
//! times (to the nanosecond) are unchanged since it was last scanned with the same rules, lists,
//! result-changing options and minerscan version is not read again: its last result is
//! reported. The cache is a redb database (an embedded, crash-safe B-tree store). Workers look
//! results up; the writer hands finished results to a flusher thread that commits them in one
//! transaction per second, so an interrupted scan loses at most the last second of work.
//!
//! Never trusted: a file that does not open as our database, fails redb's integrity check or
//! lacks our marker is rebuilt; every record carries a checksum and a record that fails it is a
//! miss; a different configuration key (rules, lists, options, version) empties it.

use crate::judge::finding::Finding;
use crate::judge::verdict::Verdict;
use crate::outcome::triage::{CacheStats, FileTriage};
use crate::outcome::FileMeta;
use crate::outcome::{FileReport, Summary};
use crate::post::{Disposition, Stage};
use crate::scan::digests::Digests;
use crate::scan::kind::FileKind;
use anyhow::{bail, Context, Result};
use redb::{Database, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FILES: TableDefinition<&str, &[u8]> = TableDefinition::new("files");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("minerscan");
const MARKER: &[u8] = b"minerscan result cache, format 1";
/// The thread that opens the database: a panic there is a damaged cache, not a bug of ours.
pub(crate) const OPENING_THREAD: &str = "minerscan-worker-cache-open";
/// Finished results are committed at least this often.
const COMMIT_EVERY: Duration = Duration::from_secs(1);

/// The identity of a file's contents as far as the cache can tell without reading it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: i64,
    mtime_nsec: i64,
    ctime: i64,
    ctime_nsec: i64,
}

impl Stamp {
    fn of(meta: &FileMeta, size: u64) -> Stamp {
        Stamp {
            dev: meta.dev,
            ino: meta.ino,
            size,
            mtime: meta.mtime,
            mtime_nsec: meta.mtime_nsec,
            ctime: meta.ctime,
            ctime_nsec: meta.ctime_nsec,
        }
    }
}

/// What is kept of one file's result.
#[derive(Serialize, Deserialize)]
struct Record {
    stamp: Stamp,
    size: u64,
    kind: FileKind,
    digests: Digests,
    verdict: Verdict,
    findings: Vec<Finding>,
    header_only: bool,
    triage: FileTriage,
    /// `FileReport::digests_if_flagged`, so that a file a link raises after a scan from the
    /// cache shows them too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    digests_if_flagged: Option<Digests>,
}

/// A path and its encoded record, on the way to the flusher.
type Queued = (String, Vec<u8>);

pub struct Cache {
    /// (device, inode) of the cache file, so that the scan never reads it.
    pub identity: (u64, u64),
    db: Arc<Database>,
    pending: Mutex<Option<crossbeam_channel::Sender<Queued>>>,
    flusher: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// The first problem writing the cache (reported once, at the end).
    pub write_error: Arc<Mutex<Option<String>>>,
    pub hits: AtomicU64,
    pub stored: Arc<AtomicU64>,
    /// Why the cache was rebuilt on opening, if it was.
    pub rebuilt: Option<String>,
}

impl Cache {
    /// Opens (or creates) the cache at `path` for scans with configuration `key`.
    ///
    /// A cache is created only where nothing exists (or in an empty file), with mode 0600. An
    /// existing file is used only if it is a regular file that no one but the scanning user can
    /// write (a forged record would make a miner clean), and rebuilt only if it is recognisably
    /// a minerscan cache (redb's header and our marker) that is damaged or from another
    /// configuration. Anything else is refused: `--cache` pointed at the wrong file must not
    /// destroy it.
    pub fn open(path: &Path, key: &str) -> Result<Cache> {
        let shown = path.display();
        let file = open_cache_file(path).with_context(|| format!("--cache {shown}"))?;
        let md = file
            .metadata()
            .with_context(|| format!("--cache {shown}"))?;
        // Only our own file is ever handed to the database engine, which writes as it opens.
        if md.len() > 0 && !is_recognisably_ours(&file) {
            bail!(
                "--cache {shown}: not a minerscan cache, refusing to replace it (name a new file)"
            );
        }
        let mut identity = (md.dev(), md.ino());
        let (db, rebuilt) = match Self::open_guarded(file, key) {
            Ok(x) => x,
            Err(Reject::InUse) => bail!("--cache {shown}: in use by another minerscan process"),
            Err(Reject::Foreign(why)) => bail!(
                "--cache {shown}: {why}: not a minerscan cache, refusing to replace it (name a new file)"
            ),
            Err(Reject::Untrusted(why)) => {
                // Ours but damaged: never trusted, rebuilt from nothing in a fresh file.
                std::fs::remove_file(path).with_context(|| format!("--cache {shown}: removing"))?;
                let file = open_cache_file(path).with_context(|| format!("--cache {shown}"))?;
                let md = file
                    .metadata()
                    .with_context(|| format!("--cache {shown}"))?;
                identity = (md.dev(), md.ino());
                let (db, _) = Self::open_guarded(file, key).map_err(|e| match e {
                    Reject::InUse => anyhow::anyhow!("--cache {shown}: in use"),
                    Reject::Untrusted(w) | Reject::Foreign(w) => {
                        anyhow::anyhow!("--cache {shown}: {w}")
                    }
                })?;
                (db, Some(why))
            }
        };
        let db = Arc::new(db);
        let write_error = Arc::new(Mutex::new(None));
        let stored = Arc::new(AtomicU64::new(0));
        let (tx, rx) = crossbeam_channel::bounded::<(String, Vec<u8>)>(4096);
        let flusher = {
            let db = db.clone();
            let write_error = write_error.clone();
            let stored = stored.clone();
            std::thread::Builder::new()
                .name("minerscan-cache".into())
                .spawn(move || flush_loop(&db, &rx, &write_error, &stored))
                .context("starting the cache writer")?
        };
        Ok(Cache {
            identity,
            db,
            pending: Mutex::new(Some(tx)),
            flusher: Mutex::new(Some(flusher)),
            write_error,
            hits: AtomicU64::new(0),
            stored,
            rebuilt,
        })
    }

    /// `open_checked` where a panic is a damaged cache: redb asserts instead of returning an
    /// error on some damaged files (one shorter than the layout its header declares, as a
    /// truncated copy or a full disk leaves it), which took the whole scan down. On a thread of
    /// its own, named so that the panic hook keeps it quiet (see `cli::commands::run`).
    fn open_guarded(file: std::fs::File, key: &str) -> Result<(Database, Option<String>), Reject> {
        std::thread::scope(|s| {
            let opening = std::thread::Builder::new()
                .name(OPENING_THREAD.into())
                .spawn_scoped(s, || Self::open_checked(file, key))
                .map_err(|e| Reject::Untrusted(format!("cannot open it ({e})")))?;
            opening.join().unwrap_or_else(|_| {
                Err(Reject::Untrusted(
                    "not a readable cache (the database engine failed on it)".into(),
                ))
            })
        })
    }

    fn open_checked(file: std::fs::File, key: &str) -> Result<(Database, Option<String>), Reject> {
        let mut db = match Database::builder().create_file(file) {
            Ok(db) => db,
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => return Err(Reject::InUse),
            Err(e) => return Err(Reject::Untrusted(format!("not a readable cache ({e})"))),
        };
        match db.check_integrity() {
            Ok(true) => {}
            Ok(false) => return Err(Reject::Untrusted("failed its integrity check".into())),
            Err(e) => return Err(Reject::Untrusted(format!("integrity check failed ({e})"))),
        }
        let untrusted = |e: &dyn std::fmt::Display| Reject::Untrusted(e.to_string());
        // A database with tables but without our marker is someone else's: not ours to use.
        let (marker, stored_key, has_files) = {
            let r = db.begin_read().map_err(|e| untrusted(&e))?;
            let tables = r.list_tables().map_err(|e| untrusted(&e))?.count();
            match r.open_table(META) {
                Ok(t) => {
                    let m = t.get("marker").map_err(|e| untrusted(&e))?;
                    let k = t.get("config").map_err(|e| untrusted(&e))?;
                    (
                        m.map(|v| v.value().to_vec()),
                        k.map(|v| v.value().to_vec()),
                        tables > 1,
                    )
                }
                Err(redb::TableError::TableDoesNotExist(_)) if tables == 0 => (None, None, false),
                Err(redb::TableError::TableDoesNotExist(_)) => {
                    return Err(Reject::Foreign("a database of another program".into()))
                }
                Err(e) => return Err(untrusted(&e)),
            }
        };
        let mut note = None;
        match marker.as_deref() {
            Some(MARKER) => {}
            None if !has_files && stored_key.is_none() => {}
            _ => return Err(Reject::Foreign("a database of another program".into())),
        }
        if stored_key.as_deref() != Some(key.as_bytes()) {
            if stored_key.is_some() {
                note = Some("rules, lists, options or version changed".to_owned());
            }
            let w = db.begin_write().map_err(|e| untrusted(&e))?;
            w.delete_table(FILES).map_err(|e| untrusted(&e))?;
            {
                let mut t = w.open_table(META).map_err(|e| untrusted(&e))?;
                t.insert("marker", MARKER).map_err(|e| untrusted(&e))?;
                t.insert("config", key.as_bytes())
                    .map_err(|e| untrusted(&e))?;
                w.open_table(FILES).map_err(|e| untrusted(&e))?;
            }
            w.commit().map_err(|e| untrusted(&e))?;
        }
        Ok((db, note))
    }

    /// The last result for `report.path` if the file is unchanged: fills `report` and says so.
    pub fn lookup(&self, report: &mut FileReport, meta: &FileMeta, size: u64) -> bool {
        if report.path_bytes.is_some() {
            return false;
        }
        let Some(record) = self.get(&report.path) else {
            return false;
        };
        if record.stamp != Stamp::of(meta, size) {
            return false;
        }
        report.size = record.size;
        report.kind = record.kind;
        report.digests = record.digests;
        report.verdict = record.verdict;
        report.header_only = record.header_only;
        if record.header_only {
            report.skipped = Some(crate::outcome::problems::SkipReason::TooLarge);
        }
        report.findings = record.findings;
        report.triage = record.triage;
        report.triage.cached = true;
        report.digests_if_flagged = (record.digests_if_flagged.as_ref())
            .map(|d| Box::new(crate::scan::digests::StreamedDigests::from_hex(d)));
        self.hits.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Reads every stored record as `lookup` would and counts those that decode: what the
    /// fuzz target asks of an opened cache, since lookups need a path it cannot guess.
    pub(crate) fn readable_records(&self) -> usize {
        let Ok(r) = self.db.begin_read() else {
            return 0;
        };
        let Ok(t) = r.open_table(FILES) else {
            return 0;
        };
        let Ok(rows) = t.iter() else { return 0 };
        rows.flatten()
            .filter(|(_, v)| decode(v.value()).is_some())
            .count()
    }

    fn get(&self, key: &str) -> Option<Record> {
        let r = self.db.begin_read().ok()?;
        let t = r.open_table(FILES).ok()?;
        let v = t.get(key).ok()??;
        decode(v.value())
    }

    /// Queues a fresh result for the next commit (called by the writer, in walk order).
    pub fn store(&self, report: &FileReport) {
        if report.triage.cached
            || report.process.is_some()
            || report.path_bytes.is_some()
            || report.not_scanned
            || !report.errors.is_empty()
            // Never keep a result that is not whole: the next scan must try again.
            || !report.incomplete().is_empty()
            || !(report.skipped.is_none() || report.header_only)
        {
            return;
        }
        let Some(meta) = &report.meta else { return };
        let record = Record {
            stamp: Stamp::of(meta, report.size),
            size: report.size,
            kind: report.kind,
            digests: report.digests.clone(),
            verdict: report.verdict.clone(),
            findings: report.findings.clone(),
            header_only: report.header_only,
            triage: FileTriage {
                cached: false,
                ..report.triage.clone()
            },
            digests_if_flagged: report.digests_if_flagged.as_ref().map(|d| d.to_hex()),
        };
        if let Some(tx) = self.pending.lock().unwrap().as_ref() {
            let _ = tx.send((report.path.clone(), encode(&record)));
        }
    }

    /// Commits what is queued and stops the flusher.
    pub fn finish(&self) {
        self.pending.lock().unwrap().take();
        if let Some(h) = self.flusher.lock().unwrap().take() {
            let _ = h.join();
        }
    }
}

/// The cache as a post stage: every result is queued as it leaves (walk order), and the
/// queue committed after the walk, with the statistics in the summary.
pub struct CacheStage(pub Arc<Cache>);

impl Stage for CacheStage {
    fn file(&mut self, report: &mut FileReport) -> Disposition {
        self.0.store(report);
        Disposition::Pass
    }

    fn finish(&mut self, summary: &mut Summary) {
        let c = &self.0;
        c.finish();
        summary.triage.get_or_insert_default().cache = Some(CacheStats {
            hits: c.hits.load(Ordering::Relaxed),
            stored: c.stored.load(Ordering::Relaxed),
            rebuilt: c.rebuilt.clone(),
            write_error: c.write_error.lock().unwrap().clone(),
        });
    }
}

impl Drop for Cache {
    fn drop(&mut self) {
        self.finish();
    }
}

enum Reject {
    InUse,
    /// Not ours: refused, never replaced.
    Foreign(String),
    /// Damaged: rebuilt if it is recognisably ours.
    Untrusted(String),
}

/// Opens the cache file without following a symbolic link: creates it (0600) where nothing
/// exists, or opens an existing regular file that only the scanning user can write.
fn open_cache_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let open = |create: bool| {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(create)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(path)
    };
    let file = match open(true) {
        Ok(f) => return Ok(f),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match open(false) {
            Ok(f) => f,
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err(std::io::Error::other(
                    "is a symbolic link, which is not followed (name the file itself)",
                ))
            }
            Err(e) => return Err(e),
        },
        Err(e) => return Err(e),
    };
    let md = file.metadata()?;
    if !md.file_type().is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if md.uid() != me {
        return Err(std::io::Error::other(format!(
            "owned by uid {}, not by the scanning user (uid {me}): its records cannot be trusted",
            md.uid()
        )));
    }
    if md.mode() & 0o022 != 0 {
        return Err(std::io::Error::other(format!(
            "writable by others (mode {:o}): its records cannot be trusted",
            md.mode() & 0o7777
        )));
    }
    Ok(file)
}

/// Whether a file is recognisably a minerscan cache, even a damaged one: redb's header and our
/// marker somewhere in it. Anything else at that path is someone's data.
fn is_recognisably_ours(file: &std::fs::File) -> bool {
    use std::os::unix::fs::FileExt;
    const REDB_MAGIC: &[u8] = b"redb\x1a\x0a\xa9\x0d\x0a";
    let mut head = [0u8; 9];
    if file.read_exact_at(&mut head, 0).is_err() || head != REDB_MAGIC {
        return false;
    }
    // Read at offsets (the database engine shares the descriptor's position); the marker may
    // straddle two chunks, so each chunk keeps the end of the previous one.
    let finder = memchr::memmem::Finder::new(MARKER);
    let keep = MARKER.len() - 1;
    let mut buf = vec![0u8; (1 << 20) + keep];
    let mut carried = 0;
    let mut offset = 0u64;
    loop {
        let n = match file.read_at(&mut buf[carried..], offset) {
            Ok(0) => return false,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        offset += n as u64;
        let filled = carried + n;
        if finder.find(&buf[..filled]).is_some() {
            return true;
        }
        carried = keep.min(filled);
        buf.copy_within(filled - carried..filled, 0);
    }
}

/// A record is its JSON behind the first 16 bytes of its SHA-256: a flipped bit is a miss.
fn encode(record: &Record) -> Vec<u8> {
    let json = serde_json::to_vec(record).unwrap_or_default();
    let mut out = Sha256::digest(&json)[..16].to_vec();
    out.extend_from_slice(&json);
    out
}

fn decode(bytes: &[u8]) -> Option<Record> {
    if bytes.len() < 16 || Sha256::digest(&bytes[16..])[..16] != bytes[..16] {
        return None;
    }
    serde_json::from_slice(&bytes[16..]).ok()
}

fn flush_loop(
    db: &Database,
    rx: &crossbeam_channel::Receiver<(String, Vec<u8>)>,
    write_error: &Mutex<Option<String>>,
    stored: &AtomicU64,
) {
    let mut batch: Vec<(String, Vec<u8>)> = Vec::new();
    let mut since = Instant::now();
    loop {
        let wait = COMMIT_EVERY.saturating_sub(since.elapsed());
        let closed = match rx.recv_timeout(wait) {
            Ok(item) => {
                if batch.is_empty() {
                    since = Instant::now();
                }
                batch.push(item);
                false
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => false,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => true,
        };
        if !batch.is_empty() && (closed || since.elapsed() >= COMMIT_EVERY) {
            match commit(db, &batch) {
                Ok(()) => {
                    stored.fetch_add(batch.len() as u64, Ordering::Relaxed);
                }
                Err(e) => {
                    write_error.lock().unwrap().get_or_insert(e);
                }
            }
            batch.clear();
            since = Instant::now();
        }
        if closed {
            return;
        }
    }
}

fn commit(db: &Database, batch: &[(String, Vec<u8>)]) -> Result<(), String> {
    let w = db.begin_write().map_err(|e| e.to_string())?;
    {
        let mut t = w.open_table(FILES).map_err(|e| e.to_string())?;
        for (k, v) in batch {
            t.insert(k.as_str(), v.as_slice())
                .map_err(|e| e.to_string())?;
        }
    }
    w.commit().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_reject_flipped_bits() {
        let record = Record {
            stamp: Stamp {
                dev: 1,
                ino: 2,
                size: 3,
                mtime: 4,
                mtime_nsec: 5,
                ctime: 6,
                ctime_nsec: 7,
            },
            size: 3,
            kind: FileKind::Text,
            digests: Digests::default(),
            verdict: Verdict::clean(),
            findings: Vec::new(),
            header_only: false,
            triage: FileTriage::default(),
            digests_if_flagged: None,
        };
        let mut bytes = encode(&record);
        assert_eq!(decode(&bytes).unwrap().stamp, record.stamp);
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        assert!(decode(&bytes).is_none());
    }

    #[test]
    fn a_truncated_cache_is_rebuilt_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.redb");
        {
            let c = Cache::open(&path, "k").unwrap();
            assert!(c.rebuilt.is_none());
        }
        // Cut short, as a full disk or an interrupted copy leaves it: still recognisably ours
        // (redb's header, our marker), but shorter than the layout its header declares.
        let bytes = std::fs::read(&path).unwrap();
        let at = memchr::memmem::find(&bytes, MARKER).unwrap();
        let mut cut = bytes[..(64 << 10).min(bytes.len() / 2)].to_vec();
        cut.extend_from_slice(&bytes[at..at + MARKER.len()]);
        std::fs::write(&path, &cut).unwrap();
        let c = Cache::open(&path, "k").expect("a damaged cache of ours is rebuilt");
        let why = c.rebuilt.clone().expect("and says why");
        assert!(why.contains("not a readable cache"), "{why}");
        assert_eq!(c.readable_records(), 0);
    }
}
