//! Office documents: the OOXML family (zip + XML: DOCX, PPTX; XLSX through calamine) and the legacy OLE
//! formats (XLS through calamine; DOC from its piece table; PPT from its text atoms), with author and dates
//! from the document properties.

use super::{Budget, Kind, Parsed, field};
use cfb::CompoundFile;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::{Cursor, Read};

const MAX_PART: u64 = 128 * 1024 * 1024;

/// A zip is an Office document when it has the part its type needs.
pub(crate) fn sniff_zip(bytes: &[u8]) -> Kind {
    let Ok(zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Kind::Zip };
    let has = |name: &str| zip.index_for_name(name).is_some();
    if has("word/document.xml") {
        Kind::Docx
    } else if has("xl/workbook.xml") {
        Kind::Xlsx
    } else if has("ppt/presentation.xml") {
        Kind::Pptx
    } else if has("content.xml") && has("mimetype") {
        Kind::Odf
    } else {
        Kind::Zip
    }
}

/// An OLE file is told apart by its streams; an unreadable one falls back to its extension.
pub(crate) fn sniff_ole(bytes: &[u8], ext: &str) -> Kind {
    let Ok(ole) = CompoundFile::open(Cursor::new(bytes)) else {
        return match ext {
            "msg" => Kind::Msg,
            "doc" => Kind::Doc,
            "xls" => Kind::Xls,
            "ppt" | "pps" => Kind::Ppt,
            _ => Kind::Other,
        };
    };
    if ole.exists("/__properties_version1.0")
        || ole.exists("/__substg1.0_0037001F")
        || ole.exists("/__substg1.0_0037001E")
    {
        Kind::Msg
    } else if ole.exists("/WordDocument") {
        Kind::Doc
    } else if ole.exists("/Workbook") || ole.exists("/Book") {
        Kind::Xls
    } else if ole.exists("/PowerPoint Document") {
        Kind::Ppt
    } else {
        Kind::Other
    }
}

fn zip_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let file = zip.by_name(name).ok()?;
    let mut out = Vec::new();
    file.take(MAX_PART).read_to_end(&mut out).ok()?;
    Some(out)
}

/// The text of the elements named `text_tag` (e.g. `w:t`), with a line break after each `para_tag`.
fn xml_text(xml: &[u8], text_tag: &[u8], para_tag: &[u8]) -> String {
    let mut reader = Reader::from_reader(xml);
    let mut out = String::new();
    let mut in_text = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.name().as_ref().as_bytes() == text_tag => in_text = true,
            Ok(Event::End(e)) if e.name().as_ref().as_bytes() == text_tag => in_text = false,
            Ok(Event::End(e)) if e.name().as_ref().as_bytes() == para_tag => out.push('\n'),
            Ok(Event::Empty(e)) if e.name().as_ref().as_bytes() == b"w:tab" => out.push('\t'),
            Ok(Event::Empty(e)) if e.name().as_ref().as_bytes() == b"w:br" => out.push('\n'),
            Ok(Event::Text(t)) if in_text => {
                out.push_str(&String::from_utf8_lossy(t.as_ref().as_bytes()));
            }
            Ok(Event::GeneralRef(r)) if in_text => {
                let name = String::from_utf8_lossy(r.as_ref().as_bytes()).to_string();
                out.push_str(&super::textual::decode_entity(&name).unwrap_or_default());
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

/// The value of simple elements like `dc:creator` in a properties part.
fn xml_values(xml: &[u8], wanted: &[&[u8]]) -> Vec<(Vec<u8>, String)> {
    let mut reader = Reader::from_reader(xml);
    let mut out = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if wanted.contains(&e.name().as_ref().as_bytes()) => {
                current = Some(e.name().as_ref().as_bytes().to_vec());
            }
            Ok(Event::Text(t)) => {
                if let Some(name) = current.take() {
                    out.push((
                        name,
                        String::from_utf8_lossy(t.as_ref().as_bytes()).trim().to_string(),
                    ));
                }
            }
            Ok(Event::End(_)) => current = None,
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

fn ooxml_properties(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, p: &mut Parsed) {
    if let Some(core) = zip_part(zip, "docProps/core.xml") {
        for (name, value) in
            xml_values(&core, &[b"dc:creator", b"dcterms:created", b"dcterms:modified"])
        {
            let key = match name.as_slice() {
                b"dc:creator" => field::AUTHOR,
                b"dcterms:created" => field::DATECREATED,
                _ => field::DATEMODIFIED,
            };
            if !value.is_empty() {
                p.meta.insert(key, value);
            }
        }
    }
    if let Some(app) = zip_part(zip, "docProps/app.xml") {
        for (name, value) in xml_values(&app, &[b"Pages", b"Slides"]) {
            if !value.is_empty() && name != b"" {
                p.meta.insert(field::PAGECOUNT, value);
            }
        }
    }
}

pub(crate) fn parse_ooxml(kind: Kind, bytes: &[u8], _budget: &mut Budget<'_>) -> Parsed {
    let mut p = Parsed::default();
    let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            p.exception = Some(format!("corrupt Office document: {e}"));
            return p;
        }
    };
    ooxml_properties(&mut zip, &mut p);
    match kind {
        Kind::Odf => match zip_part(&mut zip, "content.xml") {
            Some(xml) => p.text = odf_text(&xml),
            None => p.exception = Some("content part unreadable (encrypted or corrupt)".into()),
        },
        Kind::Docx => match zip_part(&mut zip, "word/document.xml") {
            Some(xml) => p.text = xml_text(&xml, b"w:t", b"w:p"),
            None => p.exception = Some("document part unreadable (encrypted or corrupt)".into()),
        },
        _ => {
            let mut slides: Vec<(u32, String)> = zip
                .file_names()
                .filter_map(|n| {
                    let n = n.ok()?;
                    let number = n.strip_prefix("ppt/slides/slide")?.strip_suffix(".xml")?;
                    Some((number.parse().ok()?, n.to_string()))
                })
                .collect();
            slides.sort();
            for (_, name) in slides {
                if let Some(xml) = zip_part(&mut zip, &name) {
                    p.text.push_str(&xml_text(&xml, b"a:t", b"a:p"));
                    p.text.push('\n');
                }
            }
        }
    }
    p
}

/// OpenDocument text: every text node, with a break after paragraphs, headings and cells.
fn odf_text(xml: &[u8]) -> String {
    let mut reader = Reader::from_reader(xml);
    let mut out = String::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Text(t)) => out.push_str(&String::from_utf8_lossy(t.as_ref().as_bytes())),
            Ok(Event::GeneralRef(r)) => {
                let name = String::from_utf8_lossy(r.as_ref().as_bytes()).to_string();
                out.push_str(&super::textual::decode_entity(&name).unwrap_or_default());
            }
            Ok(Event::End(e))
                if matches!(
                    e.name().as_ref().as_bytes(),
                    b"text:p" | b"text:h" | b"table:table-cell"
                ) =>
            {
                out.push('\n')
            }
            Ok(Event::Empty(e)) if e.name().as_ref().as_bytes() == b"text:s" => out.push(' '),
            Ok(Event::Empty(e)) if e.name().as_ref().as_bytes() == b"text:tab" => out.push('\t'),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

pub(crate) fn parse_spreadsheet(kind: Kind, bytes: &[u8]) -> Parsed {
    use calamine::Reader as _;
    let mut p = Parsed::default();
    if kind == Kind::Xls {
        summary_information(bytes, &mut p);
    } else if let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) {
        ooxml_properties(&mut zip, &mut p);
    }
    let mut workbook = match calamine::open_workbook_auto_from_rs(Cursor::new(bytes)) {
        Ok(w) => w,
        Err(e) => {
            p.exception = Some(format!("spreadsheet unreadable: {e}"));
            return p;
        }
    };
    for (name, range) in workbook.worksheets() {
        p.text.push_str(&name);
        p.text.push('\n');
        for row in range.rows() {
            let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
            if cells.iter().any(|c| !c.is_empty()) {
                p.text.push_str(cells.join("\t").trim_end());
                p.text.push('\n');
            }
        }
    }
    p
}

fn ole_stream(ole: &mut CompoundFile<Cursor<&[u8]>>, path: &str) -> Option<Vec<u8>> {
    let entry = ole.entry(path).ok()?;
    if !entry.is_stream() || entry.len() > MAX_PART {
        return None;
    }
    let mut out = Vec::new();
    ole.open_stream(path).ok()?.read_to_end(&mut out).ok()?;
    Some(out)
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// AUTHOR, DATECREATED, DATEMODIFIED and PAGECOUNT from an OLE file's `\x05SummaryInformation` stream
/// (a property set: PIDs 4 author, 12 created, 13 saved, 14 pages).
fn summary_information(bytes: &[u8], p: &mut Parsed) {
    let Ok(mut ole) = CompoundFile::open(Cursor::new(bytes)) else { return };
    let Some(s) = ole_stream(&mut ole, "/\u{5}SummaryInformation") else { return };
    let Some(section) = u32_at(&s, 44).map(|o| o as usize) else { return };
    let Some(count) = u32_at(&s, section + 4) else { return };
    for i in 0..count.min(64) as usize {
        let (Some(pid), Some(offset)) =
            (u32_at(&s, section + 8 + i * 8), u32_at(&s, section + 12 + i * 8))
        else {
            return;
        };
        let at = section + offset as usize;
        let Some(ty) = u32_at(&s, at) else { continue };
        match (pid, ty) {
            (4, 0x1E) => {
                let Some(len) = u32_at(&s, at + 4) else { continue };
                if let Some(raw) = s.get(at + 8..at + 8 + len as usize) {
                    let author = super::decode_text(raw).trim_end_matches('\0').trim().to_string();
                    if !author.is_empty() {
                        p.meta.insert(field::AUTHOR, author);
                    }
                }
            }
            (12 | 13, 0x40) => {
                let lo = u32_at(&s, at + 4).unwrap_or(0) as u64;
                let hi = u32_at(&s, at + 8).unwrap_or(0) as u64;
                if let Some(t) = super::outlook::filetime((hi << 32) | lo) {
                    let key = if pid == 12 { field::DATECREATED } else { field::DATEMODIFIED };
                    p.meta.insert(key, t.to_rfc3339());
                }
            }
            (14, 0x03) => {
                if let Some(pages) = u32_at(&s, at + 4).filter(|&n| n > 0) {
                    p.meta.insert(field::PAGECOUNT, pages.to_string());
                }
            }
            _ => {}
        }
    }
}

/// Word 97-2003: the text is the pieces of the piece table (in the table stream's CLX), each either 8-bit
/// (Windows-1252) or UTF-16 in the WordDocument stream.
pub(crate) fn parse_doc(bytes: &[u8]) -> Parsed {
    let mut p = Parsed::default();
    summary_information(bytes, &mut p);
    match doc_text(bytes) {
        Ok(text) => p.text = text,
        Err(why) => p.exception = Some(why),
    }
    p
}

fn doc_text(bytes: &[u8]) -> Result<String, String> {
    let mut ole = CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| format!("corrupt Word document: {e}"))?;
    let word = ole_stream(&mut ole, "/WordDocument").ok_or("no WordDocument stream")?;
    let flags = u16_at(&word, 0x0A).ok_or("truncated Word header")?;
    if flags & 0x0100 != 0 {
        return Err("encrypted Word document".into());
    }
    let table_name = if flags & 0x0200 != 0 { "/1Table" } else { "/0Table" };
    let table = ole_stream(&mut ole, table_name).ok_or("no table stream")?;
    let fc_clx = u32_at(&word, 0x01A2).ok_or("truncated Word header")? as usize;
    let lcb_clx = u32_at(&word, 0x01A6).ok_or("truncated Word header")? as usize;
    let clx = table.get(fc_clx..fc_clx + lcb_clx).ok_or("piece table out of range")?;
    // Skip Prc entries (0x01) to the Pcdt (0x02).
    let mut at = 0;
    while clx.get(at) == Some(&0x01) {
        let size = u16_at(clx, at + 1).ok_or("bad Prc")? as usize;
        at += 3 + size;
    }
    if clx.get(at) != Some(&0x02) {
        return Err("no piece table".into());
    }
    let lcb = u32_at(clx, at + 1).ok_or("bad piece table")? as usize;
    let plc = clx.get(at + 5..at + 5 + lcb).ok_or("piece table out of range")?;
    let pieces = (lcb.saturating_sub(4)) / 12;
    let mut text = String::new();
    for i in 0..pieces {
        let cp_start = u32_at(plc, i * 4).ok_or("bad piece")? as usize;
        let cp_end = u32_at(plc, (i + 1) * 4).ok_or("bad piece")? as usize;
        let pcd = (pieces + 1) * 4 + i * 8;
        let fc = u32_at(plc, pcd + 2).ok_or("bad piece")?;
        let chars = cp_end.saturating_sub(cp_start);
        if fc & 0x4000_0000 != 0 {
            let start = ((fc & !0x4000_0000) / 2) as usize;
            if let Some(raw) = word.get(start..start + chars) {
                text.push_str(&encoding_rs::WINDOWS_1252.decode(raw).0);
            }
        } else {
            let start = fc as usize;
            if let Some(raw) = word.get(start..start + chars * 2) {
                let units: Vec<u16> =
                    raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
                text.push_str(&String::from_utf16_lossy(&units));
            }
        }
    }
    Ok(clean_word_text(&text))
}

/// Word's special characters: paragraph and cell marks to line breaks; field codes and other controls out.
fn clean_word_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut field_depth = 0u32;
    let mut in_code = false;
    for ch in text.chars() {
        match ch {
            '\u{13}' => {
                field_depth += 1;
                in_code = true;
            }
            '\u{14}' => in_code = false,
            '\u{15}' => {
                field_depth = field_depth.saturating_sub(1);
                in_code = false;
            }
            _ if in_code && field_depth > 0 => {}
            '\r' | '\u{7}' | '\u{b}' | '\u{c}' => out.push('\n'),
            '\t' | '\n' => out.push(ch),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// PowerPoint 97-2003: the text atoms (TextCharsAtom UTF-16, TextBytesAtom 8-bit) of the record tree.
pub(crate) fn parse_ppt(bytes: &[u8]) -> Parsed {
    let mut p = Parsed::default();
    summary_information(bytes, &mut p);
    let Ok(mut ole) = CompoundFile::open(Cursor::new(bytes)) else {
        p.exception = Some("corrupt PowerPoint document".into());
        return p;
    };
    let Some(stream) = ole_stream(&mut ole, "/PowerPoint Document") else {
        p.exception = Some("no PowerPoint Document stream".into());
        return p;
    };
    let mut at = 0;
    while at + 8 <= stream.len() {
        let ver = u16_at(&stream, at).unwrap_or(0) & 0x0F;
        let ty = u16_at(&stream, at + 2).unwrap_or(0);
        let len = u32_at(&stream, at + 4).unwrap_or(0) as usize;
        if ver == 0x0F {
            at += 8; // a container: descend into its records
            continue;
        }
        let body = stream.get(at + 8..(at + 8 + len).min(stream.len())).unwrap_or_default();
        match ty {
            0x0FA0 => {
                let units: Vec<u16> =
                    body.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
                p.text.push_str(&String::from_utf16_lossy(&units).replace('\r', "\n"));
                p.text.push('\n');
            }
            0x0FA8 => {
                p.text.push_str(&encoding_rs::WINDOWS_1252.decode(body).0.replace('\r', "\n"));
                p.text.push('\n');
            }
            _ => {}
        }
        at += 8 + len;
    }
    p
}
