//! Just enough TNEF (Outlook's winmail.dat) to recover the plain-text body and the files inside.
//! The format is a signature, a key, then records of (level, attribute, length, data, checksum).
//! Rich-text (compressed RTF) bodies are not decoded: the file is still offered as an attachment.

const SIGNATURE: u32 = 0x223E_9F78;
const LEVEL_ATTACHMENT: u8 = 2;
const ATT_BODY: u32 = 0x800C;
const ATT_ATTACH_TITLE: u32 = 0x8010;
const ATT_ATTACH_DATA: u32 = 0x800F;
const ATT_ATTACH_REND_DATA: u32 = 0x9002;

/// A file found inside a TNEF stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TnefAttachment {
    pub name: String,
    pub data: Vec<u8>,
}

/// What could be read from a TNEF stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TnefContent {
    pub body: Option<String>,
    pub attachments: Vec<TnefAttachment>,
}

/// Reads `data`; `None` when it is not TNEF at all. A stream cut short keeps what came before.
pub fn read(data: &[u8]) -> Option<TnefContent> {
    let signature = u32::from_le_bytes(data.get(0..4)?.try_into().ok()?);
    if signature != SIGNATURE {
        return None;
    }
    let mut content = TnefContent::default();
    let mut at = 6; // signature + legacy key
    let mut current: Option<TnefAttachment> = None;
    while let Some(header) = data.get(at..at + 9) {
        let level = header[0];
        let attribute = u32::from_le_bytes([header[1], header[2], header[3], header[4]]) & 0xFFFF;
        let length = u32::from_le_bytes([header[5], header[6], header[7], header[8]]) as usize;
        let start = at + 9;
        let Some(value) = start.checked_add(length).and_then(|end| data.get(start..end)) else {
            break; // cut short: keep what was read
        };
        match (level, attribute) {
            (_, ATT_BODY) => content.body = Some(decode_text(value)),
            (LEVEL_ATTACHMENT, ATT_ATTACH_REND_DATA) => {
                content.attachments.extend(current.take());
                current = Some(TnefAttachment { name: String::new(), data: Vec::new() });
            }
            (LEVEL_ATTACHMENT, ATT_ATTACH_TITLE) => {
                current.get_or_insert_with(|| TnefAttachment { name: String::new(), data: Vec::new() }).name =
                    decode_text(value)
            }
            (LEVEL_ATTACHMENT, ATT_ATTACH_DATA) => {
                current.get_or_insert_with(|| TnefAttachment { name: String::new(), data: Vec::new() }).data =
                    value.to_vec()
            }
            _ => {}
        }
        at = start + length + 2; // + checksum
    }
    content.attachments.extend(current);
    for (index, attachment) in content.attachments.iter_mut().enumerate() {
        if attachment.name.is_empty() {
            attachment.name = format!("attachment-{}", index + 1);
        }
    }
    Some(content)
}

/// TNEF strings are NUL-terminated in the sender's ANSI code page (windows-1252 in the West).
fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.split(|&b| b == 0).next().unwrap_or_default();
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_tnef_and_cut_streams_are_handled() {
        assert_eq!(read(b""), None);
        assert_eq!(read(b"hello world"), None);
        let mut stream = SIGNATURE.to_le_bytes().to_vec();
        stream.extend([0, 0]);
        stream.extend([1, 0x0C, 0x80, 0x02, 0x00, 0xFF, 0, 0, 0]); // claims 255 bytes
        stream.extend(b"short");
        assert_eq!(read(&stream), Some(TnefContent::default()));
    }
}
