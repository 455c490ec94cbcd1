//! PDF through the Typst compiler, embedded as a library. The fonts are the Tinos files
//! shipped in `fonts/` (Times New Roman metrics, full Vietnamese coverage), built into the
//! binary: no system font is looked up and nothing is downloaded.

use crate::{ReportError, Result};
use std::collections::HashMap;
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

const FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../../fonts/Tinos-Regular.ttf"),
    include_bytes!("../../fonts/Tinos-Bold.ttf"),
    include_bytes!("../../fonts/Tinos-Italic.ttf"),
    include_bytes!("../../fonts/Tinos-BoldItalic.ttf"),
];

/// The family name the Typst source asks for.
pub const FONT_FAMILY: &str = "Tinos";

struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let fonts: Vec<Font> = FONT_FILES
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        Shared {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

fn file_id(path: &str) -> Result<FileId> {
    let vpath = VirtualPath::new(path)
        .map_err(|e| ReportError::Render(format!("bad virtual path {path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// A Typst world holding one main source and some in-memory files (the charts).
struct ReportWorld {
    main: Source,
    files: HashMap<FileId, Bytes>,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &shared().library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &shared().book
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        self.files.get(&id).cloned().ok_or(FileError::AccessDenied)
    }
    fn font(&self, index: usize) -> Option<Font> {
        shared().fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // Reports carry their own date; the compiler's clock is never read.
        None
    }
}

/// Compiles Typst markup with the given in-memory files (name → bytes) to PDF bytes.
pub fn compile_pdf(source: &str, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let main = Source::new(file_id("/main.typ")?, source.to_string());
    let mut map = HashMap::new();
    for (name, bytes) in files {
        map.insert(file_id(&format!("/{name}"))?, Bytes::new(bytes.clone()));
    }
    let world = ReportWorld { main, files: map };
    let doc: PagedDocument = typst::compile(&world).output.map_err(|errs| {
        ReportError::Render(
            errs.iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom("chitieu-report".into()),
        ..Default::default()
    };
    typst_pdf::pdf(&doc, &options).map_err(|errs| {
        ReportError::Render(
            errs.iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// Drops Typst's memoized results. Compiling the same report again is then as slow as the
/// first time (fonts stay loaded); a long-running server may call it to bound memory.
pub fn clear_cache() {
    typst::comemo::evict(0);
}
