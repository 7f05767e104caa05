//! A very small SQL builder for dynamic queries (filters, keyset paging). It writes `$n`
//! placeholders, which both engines accept, and keeps values out of the text.

use crate::conn::{Conn, DbError, Row, ToValue, Value};

/// SQL text plus its bound values.
#[derive(Debug, Default, Clone)]
pub struct Sql {
    text: String,
    args: Vec<Value>,
}

impl Sql {
    /// Starts with a fixed piece of SQL.
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends fixed SQL text (never user input).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind<T: ToValue>(&mut self, value: T) -> &mut Self {
        self.args.push(value.to_value());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// Appends `$a, $b, …` for a list of values.
    pub fn bind_list<T: ToValue, I: IntoIterator<Item = T>>(&mut self, values: I) -> &mut Self {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self
    }

    /// The SQL text so far (for tests and logs).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Runs the query and returns every row.
    pub async fn fetch_all(self, conn: &mut Conn) -> Result<Vec<Row>, DbError> {
        conn.fetch_all(&self.text, &self.args).await
    }

    /// Runs the query, planned for these very values (PostgreSQL; the same as
    /// [`Sql::fetch_all`] on SQLite): for a statement run over and over while the table it
    /// reads grows within one transaction, where a cached generic plan made from the first,
    /// empty state would scan.
    pub async fn fetch_all_planned(self, conn: &mut Conn) -> Result<Vec<Row>, DbError> {
        conn.fetch_all_with(&self.text, &self.args, false).await
    }

    /// Runs the query and returns the first row, if any.
    pub async fn fetch_optional(self, conn: &mut Conn) -> Result<Option<Row>, DbError> {
        conn.fetch_optional(&self.text, &self.args).await
    }

    /// Runs the query and returns its one row.
    pub async fn fetch_one(self, conn: &mut Conn) -> Result<Row, DbError> {
        conn.fetch_optional(&self.text, &self.args)
            .await?
            .ok_or(DbError::RowNotFound)
    }

    /// Runs a statement and returns the number of rows it changed.
    pub async fn execute(self, conn: &mut Conn) -> Result<u64, DbError> {
        conn.execute(&self.text, &self.args).await
    }
}

/// Turns a search text into a `LIKE` pattern matching it anywhere, with `%`, `_` and `\`
/// escaped (use with `ESCAPE '\'`). Lower-cased, to compare with `LOWER(column)`.
pub fn contains_pattern(q: &str) -> String {
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for c in q.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered() {
        let mut q = Sql::new("SELECT * FROM t WHERE a = ");
        q.bind(1_i64)
            .push(" AND b IN (")
            .bind_list(["x".to_owned(), "y".to_owned()])
            .push(")");
        assert_eq!(q.text(), "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)");
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(contains_pattern(" 50%_A\\ "), "%50\\%\\_a\\\\%");
        assert_eq!(contains_pattern("研发"), "%研发%");
    }
}
