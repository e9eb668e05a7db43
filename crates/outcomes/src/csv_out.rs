//! CSV as Swedish Excel opens it: UTF-8 with a byte-order mark (without
//! it Excel reads Windows-1252 and garbles å, ä, ö), `;` between fields
//! (the comma is the decimal sign), fields quoted when needed.

/// The rows as CSV bytes.
pub fn csv_bytes(rows: &[Vec<String>]) -> std::io::Result<Vec<u8>> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        for row in rows {
            writer
                .write_record(row)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

/// A percentage with a decimal comma, as Swedish readers expect.
pub fn decimal_sv(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_semicolons_and_quotes() {
        let bytes = csv_bytes(&[
            vec!["Mått".into(), "Värde".into()],
            vec!["a;b".into(), decimal_sv(18.3)],
        ])
        .expect("csv");
        let text = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(text, "\u{feff}Mått;Värde\r\n\"a;b\";18,3\r\n");
    }
}
