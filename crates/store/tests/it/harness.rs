//! Creates one store per backend for a test and removes it afterwards.

use sqlx::Connection;
use std::io::Write;
use store::Store;

pub struct TestStore {
    pub name: &'static str,
    pub store: Store,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestStore {
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some((admin_url, db)) = self.pg {
            let mut conn = sqlx::AnyConnection::connect(&admin_url)
                .await
                .expect("reconnect to drop the test database");
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
}

/// The PostgreSQL URL from the environment, or a loud note that the PostgreSQL run is skipped.
pub fn pg_url() -> Option<String> {
    let url = std::env::var("LAWDESK_TEST_PG_URL").ok().filter(|u| !u.is_empty());
    if url.is_none() {
        // Written to the stderr handle directly: libtest captures eprintln!, not this.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED (postgres suite): set LAWDESK_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test to run it"
        );
    }
    url
}

pub async fn stores() -> Vec<TestStore> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_sqlite(dir.path()).await.expect("open sqlite");
    out.push(TestStore { name: "sqlite", store, dir, pg: None });
    if let Some(url) = pg_url() {
        sqlx::any::install_default_drivers();
        let db = format!("lawdesk_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn =
            sqlx::AnyConnection::connect(&url).await.expect("connect to LAWDESK_TEST_PG_URL");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        conn.close().await.ok();
        let (base, _) = url.rsplit_once('/').expect("a postgres URL ends in /database");
        let test_url = format!("{base}/{db}");
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_postgres(&test_url, dir.path()).await.expect("open postgres");
        out.push(TestStore { name: "postgres", store, dir, pg: Some((url, db)) });
    }
    out
}
