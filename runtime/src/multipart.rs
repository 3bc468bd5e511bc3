//! `multipart/form-data` bodies built in one buffer and sent with a known length.
//!
//! reqwest's `Form` streams every part as four chunks (boundary, headers, content, line
//! break) plus a closing one, and hyper writes them one by one: a two-part upload went
//! out as nine writes, each waking the server. Built here, an upload is one write. The
//! headers are encoded as reqwest encodes them (a name with characters outside a path
//! segment's goes percent-encoded as `name*=utf-8''...`; a file name has `\` and `"`
//! escaped), and the boundary is random per process.

use reqwest::RequestBuilder;
use std::sync::LazyLock;

/// The boundary between parts: random per process, 32 hex digits after a fixed prefix,
/// so no drawn value or file content contains it by chance.
static BOUNDARY: LazyLock<String> = LazyLock::new(|| {
    let a: u64 = rand::random();
    let b: u64 = rand::random();
    format!("gateway-loadtest-{a:016x}{b:016x}")
});

/// Characters percent-encoded in a part's name (the WHATWG path-segment set, as reqwest).
const NAME_ENCODE_SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'#')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// A form being built: its parts so far, in one buffer.
#[derive(Debug, Default)]
pub struct Multipart {
    body: Vec<u8>,
}

impl Multipart {
    pub fn new() -> Multipart {
        Multipart::default()
    }

    /// Adds a text field.
    pub fn text(&mut self, name: &str, value: &str) {
        self.open(name, None);
        self.body.extend_from_slice(b"\r\n\r\n");
        self.body.extend_from_slice(value.as_bytes());
        self.body.extend_from_slice(b"\r\n");
    }

    /// Adds a file field: `content` sent as the file `file_name` of type `mime`.
    pub fn file(&mut self, name: &str, file_name: &str, mime: &str, content: &[u8]) {
        self.body.reserve(content.len() + 256);
        self.open(name, Some(file_name));
        self.body.extend_from_slice(b"\r\nContent-Type: ");
        self.body.extend_from_slice(mime.as_bytes());
        self.body.extend_from_slice(b"\r\n\r\n");
        self.body.extend_from_slice(content);
        self.body.extend_from_slice(b"\r\n");
    }

    /// The boundary line and `Content-Disposition` of a new part.
    fn open(&mut self, name: &str, file_name: Option<&str>) {
        self.body.extend_from_slice(b"--");
        self.body.extend_from_slice(BOUNDARY.as_bytes());
        self.body
            .extend_from_slice(b"\r\nContent-Disposition: form-data; ");
        let encoded = percent_encoding::utf8_percent_encode(name, NAME_ENCODE_SET).to_string();
        if encoded == name {
            self.body.extend_from_slice(b"name=\"");
            self.body.extend_from_slice(name.as_bytes());
            self.body.push(b'"');
        } else {
            self.body.extend_from_slice(b"name*=utf-8''");
            self.body.extend_from_slice(encoded.as_bytes());
        }
        if let Some(file_name) = file_name {
            self.body.extend_from_slice(b"; filename=\"");
            for c in file_name.chars() {
                match c {
                    '\\' | '"' => {
                        self.body.push(b'\\');
                        self.body.push(c as u8);
                    }
                    // A line break would end the header: it cannot be sent.
                    '\r' | '\n' => self.body.push(b' '),
                    c => {
                        let mut utf8 = [0; 4];
                        self.body
                            .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                    }
                }
            }
            self.body.push(b'"');
        }
    }

    /// The whole body, closing boundary included.
    pub fn into_bytes(mut self) -> Vec<u8> {
        self.body.extend_from_slice(b"--");
        self.body.extend_from_slice(BOUNDARY.as_bytes());
        self.body.extend_from_slice(b"--\r\n");
        self.body
    }

    /// `builder` with this form as its body and the matching `Content-Type`.
    pub fn send_with(self, builder: RequestBuilder) -> RequestBuilder {
        let content_type = format!("multipart/form-data; boundary={}", *BOUNDARY);
        builder
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(self.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts of a body as (headers, content), split at the boundary.
    fn parts(body: &[u8]) -> Vec<(String, Vec<u8>)> {
        let text = String::from_utf8_lossy(body).into_owned();
        let boundary = format!("--{}", *BOUNDARY);
        assert!(text.ends_with(&format!("{boundary}--\r\n")), "{text}");
        text.split(&boundary)
            .filter(|part| part.starts_with("\r\n"))
            .map(|part| {
                let part = &part[2..part.len() - 2];
                let (head, content) = part.split_once("\r\n\r\n").expect("headers end");
                (head.to_string(), content.as_bytes().to_vec())
            })
            .collect()
    }

    #[test]
    fn text_and_file_parts_carry_their_names_types_and_content() {
        let mut form = Multipart::new();
        form.text("title", "Quarterly report 7");
        form.file(
            "file",
            "report-7.txt",
            "text/plain",
            b"line one\r\nline two",
        );
        let parts = parts(&form.into_bytes());
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].0, "Content-Disposition: form-data; name=\"title\"");
        assert_eq!(parts[0].1, b"Quarterly report 7");
        assert_eq!(
            parts[1].0,
            "Content-Disposition: form-data; name=\"file\"; filename=\"report-7.txt\"\r\nContent-Type: text/plain"
        );
        assert_eq!(parts[1].1, b"line one\r\nline two");
    }

    #[test]
    fn hostile_names_are_encoded_and_cannot_break_a_header() {
        let mut form = Multipart::new();
        form.text("a\"b\r\nX-Evil: 1", "v");
        form.file("f", "x\"\\y\r\nX-Evil: 1.txt", "text/plain", b"");
        let body = String::from_utf8(form.into_bytes()).unwrap();
        assert!(
            body.contains("name*=utf-8''a%22b%0D%0AX-Evil:%201"),
            "{body}"
        );
        assert!(
            body.contains("filename=\"x\\\"\\\\y  X-Evil: 1.txt\""),
            "{body}"
        );
        assert!(!body.contains("\r\nX-Evil"), "{body}");
    }

    #[test]
    fn the_boundary_is_announced_in_the_content_type() {
        let client = reqwest::Client::new();
        let mut form = Multipart::new();
        form.text("a", "b");
        let request = form
            .send_with(client.post("http://127.0.0.1:9/upload"))
            .build()
            .unwrap();
        let content_type = request.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(
            content_type,
            format!("multipart/form-data; boundary={}", *BOUNDARY)
        );
        let body = request.body().and_then(|b| b.as_bytes()).unwrap();
        assert_eq!(parts(body).len(), 1);
    }
}
