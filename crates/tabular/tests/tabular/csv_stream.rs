//! Streaming: a generated CSV is read without ever existing whole in memory.

use std::io::{self, Read};

use castellan_tabular::{Format, ReadOptions, TableReader};

/// Produces `rows` CSV data rows after a header, one row at a time.
struct Generated {
    next: u64,
    rows: u64,
    pending: Vec<u8>,
    pos: usize,
}

impl Generated {
    fn new(rows: u64) -> Self {
        let header = b"code,name,category,department,owner,location,zone,notes\r\n".to_vec();
        Generated {
            next: 0,
            rows,
            pending: header,
            pos: 0,
        }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.pending.len() {
            if self.next == self.rows {
                return Ok(0);
            }
            let i = self.next;
            self.next += 1;
            self.pending = format!(
                "A-{i:07},交换机 {i},network_device,信息中心,user{},\"机房 {}, 机柜 {}\",intranet,\r\n",
                i % 50,
                i % 9,
                i % 40
            )
            .into_bytes();
            self.pos = 0;
        }
        let n = (self.pending.len() - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&self.pending[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn two_hundred_thousand_rows_stream_through() {
    let reader = TableReader::from_reader(
        Generated::new(200_000),
        Format::Csv,
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(reader.headers().len(), 8);
    let mut count = 0u64;
    let mut last = None;
    for record in reader {
        let record = record.unwrap();
        assert_eq!(record.cells.len(), 8);
        count += 1;
        last = Some(record);
    }
    assert_eq!(count, 200_000);
    let last = last.unwrap();
    assert_eq!(last.line, 200_001);
    assert_eq!(last.cells[0], "A-0199999");
    assert_eq!(last.cells[5], "机房 1, 机柜 39");
}
