//! The ZIP package of a workbook: its directory, and its parts inflated as
//! streams whose size is counted as they come out.
//!
//! The `zip` crate reads the central directory. The parts are then inflated
//! here (raw DEFLATE through `flate2`, which `zip` uses itself) from their
//! offsets in the file, so that a part's reader owns the file handle: the
//! worksheet can be read row by row across calls, which a `zip::ZipFile`
//! borrowed from its archive cannot do. No size the ZIP declares is trusted:
//! [`PartReader`] counts the inflated bytes and fails as soon as they pass
//! the limit, and checks the CRC at the end.

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};

use flate2::Crc;
use flate2::read::DeflateDecoder;
use zip::CompressionMethod;

use crate::{Limit, ReadError};

/// What an XLSX is read from: the file, or the upload in memory.
pub(crate) trait ReadSeek: Read + Seek + Send {}

impl<T: Read + Seek + Send> ReadSeek for T {}

/// More entries than this is not a workbook a person made (Excel writes a
/// few dozen); refusing early bounds the directory kept in memory.
const MAX_ENTRIES: usize = 65_536;

/// Where a part's bytes are, from the central directory.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    header_start: u64,
    compressed_size: u64,
    /// The unpacked size the ZIP claims: a hint for reserving memory, never
    /// a limit (the bytes that come out are counted).
    declared_size: u64,
    crc32: u32,
    deflated: bool,
}

/// An opened workbook file.
pub(crate) struct Package {
    file: Box<dyn ReadSeek>,
    /// By lower-case name: part names are case-insensitive in OPC.
    entries: HashMap<String, Entry>,
}

impl Package {
    /// Reads the ZIP directory.
    pub(crate) fn open(mut file: Box<dyn ReadSeek>) -> Result<Package, ReadError> {
        let bad = |err: zip::result::ZipError| ReadError::NotXlsx(err.to_string());
        let archive = zip::ZipArchive::new(&mut file).map_err(bad)?;
        if archive.len() > MAX_ENTRIES {
            return Err(ReadError::NotXlsx(format!(
                "it holds more than {MAX_ENTRIES} files"
            )));
        }
        let mut entries = HashMap::with_capacity(archive.len());
        for index in 0..archive.len() {
            let entry = archive.by_index_data(index).map_err(bad)?;
            let Ok(name) = entry.name() else { continue };
            let deflated = match entry.compression() {
                CompressionMethod::Deflated => true,
                CompressionMethod::Stored => false,
                // Excel only deflates; other methods are refused if such a
                // part is ever read.
                _ => continue,
            };
            if entry.encrypted() || entry.is_dir() {
                continue;
            }
            let name = name.trim_start_matches('/').to_owned();
            entries.insert(
                name.to_lowercase(),
                Entry {
                    name,
                    header_start: entry.header_start(),
                    compressed_size: entry.compressed_size(),
                    declared_size: entry.size(),
                    crc32: entry.crc32(),
                    deflated,
                },
            );
        }
        drop(archive);
        Ok(Package { file, entries })
    }

    /// The unpacked size the ZIP claims for a part (0 when there is none).
    /// Only a hint: it may lie.
    pub(crate) fn declared_size(&self, name: &str) -> u64 {
        self.entries
            .get(&name.to_lowercase())
            .map_or(0, |e| e.declared_size)
    }

    /// Whether the package has a part of that name.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.entries.contains_key(&name.to_lowercase())
    }

    /// A reader of the part `name` (borrowing the file), or `None` if there
    /// is no such part. It fails once more than `limit` bytes came out.
    pub(crate) fn part(
        &mut self,
        name: &str,
        limit: u64,
    ) -> Result<Option<PartReader<&mut (dyn ReadSeek + 'static)>>, ReadError> {
        let Some(entry) = self.entries.get(&name.to_lowercase()).cloned() else {
            return Ok(None);
        };
        PartReader::new(&mut *self.file, entry, limit).map(Some)
    }

    /// Like [`Package::part`], but the reader takes the file with it.
    pub(crate) fn into_part(
        self,
        name: &str,
        limit: u64,
    ) -> Result<Option<PartReader<Box<dyn ReadSeek>>>, ReadError> {
        let Some(entry) = self.entries.get(&name.to_lowercase()).cloned() else {
            return Ok(None);
        };
        PartReader::new(self.file, entry, limit).map(Some)
    }
}

/// Marker errors of [`PartReader`], carried through `quick-xml` as
/// `io::Error`s and turned back by [`part_error`].
#[derive(Debug)]
enum PartFault {
    TooLarge { limit: u64 },
    Damaged { part: String },
}

impl std::fmt::Display for PartFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PartFault::TooLarge { limit } => write!(f, "part larger than {limit} bytes"),
            PartFault::Damaged { part } => write!(f, "{part} is damaged (wrong checksum)"),
        }
    }
}

impl std::error::Error for PartFault {}

/// Turns an I/O error from a part reader into the [`ReadError`] it stands
/// for: the part limit, a damaged part, or a plain I/O failure.
pub(crate) fn part_error(err: &io::Error, part: &str) -> ReadError {
    match err.get_ref().and_then(|e| e.downcast_ref::<PartFault>()) {
        Some(PartFault::TooLarge { limit }) => ReadError::Limit {
            what: Limit::PartSize,
            limit: *limit,
            line: None,
            cell: None,
        },
        Some(PartFault::Damaged { part }) => ReadError::NotXlsx(format!("{part} is damaged")),
        None => match err.kind() {
            io::ErrorKind::InvalidData
            | io::ErrorKind::InvalidInput
            | io::ErrorKind::UnexpectedEof => {
                ReadError::NotXlsx(format!("{part} is damaged: {err}"))
            }
            kind => ReadError::Io(io::Error::new(kind, err.to_string())),
        },
    }
}

enum Inflate<R> {
    Stored(io::Take<R>),
    Deflated(DeflateDecoder<io::Take<R>>),
}

/// The inflated bytes of one part, counted against a limit.
pub(crate) struct PartReader<R> {
    inner: Inflate<R>,
    name: String,
    /// `None` once the caller has chosen not to check it again.
    crc: Option<Crc>,
    expected_crc: u32,
    read: u64,
    limit: u64,
    finished: bool,
}

impl<R: Read + Seek> PartReader<R> {
    fn new(mut file: R, entry: Entry, limit: u64) -> Result<Self, ReadError> {
        let damaged = |what: &str| ReadError::NotXlsx(format!("{} is damaged: {what}", entry.name));
        // The local header: signature, 22 bytes, name length, extra length.
        let mut header = [0u8; 30];
        file.seek(SeekFrom::Start(entry.header_start))?;
        file.read_exact(&mut header)
            .map_err(|_| damaged("its header is cut off"))?;
        let le16 = |at: usize| {
            header
                .get(at..at + 2)
                .and_then(|b| <[u8; 2]>::try_from(b).ok())
                .map_or(0, |b| u64::from(u16::from_le_bytes(b)))
        };
        if !header.starts_with(b"PK\x03\x04") {
            return Err(damaged("its header is missing"));
        }
        let data_start = entry.header_start.saturating_add(30 + le16(26) + le16(28));
        file.seek(SeekFrom::Start(data_start))?;
        let raw = file.take(entry.compressed_size);
        let inner = if entry.deflated {
            Inflate::Deflated(DeflateDecoder::new(raw))
        } else {
            Inflate::Stored(raw)
        };
        Ok(PartReader {
            inner,
            name: entry.name,
            crc: Some(Crc::new()),
            expected_crc: entry.crc32,
            read: 0,
            limit,
            finished: false,
        })
    }
}

impl<R> PartReader<R> {
    /// The part's name in the package, e.g. `xl/worksheets/sheet1.xml`.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Skips the checksum, for a part already read whole once.
    pub(crate) fn without_checksum(mut self) -> Self {
        self.crc = None;
        self
    }
}

impl<R: Read> Read for PartReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.finished || buf.is_empty() {
            return Ok(0);
        }
        let n = match &mut self.inner {
            Inflate::Stored(raw) => raw.read(buf)?,
            Inflate::Deflated(inflate) => inflate.read(buf)?,
        };
        if n == 0 {
            self.finished = true;
            if self
                .crc
                .as_ref()
                .is_some_and(|crc| crc.sum() != self.expected_crc)
            {
                return Err(io::Error::other(PartFault::Damaged {
                    part: self.name.clone(),
                }));
            }
            return Ok(0);
        }
        self.read = self.read.saturating_add(n as u64);
        if self.read > self.limit {
            return Err(io::Error::other(PartFault::TooLarge { limit: self.limit }));
        }
        if let Some(crc) = &mut self.crc {
            crc.update(buf.get(..n).unwrap_or_default());
        }
        Ok(n)
    }
}
