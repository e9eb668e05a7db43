//! A small PDF writer for the exports: A4 pages of wrapped text and simple
//! tables in one embedded font.
//!
//! The font (DejaVu Sans, assets/fonts/) is embedded whole, as a CID font
//! with Identity encoding and a ToUnicode map, so Swedish letters look the
//! same in every reader and text can be searched and extracted (the tests
//! read exports back with pdftotext). It is deflated but not subset: a
//! subsetting stack would more than double the dependencies for a file
//! that is made a few times a year; each PDF is ~0.4 MB instead.
//!
//! Layout is done first (lines placed on pages), the PDF written after, so
//! the footer can say "sida 2 av 5".

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;
use ttf_parser::Face;

static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const FONT_NAME: Name<'static> = Name(b"DejaVuSans");
const F1: Name<'static> = Name(b"F1");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const TOP: f32 = PAGE_H - MARGIN;
/// The lowest baseline of body text; the footer goes below it.
const BOTTOM: f32 = MARGIN + 14.0;
const BODY: f32 = 10.0;
const LEADING: f32 = 1.35;

/// Text sizes and indentation.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub size: f32,
    pub indent: f32,
}

impl Style {
    pub const BODY: Style = Style {
        size: BODY,
        indent: 0.0,
    };
    pub const SMALL: Style = Style {
        size: 8.5,
        indent: 0.0,
    };
    pub const HEADING: Style = Style {
        size: 12.5,
        indent: 0.0,
    };
    pub const TITLE: Style = Style {
        size: 17.0,
        indent: 0.0,
    };
}

enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        glyphs: Vec<u16>,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
    },
}

struct Font {
    face: Face<'static>,
    per_em: f32,
    fallback: u16,
}

impl Font {
    fn load() -> Font {
        let face = Face::parse(FONT, 0).expect("the bundled font is a valid TrueType font");
        let per_em = f32::from(face.units_per_em());
        let fallback = face.glyph_index('?').map(|g| g.0).unwrap_or(0);
        Font {
            face,
            per_em,
            fallback,
        }
    }

    /// The glyph of `c`, or of '?' when the font has none.
    fn glyph(&self, c: char) -> u16 {
        self.face
            .glyph_index(c)
            .map(|g| g.0)
            .unwrap_or(self.fallback)
    }

    /// Advance width in 1/1000 em, as PDF widths are given.
    fn advance(&self, glyph: u16) -> f32 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        f32::from(units) * 1000.0 / self.per_em
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }
}

/// Lines of at most `max` points: greedy by words, a word longer than a
/// line is broken between characters. Line breaks in the text are kept.
fn wrap(font: &Font, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if font.width(&candidate, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                let mut next = line.clone();
                next.push(c);
                if font.width(&next, size) > max && !line.is_empty() {
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                } else {
                    line = next;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// A document being laid out.
pub struct Document {
    title: String,
    font: Font,
    pages: Vec<Vec<Item>>,
    /// The baseline of the next line.
    y: f32,
    /// Glyph → character, for the ToUnicode map (text extraction).
    used: BTreeMap<u16, char>,
}

impl Document {
    /// A document whose footer names `title` on every page.
    pub fn new(title: &str) -> Document {
        Document {
            title: title.to_owned(),
            font: Font::load(),
            pages: vec![Vec::new()],
            y: TOP,
            used: BTreeMap::new(),
        }
    }

    fn glyphs(&mut self, text: &str) -> Vec<u16> {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .map(|c| {
                let g = self.font.glyph(c);
                self.used
                    .entry(g)
                    .or_insert(if g == self.font.fallback { '?' } else { c });
                g
            })
            .collect()
    }

    fn page(&mut self) -> &mut Vec<Item> {
        self.pages.last_mut().expect("a document always has a page")
    }

    /// Starts a new page when less than `height` is left on this one.
    pub fn keep(&mut self, height: f32) {
        if self.y - height < BOTTOM && !self.page().is_empty() {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    fn line(&mut self, x: f32, text: &str, size: f32) {
        let glyphs = self.glyphs(text);
        let y = self.y;
        self.page().push(Item::Text { x, y, size, glyphs });
    }

    /// A wrapped paragraph.
    pub fn text(&mut self, text: &str, style: Style) {
        let x = MARGIN + style.indent;
        let step = style.size * LEADING;
        for line in wrap(&self.font, text, style.size, PAGE_W - MARGIN - x) {
            self.keep(step);
            self.y -= step;
            self.line(x, &line, style.size);
        }
    }

    /// A heading, kept on a page with a few lines after it.
    pub fn heading(&mut self, text: &str, style: Style) {
        self.keep(style.size * LEADING + 4.0 * BODY * LEADING);
        self.gap(style.size * 0.4);
        self.text(text, style);
        self.gap(style.size * 0.2);
    }

    pub fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    /// A thin line across the text width.
    pub fn rule(&mut self) {
        self.keep(8.0);
        self.y -= 4.0;
        let y = self.y;
        self.page().push(Item::Line {
            from: (MARGIN, y),
            to: (PAGE_W - MARGIN, y),
        });
        self.y -= 4.0;
    }

    /// Cells side by side, each wrapped in its column: widths as fractions
    /// of the text width, `gap` points between columns. Each cell is a
    /// list of paragraphs. The row moves to a new page as a whole when it
    /// fits on one.
    pub fn row(&mut self, fractions: &[f32], cells: &[Vec<String>], style: Style, gap: f32) {
        let total = PAGE_W - 2.0 * MARGIN - style.indent;
        let step = style.size * LEADING;
        let mut x = MARGIN + style.indent;
        let columns: Vec<(f32, Vec<String>)> = cells
            .iter()
            .zip(fractions)
            .map(|(paragraphs, f)| {
                let width = total * f;
                let at = x;
                x += width;
                let lines = paragraphs
                    .iter()
                    .flat_map(|p| wrap(&self.font, p, style.size, width - gap))
                    .collect();
                (at, lines)
            })
            .collect();
        let height = step * columns.iter().map(|(_, l)| l.len()).max().unwrap_or(1) as f32;
        if height > TOP - BOTTOM {
            // Longer than a page: one cell after the other, full width.
            for paragraphs in cells {
                for p in paragraphs {
                    self.text(p, style);
                }
                self.gap(step / 2.0);
            }
            return;
        }
        self.keep(height);
        let top = self.y;
        for (i, (at, lines)) in columns.iter().enumerate() {
            self.y = top;
            for line in lines {
                self.y -= step;
                self.line(*at, line, style.size);
            }
            if i > 0 && gap >= 12.0 {
                // A divider in the gap, so side-by-side text reads as two.
                let x = at - gap / 2.0;
                let (from, to) = ((x, top - 2.0), (x, top - height - 2.0));
                self.page().push(Item::Line { from, to });
            }
        }
        self.y = top - height;
    }

    /// A table, one [`Document::row`] per row, a rule under the first.
    pub fn table(&mut self, fractions: &[f32], rows: &[Vec<String>], style: Style) {
        for (r, row) in rows.iter().enumerate() {
            let cells: Vec<Vec<String>> = row.iter().map(|c| vec![c.clone()]).collect();
            self.row(fractions, &cells, style, 6.0);
            if r == 0 {
                self.rule();
            } else {
                self.gap(2.0);
            }
        }
    }

    /// The PDF file.
    pub fn finish(mut self) -> Vec<u8> {
        let count = self.pages.len();
        let title = self.title.clone();
        let footers: Vec<(f32, Vec<u16>)> = (1..=count)
            .map(|n| {
                let text = format!("{title} — sida {n} av {count}");
                (self.font.width(&text, 8.0), self.glyphs(&text))
            })
            .collect();
        let mut next = Ref::new(1);
        let catalog = next.bump();
        let tree = next.bump();
        let info = next.bump();
        let font = next.bump();
        let cid = next.bump();
        let descriptor = next.bump();
        let font_file = next.bump();
        let cmap_ref = next.bump();
        let pages: Vec<(Ref, Ref)> = (0..count).map(|_| (next.bump(), next.bump())).collect();

        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree).lang(TextStr("sv"));
        pdf.pages(tree)
            .kids(pages.iter().map(|(p, _)| *p))
            .count(count as i32);
        pdf.document_info(info)
            .title(TextStr(&title))
            .producer(TextStr("Brygga"));
        for ((page_ref, content_ref), (items, (footer_w, footer))) in
            pages.iter().zip(self.pages.iter().zip(footers))
        {
            let mut page = pdf.page(*page_ref);
            page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
            page.parent(tree);
            page.contents(*content_ref);
            page.resources().fonts().pair(F1, font);
            page.finish();
            let mut content = Content::new();
            for item in items {
                match item {
                    Item::Text { x, y, size, glyphs } => show(&mut content, *x, *y, *size, glyphs),
                    Item::Line { from, to } => {
                        content
                            .set_line_width(0.5)
                            .move_to(from.0, from.1)
                            .line_to(to.0, to.1)
                            .stroke();
                    }
                }
            }
            show(
                &mut content,
                (PAGE_W - footer_w) / 2.0,
                MARGIN - 20.0,
                8.0,
                &footer,
            );
            let data = deflate(&content.finish());
            pdf.stream(*content_ref, &data).filter(Filter::FlateDecode);
        }
        self.write_font(&mut pdf, [font, cid, descriptor, font_file, cmap_ref]);
        pdf.finish()
    }

    fn write_font(&self, pdf: &mut Pdf, [font, cid, descriptor, font_file, cmap_ref]: [Ref; 5]) {
        let info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        pdf.type0_font(font)
            .base_font(FONT_NAME)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap_ref);
        let mut cid_font = pdf.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(FONT_NAME)
            .system_info(info)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let mut widths = cid_font.widths();
        for glyph in self.used.keys() {
            widths.consecutive(*glyph, [self.font.advance(*glyph)]);
        }
        widths.finish();
        cid_font.finish();
        let face = &self.font.face;
        let scale = |v: i16| f32::from(v) * 1000.0 / self.font.per_em;
        let bbox = face.global_bounding_box();
        pdf.font_descriptor(descriptor)
            .name(FONT_NAME)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                scale(bbox.x_min),
                scale(bbox.y_min),
                scale(bbox.x_max),
                scale(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(scale(face.ascender()))
            .descent(scale(face.descender()))
            .cap_height(scale(face.capital_height().unwrap_or(face.ascender())))
            .stem_v(80.0)
            .font_file2(font_file);
        let packed = deflate(FONT);
        pdf.stream(font_file, &packed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), FONT.len() as i32);
        let mut cmap = UnicodeCmap::new(Name(b"Brygga-UCS"), info);
        for (glyph, c) in &self.used {
            cmap.pair(*glyph, *c);
        }
        pdf.cmap(cmap_ref, &cmap.finish());
    }
}

fn show(content: &mut Content, x: f32, y: f32, size: f32, glyphs: &[u16]) {
    let bytes: Vec<u8> = glyphs.iter().flat_map(|g| g.to_be_bytes()).collect();
    content
        .begin_text()
        .set_font(F1, size)
        .next_line(x, y)
        .show(Str(&bytes))
        .end_text();
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_breaks_long_ones() {
        let font = Font::load();
        let lines = wrap(&font, "Fiktiv text om hembesöket hos familjen", 10.0, 80.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(
            lines.iter().all(|l| font.width(l, 10.0) <= 80.0),
            "{lines:?}"
        );
        assert_eq!(lines.join(" "), "Fiktiv text om hembesöket hos familjen");
        let long = wrap(&font, &"å".repeat(200), 10.0, 100.0);
        assert!(long.len() > 1);
        assert_eq!(
            wrap(&font, "ett\n\ntvå", 10.0, 300.0),
            vec!["ett", "", "två"]
        );
    }

    #[test]
    fn a_document_is_a_pdf_with_pages() {
        let mut doc = Document::new("Fiktiv rapport");
        doc.heading("Rubrik", Style::HEADING);
        for _ in 0..120 {
            doc.text("En rad med åäö.", Style::BODY);
        }
        let bytes = doc.finish();
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("/Count 3") || text.contains("/Count 2"),
            "several pages"
        );
    }
}
