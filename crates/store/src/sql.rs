//! A very small SQL builder for dynamic queries (filters, keyset paging). It writes `$n`
//! placeholders, which both SQLite and PostgreSQL accept, and keeps values out of the text.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, Arguments, Encode, Type};

/// SQL text plus its bound values.
#[derive(Default)]
pub struct Sql {
    text: String,
    args: AnyArguments,
    count: usize,
    error: Option<String>,
}

impl Sql {
    /// Starts with a fixed piece of SQL.
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_owned(),
            ..Sql::default()
        }
    }

    /// Appends fixed SQL text (never user input).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'static, Any> + Type<Any> + Send + 'static,
    {
        self.count += 1;
        self.text.push('$');
        self.text.push_str(&self.count.to_string());
        if let Err(e) = self.args.add(value) {
            self.error.get_or_insert(e.to_string());
        }
        self
    }

    /// Appends `$a, $b, …` for a list of values.
    pub fn bind_list<T, I>(&mut self, values: I) -> &mut Self
    where
        I: IntoIterator<Item = T>,
        T: Encode<'static, Any> + Type<Any> + Send + 'static,
    {
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

    fn into_query(self) -> Result<sqlx::query::Query<'static, Any, AnyArguments>, sqlx::Error> {
        if let Some(e) = self.error {
            return Err(sqlx::Error::Encode(e.into()));
        }
        Ok(sqlx::query_with(sqlx::AssertSqlSafe(self.text), self.args))
    }

    /// Runs the query and returns every row.
    pub async fn fetch_all(
        self,
        conn: &mut sqlx::AnyConnection,
    ) -> Result<Vec<AnyRow>, sqlx::Error> {
        self.into_query()?.fetch_all(conn).await
    }

    /// Runs the query and returns the first row, if any.
    pub async fn fetch_optional(
        self,
        conn: &mut sqlx::AnyConnection,
    ) -> Result<Option<AnyRow>, sqlx::Error> {
        self.into_query()?.fetch_optional(conn).await
    }

    /// Runs a statement and returns the number of rows it changed.
    pub async fn execute(self, conn: &mut sqlx::AnyConnection) -> Result<u64, sqlx::Error> {
        Ok(self.into_query()?.execute(conn).await?.rows_affected())
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
