//! Ids: the slug relcheck makes of a title or an item's text, and what an
//! id written in an annotation may be.

/// Each ASCII byte as a slug takes it: a letter lower-cased, a digit as
/// it is, anything else 0 (a separator).
const SLUG_BYTES: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        if b.is_ascii_alphanumeric() {
            table[byte] = b.to_ascii_lowercase();
        }
        byte += 1;
    }
    table
};

/// Lower-case ASCII words joined by `-`, at most 48 characters.
pub fn slug(text: &str) -> String {
    const MAX: usize = 48;
    // Gathered on the stack and copied once at its length: a slug is
    // made for every heading and item, and pushing a character at a time
    // into a string was most of its cost.
    let mut out = [0u8; MAX];
    let mut len = 0;
    let mut dash = false;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        // A byte at a time through ASCII; a character is decoded only
        // where one starts that is longer.
        let byte = if bytes[at].is_ascii() {
            at += 1;
            SLUG_BYTES[usize::from(bytes[at - 1])]
        } else {
            let Some(c) = text[at..].chars().next() else {
                break;
            };
            at += c.len_utf8();
            match c {
                'à'..='å' | 'À'..='Å' => b'a',
                'è'..='ë' | 'È'..='Ë' => b'e',
                'ì'..='ï' | 'Ì'..='Ï' => b'i',
                'ò'..='ö' | 'Ò'..='Ö' => b'o',
                'ù'..='ü' | 'Ù'..='Ü' => b'u',
                'ç' | 'Ç' => b'c',
                'ñ' | 'Ñ' => b'n',
                // No other character is a letter or digit of a slug.
                _ => 0,
            }
        };
        if byte == 0 {
            dash = true;
            continue;
        }
        let joined = dash && len > 0;
        if len + usize::from(joined) + 1 > MAX {
            break;
        }
        if joined {
            out[len] = b'-';
            len += 1;
        }
        dash = false;
        out[len] = byte;
        len += 1;
    }
    // Only ASCII letters, digits and `-` were written.
    match std::str::from_utf8(&out[..len]) {
        Ok(slug) if !slug.is_empty() => slug.to_string(),
        _ => "item".to_string(),
    }
}

/// Whether an annotated id is well formed: slug segments joined by `/`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('/').all(|segment| {
            !segment.is_empty()
                && segment.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_' || c == '.'
                })
        })
}
