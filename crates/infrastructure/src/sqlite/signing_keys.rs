//! The key generations in SQLite: read all, add one unless its number is taken.

use async_trait::async_trait;
use sessions_application::ports::{KeyStore, PublicSigningKey, SealedKeyGeneration, StoreError};
use sessions_domain::{KeyGeneration, KeyLifetime};

use super::{
    SqliteStore,
    encoding::{corrupt, micros, time},
};
use crate::CorruptRow;

const TABLE: &str = "signing_keys";

#[derive(sqlx::FromRow)]
struct KeyRow {
    generation: i64,
    kid: String,
    public_x: String,
    public_y: String,
    sealed_private_key: Vec<u8>,
    sealed_refresh_key: Vec<u8>,
    created_at: i64,
    activates_at: i64,
}

impl TryFrom<KeyRow> for SealedKeyGeneration {
    type Error = CorruptRow;

    fn try_from(row: KeyRow) -> Result<Self, CorruptRow> {
        let generation =
            u32::try_from(row.generation).map_err(|_| corrupt(TABLE, "generation out of range"))?;
        Ok(Self {
            lifetime: KeyLifetime {
                generation: KeyGeneration::new(generation),
                created_at: time(TABLE, row.created_at)?,
                activates_at: time(TABLE, row.activates_at)?,
            },
            public_key: PublicSigningKey {
                kid: row.kid,
                x: row.public_x,
                y: row.public_y,
            },
            sealed_signing_key: row.sealed_private_key,
            sealed_refresh_key: row.sealed_refresh_key,
        })
    }
}

#[async_trait]
impl KeyStore for SqliteStore {
    async fn key_generations(&self) -> Result<Vec<SealedKeyGeneration>, StoreError> {
        let rows: Vec<KeyRow> = sqlx::query_as(
            r#"
            SELECT generation, kid, public_x, public_y, sealed_private_key,
                   sealed_refresh_key, created_at, activates_at
            FROM signing_keys ORDER BY generation
            "#,
        )
        .fetch_all(self.readers())
        .await
        .map_err(StoreError::new)?;
        rows.into_iter()
            .map(|row| SealedKeyGeneration::try_from(row).map_err(StoreError::new))
            .collect()
    }

    async fn add_key_generation(
        &self,
        generation: &SealedKeyGeneration,
    ) -> Result<bool, StoreError> {
        let number = i64::from(generation.lifetime.generation.get());
        let mut transaction = self.begin_write().await.map_err(StoreError::new)?;
        let added = sqlx::query(
            r#"
            INSERT INTO signing_keys
                (generation, kid, algorithm, public_x, public_y, sealed_private_key,
                 sealed_refresh_key, created_at, activates_at)
            VALUES (?1, ?2, 'ES256', ?3, ?4, ?5, ?6, ?7, ?8)
            ON CONFLICT (generation) DO NOTHING
            "#,
        )
        .bind(number)
        .bind(&generation.public_key.kid)
        .bind(&generation.public_key.x)
        .bind(&generation.public_key.y)
        .bind(&generation.sealed_signing_key)
        .bind(&generation.sealed_refresh_key)
        .bind(micros(generation.lifetime.created_at))
        .bind(micros(generation.lifetime.activates_at))
        .execute(&mut *transaction)
        .await
        .map_err(StoreError::new)?
        .rows_affected()
            == 1;
        if added {
            sqlx::query("UPDATE signing_keys SET retires_at = ?2 WHERE generation = ?1 - 1")
                .bind(number)
                .bind(micros(generation.lifetime.activates_at))
                .execute(&mut *transaction)
                .await
                .map_err(StoreError::new)?;
        }
        transaction.commit().await.map_err(StoreError::new)?;
        Ok(added)
    }
}
