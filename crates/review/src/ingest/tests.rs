//! Unit tests for ingestion on small self-written fixtures.

use super::*;
use std::io::Write;

fn one(name: &str, bytes: &[u8]) -> Vec<Item> {
    expand(name, bytes.to_vec(), "Allen, Phillip", &Limits::default(), &NoExternals)
}

const EMAIL: &str = "Message-ID: <parent@x.com>\r\nDate: Mon, 14 May 2001 16:39:00 -0700 (PDT)\r\nFrom: Ken Lay <klay@enron.com>\r\nTo: a@x.com, \"B\" <b@x.com>\r\nSubject: Raptor\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nSee the attached.\r\n--XX\r\nContent-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n\r\nLJM notes here\r\n--XX\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"fwd.eml\"\r\n\r\nMessage-ID: <inner@x.com>\r\nFrom: b@x.com\r\nTo: klay@enron.com\r\nSubject: inner\r\nDate: Sun, 13 May 2001 10:00:00 +0000\r\n\r\nInner body\r\n--XX--\r\n";

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        out.start_file(*name, zip::write::SimpleFileOptions::default()).expect("start entry");
        out.write_all(data).expect("write entry");
    }
    out.finish().expect("finish zip").into_inner()
}

#[test]
fn email_with_attachment_and_attached_email_forms_one_family() {
    let items = one("1.eml", EMAIL.as_bytes());
    let summary: Vec<_> = items
        .iter()
        .map(|i| {
            (i.key.as_str(), i.parent.as_deref(), i.kind, i.get(field::FILENAME).unwrap_or(""))
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("", None, Kind::Email, "1.eml"),
            ("1", Some(""), Kind::Text, "notes.txt"),
            ("2", Some(""), Kind::Email, "fwd.eml"),
        ]
    );
    let email = &items[0];
    assert_eq!(email.get(field::MESSAGEID), Some("<parent@x.com>"));
    assert_eq!(email.get(field::DATESENT), Some("2001-05-14T16:39:00-07:00"));
    assert_eq!(email.get(field::FROM), Some("Ken Lay <klay@enron.com>"));
    assert_eq!(email.get(field::TO), Some("a@x.com, B <b@x.com>"));
    assert_eq!(email.get(field::CUSTODIAN), Some("Allen, Phillip"));
    assert_eq!(email.get(field::MD5HASH), Some(crate::dedup::md5_hex(EMAIL.as_bytes()).as_str()));
    assert_eq!(email.text, "See the attached.");
    assert_eq!(items[1].text.trim(), "LJM notes here");
    assert_eq!(items[2].get(field::SUBJECT), Some("inner"));
    assert_eq!(items[2].text.trim(), "Inner body");
    assert!(items.iter().all(|i| i.exception.is_none()));
}

#[test]
fn mbox_messages_are_family_roots_inside_their_container() {
    let mbox = "From a@x Mon Jun 01 04:28:28 2009\nFrom: a@x.com\nTo: b@x.com\nSubject: one\n\nfirst\n>From here\n\nFrom b@x Mon Jun 01 04:29:28 2009\nFrom: b@x.com\nTo: a@x.com\nSubject: two\n\nsecond\n";
    let items = one("box.mbox", mbox.as_bytes());
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].kind, Kind::Mbox);
    assert_eq!((items[1].parent.as_deref(), items[1].container.as_deref()), (None, Some("")));
    assert_eq!(items[1].get(field::SUBJECT), Some("one"));
    assert!(items[1].text.contains("From here"));
    assert_eq!(items[2].get(field::SUBJECT), Some("two"));
}

#[test]
fn zip_in_email_keeps_the_family_and_nested_zips_stop_at_the_depth_limit() {
    let inner = zip_of(&[("deep/note.txt", b"inside")]);
    let outer = zip_of(&[("../../etc/passwd", b"root:x:0:0"), ("inner.zip", &inner)]);
    let items = one("loose.zip", &outer);
    let names: Vec<_> = items
        .iter()
        .map(|i| (i.key.as_str(), i.get(field::FILENAME).unwrap_or(""), i.parent.as_deref()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("", "loose.zip", None),
            ("1", "passwd", None),
            ("2", "inner.zip", None),
            // A zip inside a loose zip is still only a container: its entries start families.
            ("2/1", "note.txt", None),
        ]
    );
    assert!(items[0].text.contains("unsafe entry name"), "{}", items[0].text);
    let limits = Limits { max_depth: 1, ..Limits::default() };
    let items = expand("loose.zip", outer, "", &limits, &NoExternals);
    assert_eq!(items.len(), 3);
    assert!(items[2].exception.as_deref().is_some_and(|e| e.contains("nested deeper")));
}

#[test]
fn zip_bombs_are_exceptions_not_allocations() {
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let bomb = zip_of(&[("zeros.bin", &zeros), ("ok.txt", b"fine")]);
    assert!(bomb.len() < 100_000, "the fixture compresses well");
    let items = one("bomb.zip", &bomb);
    assert_eq!(items.len(), 3);
    let zeros_item = &items[1];
    assert!(zeros_item.native.is_empty());
    assert!(zeros_item.exception.as_deref().is_some_and(|e| e.contains("over the archive limits")));
    assert_eq!(items[2].text, "fine");
    let small_budget = Limits { max_expanded_bytes: 2, ..Limits::default() };
    let items = expand("t.zip", zip_of(&[("a.txt", b"abc")]), "", &small_budget, &NoExternals);
    assert!(items[1].exception.is_some());
}

#[test]
fn corrupt_and_unsupported_inputs_are_exceptions_with_reasons() {
    let msg = one("bad.msg", b"not an OLE");
    assert_eq!(msg[0].kind, Kind::Msg);
    assert!(msg[0].exception.is_some());
    let pdf = one("x.pdf", b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n/Author (Jane Roe)\n");
    assert_eq!(pdf[0].get(field::PAGECOUNT), Some("1"));
    assert_eq!(pdf[0].get(field::AUTHOR), Some("Jane Roe"));
    assert!(pdf[0].exception.as_deref().is_some_and(|e| e.contains("no PDF text extractor")));
    let exe = one("setup.exe", b"MZ\x90\0\x03\0\0\0");
    assert!(exe[0].exception.as_deref().is_some_and(|e| e.contains("unsupported")));
    let docx = one("broken.docx", b"PK\x03\x04garbage");
    assert!(docx[0].exception.is_some());
}

struct Panicking;
impl Externals for Panicking {
    fn pdf_text(&self, _pdf: &[u8]) -> Result<String, String> {
        panic!("hostile PDF crashed the extractor")
    }
}

#[test]
fn a_panicking_parser_costs_one_exception() {
    let zip = zip_of(&[("a.pdf", b"%PDF-1.4 /Type /Page"), ("b.txt", b"still here")]);
    let items = expand("p.zip", zip, "", &Limits::default(), &Panicking);
    assert!(items[1].exception.as_deref().is_some_and(|e| e.contains("hostile PDF")));
    assert_eq!(items[2].text, "still here");
}

#[test]
fn rtf_html_and_text_decoding() {
    let rtf = r"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\*\generator x;}Caf\'e9 \b bold\b0\par second\tab line \u8364?}";
    assert_eq!(rtf_to_text(rtf), "Café bold\nsecond\tline €");
    let html = "<html><head><title>t</title><style>p{}</style></head><body><p>A &amp; B&nbsp;&#8364;</p><script>x()</script><div>next</div></body></html>";
    assert_eq!(html_to_text(html), "A & B €\n\nnext");
    assert_eq!(decode_text(b"caf\xe9"), "café");
    assert_eq!(decode_text(&[0xFF, 0xFE, b'h', 0, b'i', 0]), "hi");
}

#[test]
fn docx_text_and_properties() {
    let doc = br#"<w:document><w:body><w:p><w:r><w:t>Hello</w:t></w:r><w:r><w:t xml:space="preserve"> world &amp; co</w:t></w:r></w:p><w:p><w:r><w:t>Second</w:t></w:r></w:p></w:body></w:document>"#;
    let core = br#"<cp:coreProperties><dc:creator>Jane Roe</dc:creator><dcterms:created>2001-05-01T10:00:00Z</dcterms:created></cp:coreProperties>"#;
    let docx = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", doc),
        ("docProps/core.xml", core),
    ]);
    let items = one("memo.docx", &docx);
    assert_eq!(items.len(), 1, "an Office document is not a container");
    assert_eq!(items[0].kind, Kind::Docx);
    assert_eq!(items[0].text, "Hello world & co\nSecond\n");
    assert_eq!(items[0].get(field::AUTHOR), Some("Jane Roe"));
    assert_eq!(items[0].get(field::DATECREATED), Some("2001-05-01T10:00:00Z"));
}

#[test]
fn sniffing_prefers_content_over_names() {
    assert_eq!(sniff("1", b"From: a@x.com\nTo: b@x.com\nSubject: hi\n\nbody"), Kind::Email);
    assert_eq!(sniff("report.txt", b"%PDF-1.7"), Kind::Pdf);
    assert_eq!(sniff("notes", b"plain words"), Kind::Text);
    assert_eq!(sniff("x.bin", &[0, 1, 2, 3]), Kind::Other);
    assert_eq!(file_name_and_ext("a/b\\c.Tar.GZ"), ("c.Tar.GZ".to_string(), "gz".to_string()));
}
